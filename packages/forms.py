from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from core.fields import MoneyField
from packages.grading import LoanClass
from packages.pricing import BASIS_POINTS


def validate_not_future(form, field):
    if field.data and field.data > date.today():
        raise ValidationError(_l("The date cannot be in the future."))


class LoanFilterForm(FlaskForm):
    """GET filters on the loan list; no CSRF because it changes nothing."""

    class Meta:
        csrf = False

    branch = SelectField(_l("Branch"), choices=[], validate_choice=False)
    grade = SelectField(_l("Class"), choices=[SelectChoice("", _l("All classes"))]
                        + [SelectChoice(c.value, c.label) for c in LoanClass], validate_choice=False)
    unpackaged = BooleanField(_l("Only loans not in a package"))
    q = StringField(_l("Search"))


class ImportForm(FlaskForm):
    file = FileField(_l("Loan tape (.xlsx or .csv)"), validators=[
        FileRequired(_l("Choose the loan tape file.")),
        FileAllowed(["xlsx", "csv"], _l("Only .xlsx and .csv files can be imported.")),
    ])
    cutoff_date = DateField(_l("Cut-off date of the tape"), validators=[InputRequired(), validate_not_future])


class GradeOverrideForm(FlaskForm):
    grade = SelectField(_l("New class"), choices=[SelectChoice(c.value, c.label) for c in LoanClass])
    reason = TextAreaField(_l("Written reason"), validators=[DataRequired(), Length(max=2000)])


def parse_percent_bp(text: str) -> int:
    """"30", "30%", "2.5" -> basis points (3000, 3000, 250)."""
    cleaned = (text or "").strip().rstrip("%％").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(_l("Enter a percentage such as 30 or 2.5.")) from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise ValueError(_l("Enter a percentage with at most two decimals."))
    bp = int(value * 100)
    if not 0 <= bp <= BASIS_POINTS:
        raise ValueError(_l("A pricing ratio must be from 0 to 100 percent."))
    return bp


class PercentField(StringField):
    def process_formdata(self, valuelist):
        if valuelist:
            self.raw = valuelist[0]
            self.data = None
            self.data = parse_percent_bp(valuelist[0])

    def _value(self):
        if getattr(self, "raw", None) is not None:
            return self.raw
        return "" if self.data is None else f"{Decimal(self.data) / 100:f}".rstrip("0").rstrip(".")


class RepriceForm(FlaskForm):
    priced_on = DateField(_l("Pricing date"), validators=[InputRequired(), validate_not_future])


class ComposeForm(FlaskForm):
    branch = SelectField(_l("Branch"), choices=[], validators=[DataRequired()])
    package_count = IntegerField(_l("Number of packages"), validators=[Optional(), NumberRange(min=1, max=1000)])
    target_reserve = MoneyField(_l("Or: target reserve per package"), validators=[Optional()], allow_zero=False)

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if (self.package_count.data is None) == (self.target_reserve.data is None):
            self.package_count.errors.append(_l("Give either a number of packages or a target reserve, not both."))
            return False
        return True


class MoveLoanForm(FlaskForm):
    loan_no = StringField(_l("Loan number"), validators=[DataRequired()])
    to_package = SelectField(_l("Move to package"), choices=[], coerce=int)


class RejectPlanForm(FlaskForm):
    reason = TextAreaField(_l("Reason for sending the plan back"), validators=[DataRequired(), Length(max=2000)])


class ConfirmForm(FlaskForm):
    """A button that changes state: only the CSRF token."""
