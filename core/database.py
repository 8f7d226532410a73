"""The one SQLAlchemy instance and the engine settings every backend gets."""
from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import BigInteger, Enum, MetaData, cast, event, func
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    """Naive UTC timestamp: stored the same way on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def normalise_database_url(url: str) -> str:
    """Accept the usual `postgres://` and `postgresql://` forms and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def str_enum(enum_cls, length: int = 24):
    """Store a StrEnum as its value in a VARCHAR (no native enum types to migrate)."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def sum_fen(column):
    """SUM of a fen column as an integer (PostgreSQL returns NUMERIC for SUM(bigint))."""
    return cast(func.coalesce(func.sum(column), 0), BigInteger)


class LabelledEnum(StrEnum):
    """A StrEnum whose members have a translatable label, declared once per class:
    `ENUM_LABELS[Role] = {Role.ADMIN: _l("..."), ...}`."""

    @property
    def label(self):
        return ENUM_LABELS[type(self)][self]


ENUM_LABELS: dict[type, dict] = {}
