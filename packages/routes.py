from flask import Blueprint, g, jsonify, render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from core.accounts.forms import branch_choices
from core.accounts.models import Role
from core.database import db, sum_fen
from core.money import to_decimal_string
from core.security import api_roles_required, roles_required
from packages import services
from packages.forms import LoanFilterForm
from packages.models import Loan

bp = Blueprint("packages", __name__, url_prefix="/packages", template_folder="templates")
api_bp = Blueprint("packages_api", __name__, url_prefix="/api/v1")


@bp.get("/")
@roles_required(Role.ADMIN, Role.COMMITTEE)
def index():
    form = LoanFilterForm(request.args)
    form.branch.choices = branch_choices()
    query = services.loan_query(branch_code=form.branch.data or None, search=(form.q.data or "").strip() or None)
    page = db.paginate(query, per_page=50)
    filtered = query.order_by(None).subquery()
    totals = db.session.execute(select(
        func.count(), sum_fen(filtered.c.principal_fen), sum_fen(filtered.c.interest_fen),
    )).one()
    return render_template("packages/loans.html", form=form, page=page, totals=totals,
                           id_number=lambda loan: services.visible_id_number(loan, current_user))


def loan_json(loan: Loan, viewer) -> dict:
    return {
        "loan_no": loan.loan_no,
        "borrower": loan.borrower,
        "id_number": services.visible_id_number(loan, viewer),
        "branch": loan.branch.code,
        "township": loan.township,
        "principal": to_decimal_string(loan.principal_fen),
        "interest": to_decimal_string(loan.interest_fen),
        "start_date": loan.start_date.isoformat(),
        "due_date": loan.due_date.isoformat(),
    }


@api_bp.get("/loans")
@api_roles_required(Role.ADMIN, Role.COMMITTEE)
def api_loans():
    query = services.loan_query(branch_code=request.args.get("branch") or None)
    page = db.paginate(query, per_page=100, max_per_page=500, error_out=False)
    return jsonify(
        items=[loan_json(loan, g.api_user) for loan in page.items],
        page=page.page, per_page=page.per_page, total=page.total,
    )
