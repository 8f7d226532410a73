"""Pricing: principal x ratio(class, age band), rounded half-up to whole yuan."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from core.database import ENUM_LABELS, LabelledEnum
from packages.grading import LoanClass

BASIS_POINTS = 10_000  # ratios are stored in basis points: 3000 = 30%


class AgeBand(LabelledEnum):
    UNDER_5 = "under_5"
    FROM_5_TO_10 = "5_to_10"
    FROM_10 = "10_plus"


ENUM_LABELS[AgeBand] = {
    AgeBand.UNDER_5: _l("Under 5 years"),
    AgeBand.FROM_5_TO_10: _l("5 to under 10 years"),
    AgeBand.FROM_10: _l("10 years or more"),
}

DEFAULT_RATIOS_BP: dict[tuple[LoanClass, AgeBand], int] = {
    (LoanClass.POTENTIAL, AgeBand.UNDER_5): 3000,
    (LoanClass.POTENTIAL, AgeBand.FROM_5_TO_10): 2000,
    (LoanClass.POTENTIAL, AgeBand.FROM_10): 1000,
    (LoanClass.HARD, AgeBand.UNDER_5): 600,
    (LoanClass.HARD, AgeBand.FROM_5_TO_10): 300,
    (LoanClass.HARD, AgeBand.FROM_10): 100,
}


def completed_years(start: date, on: date) -> int:
    """Whole years completed from `start` to `on` (a loan made on 29 Feb completes a year on 28 Feb)."""
    years = on.year - start.year
    anniversary_not_reached = (on.month, on.day) < (start.month, start.day)
    if anniversary_not_reached and not _is_feb29_on_feb28(start, on):
        years -= 1
    return max(years, 0)


def _is_feb29_on_feb28(start: date, on: date) -> bool:
    return (start.month, start.day) == (2, 29) and (on.month, on.day) == (2, 28) and not _leap(on.year)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def age_band(years: int) -> AgeBand:
    if years < 5:
        return AgeBand.UNDER_5
    if years < 10:
        return AgeBand.FROM_5_TO_10
    return AgeBand.FROM_10


def price_fen(principal_fen: int, ratio_bp: int) -> int:
    """principal x ratio rounded half-up to a whole yuan, in integer arithmetic."""
    if principal_fen < 0 or ratio_bp < 0:
        raise ValueError("principal and ratio must not be negative")
    yuan_times_bp = principal_fen * ratio_bp  # in units of fen * bp
    per_yuan = 100 * BASIS_POINTS
    return (2 * yuan_times_bp + per_yuan) // (2 * per_yuan) * 100


def ratio_for(ratios: dict[tuple[LoanClass, AgeBand], int], loan_class: LoanClass, start: date, on: date) -> int:
    return ratios[(loan_class, age_band(completed_years(start, on)))]
