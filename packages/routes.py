from datetime import date

from flask import (
    Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from core.accounts.forms import branch_choices
from core.accounts.models import Branch, Role
from core.database import db, sum_fen
from core.security import roles_required
from packages import export, profile, services, tape
from packages.forms import (
    ComposeForm, ConfirmForm, GradeOverrideForm, ImportForm, LoanFilterForm, MoveLoanForm, PercentField,
    RejectPlanForm, RepriceForm,
)
from packages.grading import LoanClass, reason_labels
from packages.models import ImportBatch, Loan, Package, PackageStatus, PackagingPlan
from packages.pricing import AgeBand

bp = Blueprint("packages", __name__, url_prefix="/packages", template_folder="templates")

DESK = (Role.ADMIN, Role.COMMITTEE)


def _me():
    return current_user._get_current_object()


# --- loans ----------------------------------------------------------------------


def _filtered_loans(form: LoanFilterForm):
    return services.loan_query(
        branch_code=form.branch.data or None, search=(form.q.data or "").strip() or None,
        loan_class=form.grade.data or None, unpackaged=bool(form.unpackaged.data),
    )


def _loan_filter_form() -> LoanFilterForm:
    form = LoanFilterForm(request.args)
    form.branch.choices = branch_choices()
    return form


@bp.get("/")
@roles_required(*DESK)
def index():
    form = _loan_filter_form()
    query = _filtered_loans(form)
    page = db.paginate(query, per_page=50)
    filtered = query.order_by(None).subquery()
    totals = db.session.execute(select(
        func.count(), sum_fen(filtered.c.principal_fen), sum_fen(filtered.c.interest_fen),
        sum_fen(filtered.c.price_fen),
    )).one()
    return render_template("packages/loans.html", form=form, page=page, totals=totals,
                           id_number=lambda loan: services.visible_id_number(loan, current_user))


@bp.get("/loans.xlsx")
@roles_required(*DESK)
def loans_export():
    loans = db.session.scalars(_filtered_loans(_loan_filter_form())).all()
    data = export.loans_xlsx(loans, mask_ids=not services.may_see_id_numbers(current_user), title=_("Loan list"))
    return _xlsx_response(data, f"loans-{date.today():%Y%m%d}.xlsx")


def _xlsx_response(data: bytes, filename: str) -> Response:
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/loans/<int:loan_id>", methods=["GET", "POST"])
@roles_required(*DESK)
def loan_detail(loan_id: int):
    loan = db.get_or_404(Loan, loan_id)
    form = GradeOverrideForm(grade=loan.grade.value)
    if request.method == "POST":
        if not current_user.has_role(Role.ADMIN):
            abort(403)
        try:
            if request.form.get("action") == "clear":
                if ConfirmForm().validate_on_submit():
                    services.clear_grade_override(loan)
            elif form.validate_on_submit():
                services.override_grade(loan, LoanClass(form.grade.data), form.reason.data, _me())
            else:
                return render_template("packages/loan.html", loan=loan, form=form, **_loan_context(loan))
            db.session.commit()
            flash(_("The class of loan %(no)s was updated.", no=loan.loan_no), "success")
            return redirect(url_for(".loan_detail", loan_id=loan.id))
        except services.PackagingError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    return render_template("packages/loan.html", loan=loan, form=form, **_loan_context(loan))


def _loan_context(loan: Loan) -> dict:
    return {
        "id_number": services.visible_id_number(loan, current_user),
        "reasons": reason_labels(loan.grade_reasons),
        "locked": services.is_locked(loan),
        "confirm": ConfirmForm(),
    }


# --- import ----------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def import_tape():
    form = ImportForm()
    errors = []
    wants_json = request.accept_mimetypes.best == "application/json"
    if form.validate_on_submit():
        upload = form.file.data
        result = services.import_tape(upload.read(), upload.filename or "tape", cutoff_date=form.cutoff_date.data,
                                      user=_me())
        if result.batch is not None:
            db.session.commit()
            flash(_("Imported %(n)d loans from %(file)s.", n=result.batch.row_count, file=result.batch.file_name),
                  "success")
            target = url_for(".index", batch=result.batch.id)
            return jsonify(redirect=target) if wants_json else redirect(target)
        db.session.rollback()
        errors = result.errors
    elif wants_json and request.method == "POST":
        errors = [tape.TapeError(None, field.label.text, str(msg)) for field in form for msg in field.errors]
    if wants_json and request.method == "POST":
        return jsonify(errors=[{"row": e.row, "column": e.column, "message": e.message} for e in errors]), 422
    batches = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(20)).all()
    return render_template("packages/import.html", form=form, errors=errors, batches=batches)


@bp.get("/template.<fmt>")
@roles_required(*DESK)
def tape_template(fmt: str):
    lang = "en" if request.args.get("lang") == "en" else "zh"
    if fmt == "xlsx":
        return _xlsx_response(tape.write_template_xlsx(lang), "loan-tape-template.xlsx")
    if fmt == "csv":
        return Response(tape.write_template_csv(lang), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="loan-tape-template.csv"'})
    abort(404)


# --- pricing ---------------------------------------------------------------------


def _ratio_field_name(loan_class: LoanClass, band: AgeBand) -> str:
    return f"ratio_{loan_class.value}_{band.value}"


@bp.route("/pricing", methods=["GET", "POST"])
@roles_required(*DESK)
def pricing_table():
    ratios = services.load_ratios()
    form = ConfirmForm()
    fields = {}
    for (loan_class, band) in ratios:
        field = PercentField(name=_ratio_field_name(loan_class, band)).bind(form, _ratio_field_name(loan_class, band))
        field.process(request.form if request.method == "POST" else None, data=ratios[(loan_class, band)])
        fields[(loan_class, band)] = field
    reprice = RepriceForm(prefix="reprice", priced_on=date.today())
    if request.method == "POST":
        if not current_user.has_role(Role.ADMIN):
            abort(403)
        if "reprice-priced_on" in request.form:
            if reprice.validate_on_submit():
                changed = services.reprice_loans(reprice.priced_on.data)
                db.session.commit()
                flash(_("Re-priced: %(n)d prices changed.", n=changed), "success")
                return redirect(url_for(".pricing_table"))
        elif form.validate_on_submit() and not any(f.process_errors for f in fields.values()):
            try:
                if services.set_ratios({key: f.data for key, f in fields.items()}):
                    db.session.commit()
                    flash(_("The pricing table was saved. Re-price to apply it to existing loans."), "success")
                return redirect(url_for(".pricing_table"))
            except services.PackagingError as exc:
                db.session.rollback()
                flash(str(exc), "error")
    return render_template("packages/pricing.html", fields=fields, form=form, reprice=reprice,
                           classes=list(LoanClass), bands=list(AgeBand))


# --- packaging plans -------------------------------------------------------------


@bp.get("/plans")
@roles_required(*DESK)
def plans():
    rows = db.session.scalars(select(PackagingPlan).order_by(PackagingPlan.id.desc())).all()
    return render_template("packages/plans.html", plans=rows)


@bp.route("/plans/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def plan_new():
    form = ComposeForm()
    form.branch.choices = branch_choices()[1:]
    if form.validate_on_submit():
        branch = db.session.scalar(select(Branch).where(Branch.code == form.branch.data))
        try:
            plan = services.compose_plan(branch, _me(), package_count=form.package_count.data,
                                         target_reserve_fen=form.target_reserve.data)
            db.session.commit()
            return redirect(url_for(".plan_detail", plan_id=plan.id))
        except services.PackagingError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    unpackaged = dict(db.session.execute(
        select(Branch.code, func.count(Loan.id)).join(Loan, Loan.branch_id == Branch.id)
        .where(Loan.package_id.is_(None)).group_by(Branch.code)).all())
    return render_template("packages/plan_new.html", form=form, unpackaged=unpackaged)


@bp.route("/plans/<int:plan_id>", methods=["GET", "POST"])
@roles_required(*DESK)
def plan_detail(plan_id: int):
    plan = db.get_or_404(PackagingPlan, plan_id)
    move, reject = MoveLoanForm(prefix="move"), RejectPlanForm(prefix="reject")
    move.to_package.choices = [(p.id, p.label) for p in plan.packages]
    if request.method == "POST":
        action = request.form.get("action")
        if action not in PLAN_ACTIONS:
            abort(400)
        role, form = PLAN_ACTIONS[action], {"move": move, "reject": reject}.get(action) or ConfirmForm()
        if not current_user.has_role(role):
            abort(403)
        if form.validate_on_submit():
            try:
                message = _do_plan_action(plan, action, move, reject)
                db.session.commit()
                flash(message, "success")
                return redirect(url_for(".plan_detail", plan_id=plan.id))
            except services.PackagingError as exc:
                db.session.rollback()
                flash(str(exc), "error")
    metrics = services.plan_metrics(plan)
    return render_template("packages/plan.html", plan=plan, metrics=metrics, move=move, reject=reject,
                           confirm=ConfirmForm(),
                           baseline=services.random_baseline(plan))


PLAN_ACTIONS = {"move": Role.ADMIN, "discard": Role.ADMIN, "approve": Role.COMMITTEE, "reject": Role.COMMITTEE}


def _do_plan_action(plan: PackagingPlan, action: str, move: MoveLoanForm, reject: RejectPlanForm) -> str:
    if action == "approve":
        return _("Approved and published %(n)d packages.", n=len(services.approve_plan(plan, _me())))
    if action == "reject":
        services.reject_plan(plan, _me(), reject.reason.data)
        return _("The plan was sent back to the package desk; its loans are unpackaged again.")
    if action == "discard":
        services.discard_plan(plan, _me())
        return _("The plan was discarded; its loans are unpackaged again.")
    loan = db.session.scalar(select(Loan).where(Loan.loan_no == move.loan_no.data.strip()))
    if loan is None:
        raise services.PackagingError(_("No loan has the number %(no)s.", no=move.loan_no.data))
    services.move_loan(loan, db.get_or_404(Package, move.to_package.data), _me())
    return _("Moved loan %(no)s.", no=loan.loan_no)


@bp.get("/plans/<int:plan_id>.xlsx")
@roles_required(*DESK)
def plan_export(plan_id: int):
    plan = db.get_or_404(PackagingPlan, plan_id)
    metrics = services.plan_metrics(plan)
    data = export.plan_xlsx(plan.packages, metrics.packages, mask_ids=not services.may_see_id_numbers(current_user))
    return _xlsx_response(data, f"plan-{plan.branch.code}-{plan.id}.xlsx")


# --- notice board (every signed-in employee) -------------------------------------------


@bp.get("/board")
@login_required
def notice_board():
    packages = db.session.scalars(
        select(Package).where(Package.status == PackageStatus.PUBLISHED).order_by(Package.number)).all()
    return render_template("packages/board.html", packages=packages)


@bp.get("/board/<number>")
@login_required
def published_package(number: str):
    package = db.session.scalar(select(Package).where(Package.number == number,
                                                      Package.status == PackageStatus.PUBLISHED))
    if package is None:
        abort(404)
    cutoff = services.package_cutoff(package)
    return render_template("packages/package.html", package=package, cutoff=cutoff,
                           profile=profile.package_profile(package.loans, cutoff),
                           id_number=lambda loan: services.mask_id_number(loan.id_number))


# --- stratification ----------------------------------------------------------------


@bp.get("/stratification")
@roles_required(*DESK)
def stratification():
    form = _loan_filter_form()
    loans = db.session.scalars(_filtered_loans(form)).all()
    as_of = max((loan.priced_on for loan in loans if loan.priced_on), default=date.today())
    return render_template("packages/stratification.html", form=form, as_of=as_of,
                           strata=profile.stratify(loans, as_of))
