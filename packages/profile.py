"""Package profiles and tape stratification: pure figures over loan-like objects.

Nothing here touches the database or needs a Flask app. A "loan" is anything with
the attributes of `packages.models.Loan` used below (an ORM object, a dataclass,
a SimpleNamespace). Money stays int fen; shares are int basis points.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from core.database import LabelledEnum
from packages.grading import LoanClass
from packages.models import GuaranteeType, LitigationStatus
from packages.pricing import BASIS_POINTS, AgeBand, age_band, completed_years

Label = str | LazyString

NO_TOWNSHIP_LABEL = _l("No township")
TOTAL_LABEL = _l("Total")

# Average ages are in years of 365.25 days (1461 days per 4 years), kept as exact fractions.
_DAYS_PER_4_YEARS = 1461


class AmountBand(NamedTuple):
    """Principal from `lower_fen` (inclusive) to `upper_fen` (exclusive; None = no upper bound)."""

    lower_fen: int
    upper_fen: int | None
    label: Label

    @property
    def key(self) -> str:
        return f"{self.lower_fen}-{'' if self.upper_fen is None else self.upper_fen}"


_WAN = 1_000_000  # 1万 yuan in fen

AMOUNT_BANDS: list[AmountBand] = [
    AmountBand(0, 1 * _WAN, _l("Under 10,000 yuan")),
    AmountBand(1 * _WAN, 5 * _WAN, _l("10,000 to under 50,000 yuan")),
    AmountBand(5 * _WAN, 10 * _WAN, _l("50,000 to under 100,000 yuan")),
    AmountBand(10 * _WAN, 50 * _WAN, _l("100,000 to under 500,000 yuan")),
    AmountBand(50 * _WAN, None, _l("500,000 yuan or more")),
]
_BAND_LOWERS = [band.lower_fen for band in AMOUNT_BANDS]


@dataclass(frozen=True, slots=True)
class Bucket:
    """One row of a breakdown. `key` is the enum member, band key or township name;
    `label` may be a lazy string, translated when rendered."""

    key: str
    label: Label
    count: int
    principal_fen: int
    price_fen: int
    share_bp: int  # this bucket's principal as basis points of the whole set's principal


@dataclass(frozen=True, slots=True)
class PackageProfile:
    """What a professional NPL listing shows for one package (or any set of loans)."""

    as_of: date
    loan_count: int
    borrower_count: int
    principal_fen: int
    interest_fen: int
    reserve_fen: int  # sum of the loans' prices
    reserve_bp: int  # reserve as basis points of principal
    townships: tuple[Bucket, ...]  # sorted by name; loans without a township last
    by_class: tuple[Bucket, ...]  # enum order, present members only
    by_guarantee: tuple[Bucket, ...]
    by_litigation: tuple[Bucket, ...]
    avg_age_years: Decimal  # principal-weighted, start date to as_of, one decimal
    avg_overdue_years: Decimal  # principal-weighted, due date to as_of (0 if not yet due), one decimal
    largest_principal_fen: int
    largest_share_bp: int  # concentration: the largest loan's share of principal

    @property
    def township_count(self) -> int:
        return len(self.townships)


@dataclass(frozen=True, slots=True)
class Stratification:
    """Breakdowns of a tape. Class, age and amount bands list every band, zero rows
    included, so tables and charts of different tapes line up; townships list present ones."""

    as_of: date
    by_class: tuple[Bucket, ...]
    by_age_band: tuple[Bucket, ...]
    by_amount_band: tuple[Bucket, ...]
    by_township: tuple[Bucket, ...]
    total: Bucket


# --- helpers ------------------------------------------------------------------------


def basis_points(part: int, whole: int) -> int:
    """part / whole in basis points, rounded half up; 0 when whole is 0."""
    if whole <= 0:
        return 0
    return (2 * part * BASIS_POINTS + whole) // (2 * whole)


def amount_band(principal_fen: int) -> AmountBand:
    return AMOUNT_BANDS[max(bisect_right(_BAND_LOWERS, principal_fen) - 1, 0)]


class _Sums:
    """Mutable accumulator for one bucket while scanning loans."""

    __slots__ = ("count", "principal", "price")

    def __init__(self) -> None:
        self.count = self.principal = self.price = 0

    def add(self, principal: int, price: int) -> None:
        self.count += 1
        self.principal += principal
        self.price += price


def _add(groups: dict[Hashable, _Sums], key: Hashable, principal: int, price: int) -> None:
    sums = groups.get(key)
    if sums is None:
        sums = groups[key] = _Sums()
    sums.add(principal, price)


def _bucket(key: str, label: Label, sums: _Sums | None, total_principal: int) -> Bucket:
    sums = sums or _Sums()
    return Bucket(key, label, sums.count, sums.principal, sums.price,
                  basis_points(sums.principal, total_principal))


def _enum_buckets(enum_cls: type[LabelledEnum], groups: dict[Hashable, _Sums], total: int,
                  *, keep_empty: bool) -> tuple[Bucket, ...]:
    # A StrEnum member hashes like its value, so groups keyed by plain strings match too.
    return tuple(_bucket(member, member.label, groups.get(member), total)
                 for member in enum_cls if keep_empty or member in groups)


def _township_buckets(groups: dict[Hashable, _Sums], total: int) -> tuple[Bucket, ...]:
    named = sorted(name for name in groups if name)
    rows = [_bucket(name, name, groups[name], total) for name in named]
    if "" in groups:
        rows.append(_bucket("", NO_TOWNSHIP_LABEL, groups[""], total))
    return tuple(rows)


def _township_key(loan: Any) -> str:
    return (loan.township or "").strip()


def _weighted_years(weighted_days: int, total_principal: int) -> Decimal:
    """sum(principal x days) / total principal in years, rounded half up to one decimal."""
    if total_principal <= 0:
        return Decimal("0.0")
    numerator = 4 * 10 * weighted_days  # in tenths of a year: days x 4 / 1461 x 10
    denominator = _DAYS_PER_4_YEARS * total_principal
    tenths = (2 * numerator + denominator) // (2 * denominator)
    return Decimal(tenths).scaleb(-1)


# --- package profile ----------------------------------------------------------------


def package_profile(loans: Iterable[Any], as_of: date) -> PackageProfile:
    loans = list(loans)
    by_class: dict[Hashable, _Sums] = {}
    by_guarantee: dict[Hashable, _Sums] = {}
    by_litigation: dict[Hashable, _Sums] = {}
    townships: dict[Hashable, _Sums] = {}
    borrowers: set[tuple[str, str]] = set()
    interest = largest = age_days = overdue_days = 0
    day = as_of.toordinal()
    for loan in loans:
        principal, price = loan.principal_fen, loan.price_fen
        _add(by_class, loan.grade, principal, price)
        _add(by_guarantee, loan.guarantee_type, principal, price)
        _add(by_litigation, loan.litigation_status, principal, price)
        _add(townships, _township_key(loan), principal, price)
        borrowers.add(_borrower_key(loan))
        interest += loan.interest_fen
        largest = max(largest, principal)
        age_days += principal * max(day - loan.start_date.toordinal(), 0)
        overdue_days += principal * max(day - loan.due_date.toordinal(), 0)
    principal = sum(loan.principal_fen for loan in loans)
    reserve = sum(loan.price_fen for loan in loans)
    return PackageProfile(
        as_of=as_of, loan_count=len(loans), borrower_count=len(borrowers),
        principal_fen=principal, interest_fen=interest,
        reserve_fen=reserve, reserve_bp=basis_points(reserve, principal),
        townships=_township_buckets(townships, principal),
        by_class=_enum_buckets(LoanClass, by_class, principal, keep_empty=False),
        by_guarantee=_enum_buckets(GuaranteeType, by_guarantee, principal, keep_empty=False),
        by_litigation=_enum_buckets(LitigationStatus, by_litigation, principal, keep_empty=False),
        avg_age_years=_weighted_years(age_days, principal),
        avg_overdue_years=_weighted_years(overdue_days, principal),
        largest_principal_fen=largest, largest_share_bp=basis_points(largest, principal),
    )


def _borrower_key(loan: Any) -> tuple[str, str]:
    """One borrower = same name and ID number; without an ID number, the name alone."""
    return (loan.borrower or "").strip(), (loan.id_number or "").strip().upper()


# --- stratification -----------------------------------------------------------------


def stratify(loans: Iterable[Any], as_of: date) -> Stratification:
    by_class: dict[Hashable, _Sums] = {}
    by_age: dict[Hashable, _Sums] = {}
    by_amount: dict[Hashable, _Sums] = {}
    townships: dict[Hashable, _Sums] = {}
    total = _Sums()
    bands_by_start: dict[date, AgeBand] = {}  # tapes repeat start dates; avoid recomputing
    for loan in loans:
        principal, price, start = loan.principal_fen, loan.price_fen, loan.start_date
        band = bands_by_start.get(start)
        if band is None:
            band = bands_by_start[start] = age_band(completed_years(start, as_of))
        _add(by_class, loan.grade, principal, price)
        _add(by_age, band, principal, price)
        _add(by_amount, amount_band(principal).lower_fen, principal, price)
        _add(townships, _township_key(loan), principal, price)
        total.add(principal, price)
    whole = total.principal
    return Stratification(
        as_of=as_of,
        by_class=_enum_buckets(LoanClass, by_class, whole, keep_empty=True),
        by_age_band=_enum_buckets(AgeBand, by_age, whole, keep_empty=True),
        by_amount_band=_amount_buckets(by_amount, whole),
        by_township=_township_buckets(townships, whole),
        total=_bucket("total", TOTAL_LABEL, total, whole),
    )


def _amount_buckets(groups: dict[Hashable, _Sums], total: int) -> tuple[Bucket, ...]:
    return tuple(_bucket(band.key, band.label, groups.get(band.lower_fen), total) for band in AMOUNT_BANDS)


__all__ = [
    "AMOUNT_BANDS", "AmountBand", "Bucket", "PackageProfile", "Stratification",
    "amount_band", "basis_points", "package_profile", "stratify",
]
