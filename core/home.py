"""The signed-in landing page and the audit-trail viewer."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from core.accounts.models import Role
from core.audit import AuditEntry, entry_count, verify_chain
from core.database import db
from core.security import roles_required

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    return render_template("home.html")


@bp.get("/audit")
@roles_required(Role.AUDITOR, Role.ADMIN)
def audit_trail():
    query = select(AuditEntry).order_by(AuditEntry.seq.desc())
    if action := request.args.get("action", "").strip():
        query = query.where(AuditEntry.action.startswith(action))
    if actor := request.args.get("actor", "").strip():
        query = query.where(AuditEntry.actor_label == actor)
    page = db.paginate(query, per_page=50)
    return render_template("audit.html", page=page, action=action, actor=actor)


@bp.post("/audit/verify")
@roles_required(Role.AUDITOR, Role.ADMIN)
def audit_verify():
    problems = verify_chain()
    if problems:
        for problem in problems[:20]:
            flash(_("Entry %(seq)s: %(problem)s", seq=problem.seq or "-", problem=problem.message), "error")
    else:
        flash(_("The audit trail is intact: %(n)d entries verified.", n=entry_count()), "success")
    return redirect(url_for("home.audit_trail"))
