from flask import Blueprint, render_template

from core.accounts.models import Role
from core.security import roles_required

bp = Blueprint("payouts", __name__, url_prefix="/finance", template_folder="templates")


@bp.get("/")
@roles_required(Role.FINANCE)
def finance():
    return render_template("payouts/finance.html")
