"""The append-only, hash-chained audit trail.

Every state change in the product calls `record()` inside the transaction that
makes the change, so the audit row commits or rolls back with it. Each row's
hash covers its content and the previous row's hash; `verify_chain()` recomputes
the chain, so an edited, inserted or deleted row is detected.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import String, Text, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from core.database import db, utcnow

GENESIS_HASH = "0" * 64


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    created_at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_label: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def compute_hash(self) -> str:
        return entry_hash(self)

    @property
    def before_data(self) -> Any:
        return json.loads(self.before) if self.before else None

    @property
    def after_data(self) -> Any:
        return json.loads(self.after) if self.after else None


HASHED_FIELDS = (
    "seq", "created_at", "actor_id", "actor_label", "action",
    "object_type", "object_id", "before", "after", "prev_hash",
)


def entry_hash(entry: Any) -> str:
    """SHA-256 over the entry's fields; `entry` is a model instance or a result row."""
    values = [getattr(entry, name) for name in HASHED_FIELDS]
    values[1] = values[1].isoformat(timespec="microseconds")
    payload = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


class AuditHead(db.Model):
    """One row holding the chain's tip; updating it first serialises writers."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)


def _json_default(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"not JSON-serialisable in an audit record: {type(value).__name__}")


def _dump(data: Any) -> str | None:
    if data is None:
        return None
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=_json_default)


def snapshot(obj: Any, *fields: str) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def _current_actor():
    if not has_request_context():
        return None
    if (api_user := g.get("api_user")) is not None:
        return api_user
    if current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def record(
    action: str,
    obj: Any = None,
    *,
    before: Any = None,
    after: Any = None,
    actor: Any = None,
    actor_label: str | None = None,
    object_type: str | None = None,
    object_id: Any = None,
) -> AuditEntry:
    """Append one audit row in the current transaction (the caller commits)."""
    actor = actor or _current_actor()
    if obj is not None:
        db.session.flush()  # so a new object has its id
        object_type = object_type or getattr(obj, "__tablename__", type(obj).__name__)
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    # The no-op UPDATE takes the write lock (SQLite) or row lock (PostgreSQL)
    # before the tip is read, so concurrent writers cannot fork the chain.
    db.session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_seq=AuditHead.last_seq))
    head = db.session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, last_seq=0, last_hash=GENESIS_HASH)
        db.session.add(head)
        db.session.flush()
    entry = AuditEntry(
        seq=head.last_seq + 1,
        created_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_label=actor_label or (actor.username if actor is not None else "system"),
        action=action,
        object_type=object_type or "-",
        object_id=str(object_id if object_id is not None else "-"),
        before=_dump(before),
        after=_dump(after),
        prev_hash=head.last_hash,
    )
    entry.hash = entry.compute_hash()
    head.last_seq, head.last_hash = entry.seq, entry.hash
    db.session.add(entry)
    db.session.flush()
    return entry


def entry_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None
    message: str


def verify_chain(batch_size: int = 5000) -> list[ChainProblem]:
    """Recompute every hash in order; an empty list means the trail is intact."""
    problems: list[ChainProblem] = []
    expected_prev, expected_seq = GENESIS_HASH, 1
    last_seen = 0
    while True:
        rows = db.session.execute(
            select(AuditEntry.__table__).where(AuditEntry.seq > last_seen).order_by(AuditEntry.seq).limit(batch_size)
        ).all()
        if not rows:
            break
        for entry in rows:
            if entry.seq != expected_seq:
                problems.append(ChainProblem(entry.seq, f"entries {expected_seq}..{entry.seq - 1} are missing"))
            if entry.prev_hash != expected_prev:
                problems.append(ChainProblem(entry.seq, "does not link to the previous entry"))
            if entry_hash(entry) != entry.hash:
                problems.append(ChainProblem(entry.seq, "content does not match its hash (edited)"))
            expected_prev, expected_seq = entry.hash, entry.seq + 1
        last_seen = rows[-1].seq
    head = db.session.get(AuditHead, 1)
    tip_seq, tip_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
    if (tip_seq, tip_hash) != (expected_seq - 1, expected_prev):
        problems.append(ChainProblem(None, f"chain tip says entry {tip_seq}, trail ends at {expected_seq - 1}"))
    return problems
