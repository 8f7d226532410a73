from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField


class LoanFilterForm(FlaskForm):
    """GET filters on the loan list; no CSRF because it changes nothing."""

    class Meta:
        csrf = False

    branch = SelectField(_l("Branch"), choices=[], validate_choice=False)
    q = StringField(_l("Search"))
