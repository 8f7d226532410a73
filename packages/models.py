from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import Branch, User
from core.database import ENUM_LABELS, LabelledEnum, db, str_enum, utcnow


class GuaranteeType(LabelledEnum):
    CREDIT = "credit"
    GUARANTEE = "guarantee"
    MORTGAGE = "mortgage"
    PLEDGE = "pledge"


ENUM_LABELS[GuaranteeType] = {
    GuaranteeType.CREDIT: _l("Credit"),
    GuaranteeType.GUARANTEE: _l("Guarantee"),
    GuaranteeType.MORTGAGE: _l("Mortgage"),
    GuaranteeType.PLEDGE: _l("Pledge"),
}


class LitigationStatus(LabelledEnum):
    NOT_SUED = "not_sued"
    IN_SUIT = "in_suit"
    JUDGED_NOT_ENFORCED = "judged_not_enforced"
    IN_ENFORCEMENT = "in_enforcement"
    ENFORCEMENT_TERMINATED = "enforcement_terminated"


ENUM_LABELS[LitigationStatus] = {
    LitigationStatus.NOT_SUED: _l("Not sued"),
    LitigationStatus.IN_SUIT: _l("In suit"),
    LitigationStatus.JUDGED_NOT_ENFORCED: _l("Judged, not enforced"),
    LitigationStatus.IN_ENFORCEMENT: _l("In enforcement"),
    LitigationStatus.ENFORCEMENT_TERMINATED: _l("Enforcement terminated"),
}


class ImportBatch(db.Model):
    """One imported loan tape: who, when, which file, as of which cut-off date."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    checksum: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int]
    cutoff_date: Mapped[date]
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    imported_by: Mapped[User | None] = relationship()


class Loan(db.Model):
    """A loan written off and carried off the balance sheet (accounts 108/110)."""

    __tablename__ = "loans"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_no: Mapped[str] = mapped_column(String(40), unique=True)
    borrower: Mapped[str] = mapped_column(String(80))
    id_number: Mapped[str | None] = mapped_column(String(18))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    township: Mapped[str | None] = mapped_column(String(80))
    principal_fen: Mapped[int] = mapped_column(BigInteger)
    interest_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    start_date: Mapped[date]
    due_date: Mapped[date]
    last_repayment_date: Mapped[date | None]
    last_notice_date: Mapped[date | None]
    account: Mapped[str] = mapped_column(String(8), default="108")
    situation: Mapped[str | None] = mapped_column(Text)
    collateral: Mapped[str | None] = mapped_column(String(255))
    guarantor: Mapped[str | None] = mapped_column(String(120))
    loan_officer: Mapped[str | None] = mapped_column(String(80))
    guarantee_type: Mapped[GuaranteeType] = mapped_column(str_enum(GuaranteeType), default=GuaranteeType.CREDIT)
    litigation_status: Mapped[LitigationStatus] = mapped_column(
        str_enum(LitigationStatus), default=LitigationStatus.NOT_SUED
    )
    borrower_deceased: Mapped[bool] = mapped_column(default=False)
    borrower_bankrupt: Mapped[bool] = mapped_column(default=False)
    borrower_convicted: Mapped[bool] = mapped_column(default=False)
    guarantor_unable: Mapped[bool] = mapped_column(default=False)
    enforcement_terminated: Mapped[bool] = mapped_column(default=False)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"), index=True)

    branch: Mapped[Branch] = relationship()
    batch: Mapped[ImportBatch] = relationship()
