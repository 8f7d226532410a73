from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.database import ENUM_LABELS, LabelledEnum, db, str_enum, utcnow


class Role(LabelledEnum):
    ADMIN = "admin"
    COMMITTEE = "committee"
    EMPLOYEE = "employee"
    AUDITOR = "auditor"
    FINANCE = "finance"


ENUM_LABELS[Role] = {
    Role.ADMIN: _l("Asset preservation department"),
    Role.COMMITTEE: _l("Leadership group"),
    Role.EMPLOYEE: _l("Employee"),
    Role.AUDITOR: _l("Audit department"),
    Role.FINANCE: _l("Finance department"),
}


class Position(LabelledEnum):
    STAFF = "staff"
    LOAN_OFFICER = "loan_officer"
    BRANCH_MANAGER = "branch_manager"
    PRESIDENT = "president"
    AREA_AUDITOR = "area_auditor"


ENUM_LABELS[Position] = {
    Position.STAFF: _l("Ordinary staff"),
    Position.LOAN_OFFICER: _l("Loan officer"),
    Position.BRANCH_MANAGER: _l("Branch manager"),
    Position.PRESIDENT: _l("Bank president"),
    Position.AREA_AUDITOR: _l("Area auditor"),
}


class EmploymentStatus(LabelledEnum):
    ACTIVE = "active"
    RETIRED = "retired"
    LEFT = "left"


ENUM_LABELS[EmploymentStatus] = {
    EmploymentStatus.ACTIVE: _l("Active"),
    EmploymentStatus.RETIRED: _l("Retired"),
    EmploymentStatus.LEFT: _l("Left the bank"),
}


class Branch(db.Model):
    __tablename__ = "branches"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(80))

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    employee_no: Mapped[str | None] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    position: Mapped[Position] = mapped_column(str_enum(Position), default=Position.STAFF)
    status: Mapped[EmploymentStatus] = mapped_column(
        str_enum(EmploymentStatus), default=EmploymentStatus.ACTIVE
    )
    password_hash: Mapped[str] = mapped_column(String(256))
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    branch: Mapped[Branch | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserRole.role
    )

    @property
    def roles(self) -> set[Role]:
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: Role | str) -> bool:
        return bool(self.roles & {Role(r) for r in roles})

    @property
    def is_active(self) -> bool:
        # Staff who left keep their history but can no longer sign in.
        return self.status != EmploymentStatus.LEFT

    def __str__(self) -> str:
        return f"{self.name} ({self.username})"


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
