from flask import Blueprint, render_template

from core.accounts.models import Role
from core.security import roles_required

bp = Blueprint("contracts", __name__, url_prefix="/contracts", template_folder="templates")


@bp.get("/mine")
@roles_required(Role.EMPLOYEE)
def mine():
    return render_template("contracts/mine.html")


@bp.get("/audit-queue")
@roles_required(Role.AUDITOR)
def audit_queue():
    return render_template("contracts/audit_queue.html")
