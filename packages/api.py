"""The package desk's JSON API: same services, same audit trail as the pages."""
from datetime import date

from flask import Blueprint, g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from core.accounts.models import Branch, Role
from core.api import json_body, require_str
from core.database import db
from core.errors import ApiError
from core.money import MoneyError, parse_decimal_string, to_decimal_string
from core.security import api_roles_required
from packages import services
from packages.grading import LoanClass
from packages.models import Loan, Package, PackageStatus, PackagingPlan

api_bp = Blueprint("packages_api", __name__, url_prefix="/api/v1")
DESK = (Role.ADMIN, Role.COMMITTEE)


def loan_json(loan: Loan, viewer) -> dict:
    return {
        "loan_no": loan.loan_no,
        "borrower": loan.borrower,
        "id_number": services.visible_id_number(loan, viewer),
        "branch": loan.branch.code,
        "township": loan.township,
        "principal": to_decimal_string(loan.principal_fen),
        "interest": to_decimal_string(loan.interest_fen),
        "price": to_decimal_string(loan.price_fen),
        "grade": loan.grade.value,
        "auto_grade": loan.auto_grade.value,
        "grade_reasons": [r for r in loan.grade_reasons.split(",") if r],
        "grade_override_reason": loan.grade_override_reason,
        "start_date": loan.start_date.isoformat(),
        "due_date": loan.due_date.isoformat(),
        "package": loan.package.number or loan.package.seq if loan.package else None,
    }


@api_bp.get("/loans")
@api_roles_required(*DESK)
def api_loans():
    loan_class = request.args.get("class") or None
    if loan_class and loan_class not in {c.value for c in LoanClass}:
        raise ApiError("invalid_field", _("Unknown class %(c)s.", c=loan_class), 400, {"field": "class"})
    query = services.loan_query(branch_code=request.args.get("branch") or None, loan_class=loan_class,
                                unpackaged=request.args.get("unpackaged") in ("1", "true", "yes"))
    page = db.paginate(query, per_page=100, max_per_page=500, error_out=False)
    return jsonify(items=[loan_json(loan, g.api_user) for loan in page.items],
                   page=page.page, per_page=page.per_page, total=page.total)


@api_bp.post("/loans/import")
@api_roles_required(Role.ADMIN)
def api_import():
    upload = request.files.get("file")
    if upload is None:
        raise ApiError("invalid_field", _("Send the loan tape as the multipart field 'file'."), 400, {"field": "file"})
    try:
        cutoff = date.fromisoformat(request.form.get("cutoff_date", ""))
    except ValueError:
        raise ApiError("invalid_field", _("cutoff_date must be a date like 2026-10-31."), 400,
                       {"field": "cutoff_date"}) from None
    result = services.import_tape(upload.read(), upload.filename or "tape", cutoff_date=cutoff, user=g.api_user)
    if result.batch is None:
        raise ApiError("invalid_tape", _("The tape was not imported: %(n)d problems.", n=len(result.errors)), 422,
                       {"errors": [{"row": e.row, "column": e.column, "message": e.message} for e in result.errors]})
    db.session.commit()
    return jsonify(batch=result.batch.id, row_count=result.batch.row_count, checksum=result.batch.checksum), 201


def package_json(package: Package) -> dict:
    return {
        "id": package.id, "number": package.number, "seq": package.seq, "status": package.status.value,
        "branch": package.branch.code, "reserve": to_decimal_string(package.reserve_fen),
        "loan_count": len(package.loans), "plan": package.plan_id,
    }


def plan_json(plan: PackagingPlan) -> dict:
    metrics = services.plan_metrics(plan)
    return {
        "id": plan.id, "branch": plan.branch.code, "status": plan.status.value,
        "composed_by": plan.composed_by.username, "decision_reason": plan.decision_reason,
        "spread": round(metrics.spread, 6),
        "mean_townships": round(metrics.mean_townships, 3),
        "packages": [package_json(p) for p in plan.packages],
    }


@api_bp.post("/packaging/plans")
@api_roles_required(Role.ADMIN)
def api_compose():
    data = json_body()
    branch = db.session.scalar(select(Branch).where(Branch.code == require_str(data, "branch").upper()))
    if branch is None:
        raise ApiError("invalid_field", _("Unknown branch code %(code)s.", code=data["branch"]), 400,
                       {"field": "branch"})
    count, target = data.get("package_count"), data.get("target_reserve")
    if (count is None) == (target is None):
        raise ApiError("invalid_field", _("Give either a number of packages or a target reserve, not both."), 400)
    if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 1):
        raise ApiError("invalid_field", _("package_count must be a positive whole number."), 400,
                       {"field": "package_count"})
    try:
        target_fen = parse_decimal_string(target, allow_zero=False) if target is not None else None
    except MoneyError as exc:
        raise ApiError("invalid_field", exc, 400, {"field": "target_reserve"}) from None
    try:
        plan = services.compose_plan(branch, g.api_user, package_count=count, target_reserve_fen=target_fen)
    except services.PackagingError as exc:
        raise ApiError("refused", exc, 409) from None
    db.session.commit()
    return jsonify(plan_json(plan)), 201


@api_bp.post("/packaging/plans/<int:plan_id>/approve")
@api_roles_required(Role.COMMITTEE)
def api_approve(plan_id: int):
    plan = db.session.get(PackagingPlan, plan_id)
    if plan is None:
        raise ApiError("not_found", _("No such plan."), 404)
    try:
        services.approve_plan(plan, g.api_user)
    except services.PackagingError as exc:
        raise ApiError("refused", exc, 409) from None
    db.session.commit()
    return jsonify(plan_json(plan))


@api_bp.post("/packaging/plans/<int:plan_id>/reject")
@api_roles_required(Role.COMMITTEE)
def api_reject(plan_id: int):
    plan = db.session.get(PackagingPlan, plan_id)
    if plan is None:
        raise ApiError("not_found", _("No such plan."), 404)
    reason = json_body().get("reason")
    try:
        services.reject_plan(plan, g.api_user, reason if isinstance(reason, str) else "")
    except services.PackagingError as exc:
        raise ApiError("refused", exc, 409) from None
    db.session.commit()
    return jsonify(plan_json(plan))


@api_bp.get("/packages")
@api_roles_required()
def api_packages():
    status = request.args.get("status") or "published"
    if status == "published":
        query = select(Package).where(Package.status == PackageStatus.PUBLISHED).order_by(Package.number)
    elif status != "draft":
        raise ApiError("invalid_field", _("status must be published or draft."), 400, {"field": "status"})
    elif g.api_user.has_role(*DESK):
        query = select(Package).where(Package.status == PackageStatus.DRAFT).order_by(Package.plan_id, Package.seq)
    else:
        raise ApiError("forbidden", _("Your role does not allow this."), 403)
    return jsonify(items=[package_json(p) for p in db.session.scalars(query)])
