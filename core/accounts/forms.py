from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import PasswordField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.accounts.models import Branch, EmploymentStatus, Position, Role
from core.database import db


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choices(enum_cls):
    return [SelectChoice(member.value, member.label) for member in enum_cls]


def branch_choices() -> list[SelectChoice]:
    """Every branch, plus an empty first option meaning "none" or "all"."""
    branches = db.session.scalars(select(Branch).order_by(Branch.code)).all()
    return [SelectChoice("", "—")] + [SelectChoice(b.code, f"{b.code} {b.name}") for b in branches]


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    employee_no = StringField(_l("Employee number"), validators=[Optional(), Length(max=32)])
    branch = SelectField(_l("Branch"), choices=[], validate_choice=True)
    position = SelectField(_l("Position"), choices=_choices(Position))
    status = SelectField(_l("Employment status"), choices=_choices(EmploymentStatus))
    roles = MultiCheckboxField(
        _l("Roles"),
        choices=_choices(Role),
        validators=[DataRequired(message=_l("Choose at least one role."))],
    )
    password = PasswordField(_l("Initial password"), validators=[Optional(), Length(min=8)])
