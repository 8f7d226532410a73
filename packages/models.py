from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import Branch, User
from core.database import ENUM_LABELS, LabelledEnum, db, str_enum, utcnow
from packages.grading import LoanClass
from packages.pricing import AgeBand


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

    # Grading: the rule's class and reasons stay visible when an administrator overrides.
    auto_grade: Mapped[LoanClass] = mapped_column(str_enum(LoanClass), default=LoanClass.POTENTIAL)
    grade_reasons: Mapped[str] = mapped_column(String(200), default="")
    grade: Mapped[LoanClass] = mapped_column(str_enum(LoanClass), default=LoanClass.POTENTIAL, index=True)
    grade_override_reason: Mapped[str | None] = mapped_column(Text)
    grade_overridden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    grade_overridden_at: Mapped[datetime | None]

    price_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    price_ratio_bp: Mapped[int] = mapped_column(default=0)
    priced_on: Mapped[date | None]

    package_id: Mapped[int | None] = mapped_column(ForeignKey("packages.id"), index=True)

    branch: Mapped[Branch] = relationship()
    batch: Mapped[ImportBatch] = relationship()
    package: Mapped[Package | None] = relationship(back_populates="loans")
    grade_overridden_by: Mapped[User | None] = relationship()

    @property
    def grade_overridden(self) -> bool:
        return self.grade_override_reason is not None


class PricingRatio(db.Model):
    """One cell of the editable ratio table (class x age band), in basis points."""

    __tablename__ = "pricing_ratios"
    __table_args__ = (UniqueConstraint("loan_class", "age_band"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_class: Mapped[LoanClass] = mapped_column(str_enum(LoanClass))
    age_band: Mapped[AgeBand] = mapped_column(str_enum(AgeBand))
    ratio_bp: Mapped[int]


class PlanStatus(LabelledEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    DISCARDED = "discarded"


ENUM_LABELS[PlanStatus] = {
    PlanStatus.DRAFT: _l("Draft"),
    PlanStatus.APPROVED: _l("Approved"),
    PlanStatus.DISCARDED: _l("Discarded"),
}


class PackagingPlan(db.Model):
    """A composition of one branch's unpackaged loans into packages, awaiting approval."""

    __tablename__ = "packaging_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    status: Mapped[PlanStatus] = mapped_column(str_enum(PlanStatus), default=PlanStatus.DRAFT)
    requested_count: Mapped[int | None]
    requested_target_fen: Mapped[int | None] = mapped_column(BigInteger)
    composed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    composed_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)

    branch: Mapped[Branch] = relationship()
    composed_by: Mapped[User] = relationship(foreign_keys=[composed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    packages: Mapped[list[Package]] = relationship(back_populates="plan", order_by="Package.seq")


class PackageStatus(LabelledEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    DISCARDED = "discarded"


ENUM_LABELS[PackageStatus] = {
    PackageStatus.DRAFT: _l("Draft"),
    PackageStatus.PUBLISHED: _l("Published"),
    PackageStatus.DISCARDED: _l("Discarded"),
}


class Package(db.Model):
    """A bundle of loans auctioned as one lot; numbered and frozen when its plan is approved."""

    __tablename__ = "packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("packaging_plans.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    seq: Mapped[int]
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    status: Mapped[PackageStatus] = mapped_column(str_enum(PackageStatus), default=PackageStatus.DRAFT)
    reserve_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    published_at: Mapped[datetime | None]

    plan: Mapped[PackagingPlan] = relationship(back_populates="packages")
    branch: Mapped[Branch] = relationship()
    loans: Mapped[list[Loan]] = relationship(back_populates="package", order_by="Loan.loan_no")

    @property
    def label(self) -> str:
        return self.number or f"#{self.seq}"
