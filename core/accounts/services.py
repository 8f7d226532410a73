"""Account operations shared by the pages, the API and the CLI.

Each operation changes state, flushes and records the audit row; the caller
(request or CLI command) commits.
"""
from __future__ import annotations

import csv
import hashlib
import io
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from core import audit
from core.accounts.models import ApiToken, Branch, EmploymentStatus, Position, Role, User, UserRole
from core.database import db, utcnow

MIN_PASSWORD_LENGTH = 8
TOKEN_USE_RESOLUTION = timedelta(minutes=5)
INELIGIBLE_POSITIONS = {Position.PRESIDENT, Position.AREA_AUDITOR}
USER_AUDIT_FIELDS = ("username", "employee_no", "name", "branch_code", "position", "status", "roles")


class AccountError(ValueError):
    """A refused account operation; the message is shown to the user."""


# --- eligibility --------------------------------------------------------------


def bidding_ineligibility_reason(user: User) -> str | None:
    """Why `user` may not bid, or None when they may (the one rule, used everywhere)."""
    if user.status == EmploymentStatus.LEFT:
        return str(_l("Staff who have left the bank cannot bid."))
    if user.position == Position.PRESIDENT:
        return str(_l("The bank president cannot bid."))
    if user.position == Position.AREA_AUDITOR:
        return str(_l("Area auditors cannot bid."))
    return None


def is_eligible_bidder(user: User) -> bool:
    return bidding_ineligibility_reason(user) is None


# --- branches -----------------------------------------------------------------


def create_branch(code: str, name: str) -> Branch:
    code, name = code.strip().upper(), name.strip()
    if not code or not name:
        raise AccountError(_l("A branch needs a code and a name."))
    if db.session.scalar(select(Branch).where(Branch.code == code)):
        raise AccountError(_l("Branch code %(code)s already exists.", code=code))
    branch = Branch(code=code, name=name)
    db.session.add(branch)
    audit.record("branch.create", branch, after={"code": code, "name": name})
    return branch


def branch_by_code(code: str | None) -> Branch | None:
    if not code:
        return None
    branch = db.session.scalar(select(Branch).where(Branch.code == code.strip().upper()))
    if branch is None:
        raise AccountError(_l("Unknown branch code %(code)s.", code=code))
    return branch


# --- users --------------------------------------------------------------------


def parse_roles(value: str | list[str] | set) -> set[Role]:
    items = value.replace("，", ",").split(",") if isinstance(value, str) else list(value)
    roles = set()
    for item in (str(i).strip().lower() for i in items):
        if not item:
            continue
        try:
            roles.add(Role(item))
        except ValueError:
            raise AccountError(_l("Unknown role %(role)s.", role=item)) from None
    return roles


def _enum_value(enum_cls, value, message):
    try:
        return enum_cls(str(value).strip().lower())
    except ValueError:
        raise AccountError(message) from None


def user_snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "employee_no": user.employee_no,
        "name": user.name,
        "branch_code": user.branch.code if user.branch else None,
        "position": user.position,
        "status": user.status,
        "roles": sorted(r.value for r in user.roles),
    }


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def check_password_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(_l("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))


@dataclass
class UserData:
    username: str
    name: str
    password: str
    roles: set[Role] = field(default_factory=lambda: {Role.EMPLOYEE})
    branch_code: str | None = None
    position: str = Position.STAFF
    status: str = EmploymentStatus.ACTIVE
    employee_no: str | None = None


def create_user(data: UserData) -> User:
    username = data.username.strip()
    if not username or not data.name.strip():
        raise AccountError(_l("A user needs a username and a name."))
    if db.session.scalar(select(User).where(User.username == username)):
        raise AccountError(_l("Username %(username)s is already taken.", username=username))
    employee_no = (data.employee_no or "").strip() or None
    if employee_no and db.session.scalar(select(User).where(User.employee_no == employee_no)):
        raise AccountError(_l("Employee number %(no)s is already used.", no=employee_no))
    check_password_strength(data.password)
    roles = parse_roles(data.roles)
    if not roles:
        raise AccountError(_l("A user needs at least one role."))
    user = User(
        username=username,
        name=data.name.strip(),
        employee_no=employee_no,
        branch=branch_by_code(data.branch_code),
        position=_enum_value(Position, data.position, _l("Unknown position %(p)s.", p=data.position)),
        status=_enum_value(EmploymentStatus, data.status, _l("Unknown status %(s)s.", s=data.status)),
        password_hash=hash_password(data.password),
        role_rows=[UserRole(role=r) for r in sorted(roles)],
    )
    db.session.add(user)
    audit.record("user.create", user, after=user_snapshot(user))
    return user


def update_user(user: User, *, name: str, branch_code: str | None, position: str, status: str,
                roles: set[Role], employee_no: str | None, changed_by: User | None = None) -> User:
    before = user_snapshot(user)
    roles = parse_roles(roles)
    if not roles:
        raise AccountError(_l("A user needs at least one role."))
    if changed_by is not None and changed_by.id == user.id and Role.ADMIN in user.roles and Role.ADMIN not in roles:
        raise AccountError(_l("You cannot remove your own administrator role."))
    employee_no = (employee_no or "").strip() or None
    clash = employee_no and db.session.scalar(
        select(User).where(User.employee_no == employee_no, User.id != user.id)
    )
    if clash:
        raise AccountError(_l("Employee number %(no)s is already used.", no=employee_no))
    user.name = name.strip() or user.name
    user.employee_no = employee_no
    user.branch = branch_by_code(branch_code)
    user.position = _enum_value(Position, position, _l("Unknown position %(p)s.", p=position))
    user.status = _enum_value(EmploymentStatus, status, _l("Unknown status %(s)s.", s=status))
    current = {row.role: row for row in user.role_rows}
    user.role_rows = [current.get(r) or UserRole(role=r) for r in sorted(roles)]
    db.session.flush()
    after = user_snapshot(user)
    if after != before:
        audit.record("user.update", user, before=before, after=after)
    return user


def set_password(user: User, new_password: str, *, reason: str = "user.password_change") -> None:
    check_password_strength(new_password)
    user.password_hash = hash_password(new_password)
    audit.record(reason, user)


def authenticate(username: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None:
        check_password_hash(hash_password("timing"), password or "")  # same cost either way
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.is_active:
        return None
    return user


STAFF_CSV_COLUMNS = ("username", "name", "employee_no", "branch", "position", "status", "roles", "password")


@dataclass
class ImportReport:
    created: list[User]
    errors: list[str]


def import_users_csv(text: str) -> ImportReport:
    """Create every user in a staff CSV; all row errors are reported together.

    create_user refuses before it adds anything, so on errors the caller rolls
    back and nothing is stored.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"username", "name", "password"} - set(reader.fieldnames or [])
    if missing:
        return ImportReport([], [str(_l("Missing columns: %(cols)s", cols=", ".join(sorted(missing))))])
    created, errors = [], []
    for line_no, row in enumerate(reader, start=2):
        try:
            created.append(create_user(UserData(
                username=row.get("username") or "",
                name=row.get("name") or "",
                password=row.get("password") or "",
                roles=parse_roles(row.get("roles") or "employee"),
                branch_code=row.get("branch") or None,
                position=row.get("position") or Position.STAFF,
                status=row.get("status") or EmploymentStatus.ACTIVE,
                employee_no=row.get("employee_no") or None,
            )))
        except AccountError as exc:
            errors.append(str(_l("Row %(row)d: %(message)s", row=line_no, message=exc)))
    return ImportReport(created if not errors else [], errors)


# --- API tokens ---------------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, hours: int) -> tuple[str, ApiToken]:
    """Return the plain token (shown once) and its stored, hashed record."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(user=user, token_hash=_hash_token(token), expires_at=utcnow() + timedelta(hours=hours))
    db.session.add(row)
    audit.record("token.issue", row, actor=user, after={"user": user.username, "expires_at": row.expires_at})
    return token, row


def user_for_token(token: str, now: datetime | None = None) -> tuple[User, ApiToken] | None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(token)))
    now = now or utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now or not row.user.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at > TOKEN_USE_RESOLUTION:
        # Committed here, before the view runs, so read-only calls record it too; at most
        # once per resolution so busy clients (a bidder) don't pay a write per request.
        row.last_used_at = now
        db.session.commit()
    return row.user, row


def revoke_token(row: ApiToken) -> None:
    row.revoked_at = utcnow()
    audit.record("token.revoke", row, actor=row.user)
