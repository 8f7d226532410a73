from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from core import audit
from core.accounts import services
from core.accounts.forms import LoginForm, PasswordChangeForm, UserForm, branch_choices
from core.accounts.models import Role, User
from core.database import db
from core.extensions import limiter
from core.security import roles_required

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/"):
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is None:
            audit.record("auth.login_failed", actor_label=form.username.data[:120],
                         object_type="users", object_id=form.username.data[:64])
            db.session.commit()
            flash(_("Wrong username or password."), "error")
        else:
            session.clear()
            login_user(user)
            session.permanent = True
            if user.locale:
                session["locale"] = user.locale
            audit.record("auth.login", user, actor=user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    audit.record("auth.logout", current_user._get_current_object())
    db.session.commit()
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
    return redirect(url_for("accounts.login"))


@bp.post("/language")
def set_language():
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if services.authenticate(user.username, form.current_password.data) is None:
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            services.set_password(user, form.new_password.data)
            db.session.commit()
            flash(_("Your password was changed."), "success")
            return redirect(url_for("home.index"))
    return render_template("accounts/password.html", form=form)


# --- user administration (package desk administrators) ------------------------


@bp.get("/admin/users")
@roles_required(Role.ADMIN)
def user_list():
    query = select(User).order_by(User.branch_id, User.employee_no, User.username)
    if q := request.args.get("q", "").strip():
        like = f"%{q}%"
        query = query.where(User.name.ilike(like) | User.username.ilike(like) | User.employee_no.ilike(like))
    page = db.paginate(query, per_page=50)
    return render_template("accounts/users.html", page=page, q=q,
                           ineligible=services.bidding_ineligibility_reason)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_edit(user_id: int | None = None):
    user = db.get_or_404(User, user_id) if user_id else None
    form = UserForm(obj=user)
    form.branch.choices = branch_choices()
    if user is not None and request.method == "GET":
        form.branch.data = user.branch.code if user.branch else ""
        form.position.data, form.status.data = user.position.value, user.status.value
        form.roles.data = sorted(r.value for r in user.roles)
    if user is None and request.method == "POST" and not form.password.data:
        form.password.errors = [_("An initial password is required.")]
    elif form.validate_on_submit():
        try:
            if user is None:
                user = services.create_user(services.UserData(
                    username=form.username.data, name=form.name.data, password=form.password.data,
                    roles=set(form.roles.data), branch_code=form.branch.data or None,
                    position=form.position.data, status=form.status.data,
                    employee_no=form.employee_no.data,
                ))
            else:
                services.update_user(
                    user, name=form.name.data, branch_code=form.branch.data or None,
                    position=form.position.data, status=form.status.data, roles=set(form.roles.data),
                    employee_no=form.employee_no.data, changed_by=current_user._get_current_object(),
                )
                if form.password.data:
                    services.set_password(user, form.password.data, reason="user.password_reset")
            db.session.commit()
            flash(_("Saved %(user)s.", user=user.name), "success")
            return redirect(url_for("accounts.user_list"))
        except services.AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    return render_template("accounts/user_edit.html", form=form, user=user)
