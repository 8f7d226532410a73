"""Package-desk operations: import, grade, price, compose, approve, publish.

Each operation changes state, flushes and records the audit row; the request or
CLI command that called it commits.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select, update

from core import audit
from core.accounts.models import Branch, Role, User
from core.database import db, sum_fen, utcnow
from packages import bundling, grading, pricing, tape
from packages.grading import LoanClass
from packages.models import (
    ImportBatch, Loan, Package, PackageStatus, PackagingPlan, PlanStatus, PricingRatio,
)
from packages.pricing import AgeBand


class PackagingError(ValueError):
    """A refused package-desk operation; the message is shown to the user."""


class SelfApprovalError(PackagingError):
    pass


class PlanNotDraftError(PackagingError):
    pass


# --- presentation rules ---------------------------------------------------------


def mask_id_number(id_number: str | None) -> str:
    """`430124198001011234` -> `4301**********1234`; short values are fully masked."""
    if not id_number:
        return ""
    if len(id_number) <= 8:
        return "*" * len(id_number)
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


def may_see_id_numbers(user: User) -> bool:
    return user.has_role(Role.ADMIN)


def visible_id_number(loan: Loan, user: User) -> str:
    return loan.id_number or "" if may_see_id_numbers(user) else mask_id_number(loan.id_number)


def loan_query(*, branch_code: str | None = None, search: str | None = None,
               loan_class: str | None = None, unpackaged: bool = False) -> Select:
    query = select(Loan).join(Loan.branch).order_by(Branch.code, Loan.loan_no)
    if branch_code:
        query = query.where(Branch.code == branch_code)
    if search:
        like = f"%{search}%"
        query = query.where(Loan.loan_no.ilike(like) | Loan.borrower.ilike(like) | Loan.township.ilike(like))
    if loan_class:
        query = query.where(Loan.grade == LoanClass(loan_class))
    if unpackaged:
        query = query.where(Loan.package_id.is_(None))
    return query


# --- pricing table ----------------------------------------------------------------


def load_ratios() -> dict[tuple[LoanClass, AgeBand], int]:
    ratios = dict(pricing.DEFAULT_RATIOS_BP)
    for row in db.session.scalars(select(PricingRatio)):
        ratios[(row.loan_class, row.age_band)] = row.ratio_bp
    return ratios


def set_ratios(new_ratios: dict[tuple[LoanClass, AgeBand], int]) -> bool:
    """Store an edited ratio table; returns whether anything changed."""
    before = load_ratios()
    for key, ratio_bp in new_ratios.items():
        if not 0 <= ratio_bp <= pricing.BASIS_POINTS:
            raise PackagingError(_l("A pricing ratio must be from 0 to 100 percent."))
    changed = {key: bp for key, bp in new_ratios.items() if before.get(key) != bp}
    if not changed:
        return False
    for (loan_class, band), ratio_bp in changed.items():
        row = db.session.scalar(select(PricingRatio).where(
            PricingRatio.loan_class == loan_class, PricingRatio.age_band == band))
        if row is None:
            db.session.add(PricingRatio(loan_class=loan_class, age_band=band, ratio_bp=ratio_bp))
        else:
            row.ratio_bp = ratio_bp
    audit.record("pricing.ratios_update", object_type="pricing_ratios", object_id="table",
                 before=_ratio_snapshot(before), after=_ratio_snapshot({**before, **changed}))
    return True


def _ratio_snapshot(ratios) -> dict[str, int]:
    return {f"{c.value}/{b.value}": bp for (c, b), bp in sorted(ratios.items())}


def _ratio_and_price(ratios, loan_class: LoanClass, start: date, principal_fen: int, on: date) -> tuple[int, int]:
    ratio = pricing.ratio_for(ratios, loan_class, start, on)
    return ratio, pricing.price_fen(principal_fen, ratio)


def grade_and_price(row: dict, ratios, on: date) -> dict:
    """Fill a new loan row's grade and price fields (the row is a dict for bulk inserts)."""
    loan_class, reasons = grading.grade(row)
    row["auto_grade"] = row["grade"] = loan_class.value
    row["grade_reasons"] = ",".join(reasons)
    row["price_ratio_bp"], row["price_fen"] = _ratio_and_price(
        ratios, loan_class, row["start_date"], row["principal_fen"], on)
    row["priced_on"] = on
    return row


def _published_package_ids() -> Select:
    return select(Package.id).where(Package.status == PackageStatus.PUBLISHED)


def reprice_loans(on: date) -> int:
    """Re-price every loan not in a published package; returns how many prices changed."""
    ratios = load_ratios()
    rows = db.session.execute(
        select(Loan.id, Loan.principal_fen, Loan.start_date, Loan.grade, Loan.price_fen, Loan.package_id)
        .where(Loan.package_id.is_(None) | Loan.package_id.not_in(_published_package_ids()))
    ).all()
    changes, touched_packages, changed = [], set(), 0
    for row in rows:
        ratio, new_price = _ratio_and_price(ratios, row.grade, row.start_date, row.principal_fen, on)
        changes.append({"id": row.id, "price_fen": new_price, "price_ratio_bp": ratio, "priced_on": on})
        if new_price != row.price_fen:
            changed += 1
            if row.package_id:
                touched_packages.add(row.package_id)
    if changes:
        db.session.execute(update(Loan), changes)
    _refresh_reserves(touched_packages)
    audit.record("pricing.reprice", object_type="loans", object_id="*",
                 after={"priced_on": on, "loans": len(changes), "prices_changed": changed})
    return changed


# --- import -------------------------------------------------------------------------


@dataclass
class ImportResult:
    batch: ImportBatch | None
    errors: list[tape.TapeError]


def import_tape(data: bytes, filename: str, *, cutoff_date: date, user: User | None) -> ImportResult:
    """Validate the whole tape; store every loan or none (the caller commits only on success)."""
    if cutoff_date > date.today():
        return ImportResult(None, [tape.TapeError(None, None, str(_l("The cut-off date cannot be in the future.")))])
    branches = {}
    for branch in db.session.scalars(select(Branch)):
        branches[branch.code.upper()] = branches[branch.name] = branch.id
    parsed = tape.read_tape(data, filename, branches=branches, existing_loan_nos=_existing_loan_nos)
    if parsed.errors:
        return ImportResult(None, parsed.errors)
    batch = ImportBatch(file_name=filename[:255], checksum=parsed.checksum, row_count=parsed.row_count,
                        cutoff_date=cutoff_date, imported_by=user)
    db.session.add(batch)
    db.session.flush()
    ratios = load_ratios()
    for row in parsed.rows:
        grade_and_price(row, ratios, cutoff_date)
        row["batch_id"] = batch.id
    bulk_insert_loans(parsed.rows)
    audit.record("loans.import", batch, actor=user, after={
        "file_name": batch.file_name, "checksum": batch.checksum, "row_count": batch.row_count,
        "cutoff_date": cutoff_date,
    })
    return ImportResult(batch, [])


def bulk_insert_loans(rows: list[dict]) -> None:
    """Core executemany with one key set: the ORM bulk path splits rows whose None-ness differs
    into separate statements, which is 10x slower on a 100,000-row tape."""
    if not rows:
        return
    keys = rows[0].keys()
    if any(row.keys() != keys for row in rows):
        every_key = sorted(set().union(*(row.keys() for row in rows)))
        rows = [{key: row.get(key) for key in every_key} for row in rows]
    for start in range(0, len(rows), 10_000):
        db.session.execute(Loan.__table__.insert(), rows[start:start + 10_000])


def _existing_loan_nos(candidates: set[str]) -> set[str]:
    found: set[str] = set()
    ordered = sorted(candidates)
    for start in range(0, len(ordered), 900):  # stay under SQLite's bound-parameter limit
        chunk = ordered[start:start + 900]
        found.update(db.session.scalars(select(Loan.loan_no).where(Loan.loan_no.in_(chunk))))
    return found


# --- grade override ------------------------------------------------------------------


def is_locked(loan: Loan) -> bool:
    return loan.package is not None and loan.package.status == PackageStatus.PUBLISHED


def override_grade(loan: Loan, new_class: LoanClass, reason: str, user: User) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise PackagingError(_l("Give a written reason for changing the class."))
    if is_locked(loan):
        raise PackagingError(_l("This loan is in a published package and can no longer change."))
    before = {"grade": loan.grade, "reason": loan.grade_override_reason, "price_fen": loan.price_fen}
    loan.grade = LoanClass(new_class)
    loan.grade_override_reason = reason
    loan.grade_overridden_by = user
    loan.grade_overridden_at = utcnow()
    _reprice_one(loan)
    audit.record("loan.grade_override", loan, before=before,
                 after={"grade": loan.grade, "reason": reason, "price_fen": loan.price_fen,
                        "auto_grade": loan.auto_grade})


def clear_grade_override(loan: Loan) -> None:
    if is_locked(loan):
        raise PackagingError(_l("This loan is in a published package and can no longer change."))
    before = {"grade": loan.grade, "reason": loan.grade_override_reason, "price_fen": loan.price_fen}
    loan.grade, loan.grade_override_reason = loan.auto_grade, None
    loan.grade_overridden_by, loan.grade_overridden_at = None, None
    _reprice_one(loan)
    audit.record("loan.grade_override_cleared", loan, before=before,
                 after={"grade": loan.grade, "price_fen": loan.price_fen})


def _reprice_one(loan: Loan) -> None:
    on = loan.priced_on or loan.batch.cutoff_date
    loan.price_ratio_bp, loan.price_fen = _ratio_and_price(
        load_ratios(), loan.grade, loan.start_date, loan.principal_fen, on)
    db.session.flush()
    if loan.package_id:
        _refresh_reserves({loan.package_id})


def _refresh_reserves(package_ids: Iterable[int]) -> None:
    """Recompute cached package reserves in one statement; bulk updates bypass the ORM, hence expire."""
    if package_ids := list(package_ids):
        reserve = select(sum_fen(Loan.price_fen)).where(Loan.package_id == Package.id).scalar_subquery()
        db.session.execute(update(Package).where(Package.id.in_(package_ids)).values(reserve_fen=reserve),
                           execution_options={"synchronize_session": False})
    db.session.expire_all()


# --- packaging plans ------------------------------------------------------------------


def compose_plan(branch: Branch, user: User, *, package_count: int | None = None,
                 target_reserve_fen: int | None = None) -> PackagingPlan:
    rows = db.session.execute(
        select(Loan.id, Loan.price_fen, Loan.township, Loan.grade)
        .where(Loan.branch_id == branch.id, Loan.package_id.is_(None)).order_by(Loan.id)
    ).all()
    if not rows:
        raise PackagingError(_l("Branch %(branch)s has no unpackaged loans.", branch=branch.name))
    items = [_bundle_loan(r) for r in rows]
    try:
        groups = bundling.plan_packages(items, package_count=package_count, target_reserve_fen=target_reserve_fen)
    except bundling.BundlingError as exc:
        raise PackagingError(str(exc)) from exc
    plan = PackagingPlan(branch=branch, composed_by=user, requested_count=package_count,
                         requested_target_fen=target_reserve_fen)
    db.session.add(plan)
    db.session.flush()
    for seq, group in enumerate(groups, start=1):
        package = Package(plan=plan, branch=branch, seq=seq, reserve_fen=sum(i.price_fen for i in group))
        db.session.add(package)
        db.session.flush()
        db.session.execute(update(Loan), [{"id": i.id, "package_id": package.id} for i in group])
    audit.record("plan.compose", plan, actor=user, after={
        "branch": branch.code, "packages": len(groups), "loans": len(items),
        "requested_count": package_count, "requested_target_fen": target_reserve_fen,
    })
    db.session.expire_all()
    return plan


def _require_draft(plan: PackagingPlan) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise PlanNotDraftError(_l("This plan is %(status)s and can no longer change.", status=plan.status.label))


def move_loan(loan: Loan, target: Package, user: User) -> None:
    source = loan.package
    if source is None or source.plan_id != target.plan_id:
        raise PackagingError(_l("A loan can only move between packages of the same plan."))
    _require_draft(target.plan)
    if source.id == target.id:
        return
    if len(source.loans) == 1:
        raise PackagingError(_l("Package %(package)s would be empty.", package=source.label))
    loan.package = target
    db.session.flush()
    _refresh_reserves({source.id, target.id})
    audit.record("plan.move_loan", target.plan, actor=user,
                 after={"loan_no": loan.loan_no, "from": source.seq, "to": target.seq})


def approve_plan(plan: PackagingPlan, approver: User) -> list[Package]:
    """Number the packages, freeze them and publish them on the notice board."""
    _require_draft(plan)
    if not approver.has_role(Role.COMMITTEE):
        raise PackagingError(_l("Only the leadership group approves packaging plans."))
    if approver.id == plan.composed_by_id:
        raise SelfApprovalError(_l("You composed this plan; another member of the leadership group must approve it."))
    now = utcnow()
    prefix = f"{plan.branch.code}-{now.year}-"
    taken = db.session.scalar(select(func.count()).select_from(Package).where(Package.number.startswith(prefix)))
    for offset, package in enumerate(plan.packages, start=1):
        package.number = f"{prefix}{taken + offset:02d}"
        package.status = PackageStatus.PUBLISHED
        package.published_at = now
    plan.status, plan.decided_by, plan.decided_at = PlanStatus.APPROVED, approver, now
    audit.record("plan.approve", plan, actor=approver, after={
        "packages": [{"number": p.number, "reserve_fen": p.reserve_fen, "loans": len(p.loans)} for p in plan.packages],
    })
    return list(plan.packages)


def discard_plan(plan: PackagingPlan, user: User) -> None:
    """The package desk drops its own draft; its loans become unpackaged again."""
    _close_draft(plan, user, "plan.discard", None)


def reject_plan(plan: PackagingPlan, member: User, reason: str) -> None:
    """The leadership group sends a draft back with a written reason; its loans are released."""
    if not member.has_role(Role.COMMITTEE):
        raise PackagingError(_l("Only the leadership group approves packaging plans."))
    if not (reason or "").strip():
        raise PackagingError(_l("Give a written reason for sending the plan back."))
    _close_draft(plan, member, "plan.reject", reason.strip())


def _close_draft(plan: PackagingPlan, user: User, action: str, reason: str | None) -> None:
    _require_draft(plan)
    package_ids = [p.id for p in plan.packages]
    db.session.execute(update(Loan).where(Loan.package_id.in_(package_ids)).values(package_id=None))
    for package in plan.packages:
        package.status = PackageStatus.DISCARDED
    plan.status, plan.decided_by, plan.decided_at = PlanStatus.DISCARDED, user, utcnow()
    plan.decision_reason = reason
    audit.record(action, plan, actor=user, after={"packages": len(package_ids), "reason": reason})
    db.session.expire_all()


def _bundle_loan(loan) -> bundling.BundleLoan:
    """A Loan or a result row with id, price_fen, township and grade, as the bundler sees it."""
    return bundling.BundleLoan(loan.id, loan.price_fen, loan.township or "", loan.grade == LoanClass.POTENTIAL)


def _plan_groups(plan: PackagingPlan) -> list[list[bundling.BundleLoan]]:
    return [[_bundle_loan(loan) for loan in package.loans] for package in plan.packages]


def plan_metrics(plan: PackagingPlan) -> bundling.PlanMetrics:
    return bundling.plan_metrics(_plan_groups(plan))


def random_baseline(plan: PackagingPlan) -> float:
    """Mean townships per package if the same loans were dealt out at random, for comparison."""
    items = [item for group in _plan_groups(plan) for item in group]
    return bundling.random_township_baseline(items, len(plan.packages)) if items else 0.0


def package_cutoff(package: Package) -> date:
    """The tape date a package's figures are as of: the latest cut-off among its loans' batches."""
    return db.session.scalar(
        select(func.max(ImportBatch.cutoff_date)).join(Loan, Loan.batch_id == ImportBatch.id)
        .where(Loan.package_id == package.id)
    ) or date.today()
