"""Package profile and stratification: pure functions over loan-like objects (no app, no DB)."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from packages.grading import LoanClass
from packages.models import GuaranteeType, LitigationStatus
from packages.pricing import AgeBand
from packages.profile import (
    AMOUNT_BANDS, Bucket, amount_band, basis_points, package_profile, stratify,
)

AS_OF = date(2026, 1, 1)
ID_ZHANG = "430124198001011234"


@dataclass(frozen=True)
class FakeLoan:
    loan_no: str = "L1"
    borrower: str = "张三"
    id_number: str | None = ID_ZHANG
    township: str | None = "永安镇"
    principal_fen: int = 1_000_000
    interest_fen: int = 0
    price_fen: int = 0
    grade: LoanClass = LoanClass.POTENTIAL
    guarantee_type: GuaranteeType = GuaranteeType.CREDIT
    litigation_status: LitigationStatus = LitigationStatus.NOT_SUED
    start_date: date = date(2020, 1, 1)
    due_date: date = date(2021, 1, 1)


def three_loans() -> list[FakeLoan]:
    return [
        FakeLoan("A", "张三", ID_ZHANG, "永安镇", 1_000_000, 50_000, 300_000, LoanClass.POTENTIAL,
                 GuaranteeType.CREDIT, LitigationStatus.NOT_SUED, date(2016, 1, 1), date(2017, 1, 1)),
        FakeLoan("B", "张三", ID_ZHANG, "永安镇", 3_000_000, 0, 90_000, LoanClass.HARD,
                 GuaranteeType.MORTGAGE, LitigationStatus.ENFORCEMENT_TERMINATED, date(2021, 1, 1), date(2022, 1, 1)),
        FakeLoan("C", "李四", None, "古港镇", 6_000_000, 10_000, 1_200_000, LoanClass.POTENTIAL,
                 GuaranteeType.CREDIT, LitigationStatus.IN_SUIT, date(2024, 1, 1), date(2026, 6, 30)),
    ]


def rows(buckets) -> list[tuple]:
    return [(b.key, str(b.label), b.count, b.principal_fen, b.price_fen, b.share_bp) for b in buckets]


# --- package profile ------------------------------------------------------------------


def test_profile_totals_of_three_loans():
    p = package_profile(three_loans(), AS_OF)
    assert p.as_of == AS_OF
    assert (p.loan_count, p.borrower_count) == (3, 2)  # A and B are the same borrower
    assert (p.principal_fen, p.interest_fen, p.reserve_fen) == (10_000_000, 60_000, 1_590_000)
    assert p.reserve_bp == 1590  # 15.90% of principal
    assert (p.largest_principal_fen, p.largest_share_bp) == (6_000_000, 6000)


def test_profile_principal_weighted_ages_by_hand():
    p = package_profile(three_loans(), date(2026, 4, 1))
    # Days from start to 2026-04-01: A 3743, B 1916, C 821; weights 1:3:6 (1万, 3万, 6万 yuan).
    # (3743 + 3*1916 + 6*821) / 10 = 1441.7 days = 3.947 years of 365.25 days -> 3.9
    # (averaging whole completed years instead would give (10 + 3*5 + 6*2) / 10 = 3.7)
    assert p.avg_age_years == Decimal("3.9")
    assert str(p.avg_age_years) == "3.9"
    # Days overdue: A 3377, B 1551, C not yet due = 0; (3377 + 3*1551) / 10 = 803 days = 2.198 -> 2.2
    assert p.avg_overdue_years == Decimal("2.2")


def test_average_age_rounds_half_up_exactly():
    # 1 fen aged exactly 4 years (1461 days) and 79 fen aged 0: 1461 / 80 days = 0.05 years exactly.
    loans = [FakeLoan(principal_fen=1, start_date=AS_OF - timedelta(days=1461), due_date=AS_OF + timedelta(days=1)),
             FakeLoan(principal_fen=79, start_date=AS_OF, due_date=AS_OF + timedelta(days=1))]
    p = package_profile(loans, AS_OF)
    assert p.avg_age_years == Decimal("0.1")
    assert p.avg_overdue_years == Decimal("0.0")


def test_profile_townships_sorted_with_counts_and_principal():
    p = package_profile(three_loans(), AS_OF)
    assert p.township_count == 2
    assert rows(p.townships) == [
        ("古港镇", "古港镇", 1, 6_000_000, 1_200_000, 6000),
        ("永安镇", "永安镇", 2, 4_000_000, 390_000, 4000),
    ]


def test_profile_breakdowns_in_enum_order_with_present_members_only():
    p = package_profile(three_loans(), AS_OF)
    assert rows(p.by_class) == [
        (LoanClass.POTENTIAL, "Has recovery potential", 2, 7_000_000, 1_500_000, 7000),
        (LoanClass.HARD, "Hard to recover", 1, 3_000_000, 90_000, 3000),
    ]
    assert rows(p.by_guarantee) == [
        (GuaranteeType.CREDIT, "Credit", 2, 7_000_000, 1_500_000, 7000),
        (GuaranteeType.MORTGAGE, "Mortgage", 1, 3_000_000, 90_000, 3000),
    ]
    # Input order is A (not sued), B (terminated), C (in suit); output follows the enum.
    assert [b.key for b in p.by_litigation] == [
        LitigationStatus.NOT_SUED, LitigationStatus.IN_SUIT, LitigationStatus.ENFORCEMENT_TERMINATED]
    assert [b.count for b in p.by_litigation] == [1, 1, 1]


def test_borrowers_are_name_plus_id_number_or_name_alone():
    loans = [
        FakeLoan(borrower="王五", id_number="43012419800101123x"),
        FakeLoan(borrower=" 王五", id_number="43012419800101123X"),  # same person, typed differently
        FakeLoan(borrower="王五", id_number="430124199001011111"),  # namesake with another ID
        FakeLoan(borrower="赵六", id_number=None),
        FakeLoan(borrower="赵六", id_number=""),
    ]
    assert package_profile(loans, AS_OF).borrower_count == 3


def test_profile_of_no_loans_is_all_zero():
    p = package_profile([], AS_OF)
    assert (p.loan_count, p.borrower_count, p.principal_fen, p.interest_fen, p.reserve_fen) == (0, 0, 0, 0, 0)
    assert (p.reserve_bp, p.largest_principal_fen, p.largest_share_bp) == (0, 0, 0)
    assert p.townships == p.by_class == p.by_guarantee == p.by_litigation == ()
    assert (p.avg_age_years, p.avg_overdue_years) == (Decimal("0.0"), Decimal("0.0"))


def test_profile_of_zero_principal_loans_does_not_divide_by_zero():
    p = package_profile([FakeLoan(principal_fen=0), FakeLoan(principal_fen=0)], AS_OF)
    assert (p.loan_count, p.reserve_bp, p.largest_share_bp, p.avg_age_years) == (2, 0, 0, Decimal("0.0"))
    assert p.by_class[0].share_bp == 0


def test_profile_is_frozen_and_accepts_a_generator():
    p = package_profile((loan for loan in three_loans()), AS_OF)
    assert p.loan_count == 3
    with pytest.raises(AttributeError):
        p.loan_count = 4  # type: ignore[misc]


def test_loans_without_township_come_last_under_a_label():
    loans = [FakeLoan(township=None), FakeLoan(township="  "), FakeLoan(township="古港镇")]
    assert rows(package_profile(loans, AS_OF).townships) == [
        ("古港镇", "古港镇", 1, 1_000_000, 0, 3333),
        ("", "No township", 2, 2_000_000, 0, 6667),
    ]


# --- amount bands -----------------------------------------------------------------------


@pytest.mark.parametrize(("principal_fen", "label"), [
    (0, "Under 10,000 yuan"),
    (999_999, "Under 10,000 yuan"),
    (1_000_000, "10,000 to under 50,000 yuan"),  # exactly 1万 yuan
    (4_999_999, "10,000 to under 50,000 yuan"),
    (5_000_000, "50,000 to under 100,000 yuan"),
    (9_999_999, "50,000 to under 100,000 yuan"),
    (10_000_000, "100,000 to under 500,000 yuan"),
    (49_999_999, "100,000 to under 500,000 yuan"),
    (50_000_000, "500,000 yuan or more"),
    (10**13, "500,000 yuan or more"),
])
def test_amount_band_boundaries(principal_fen, label):
    assert str(amount_band(principal_fen).label) == label


def test_amount_bands_are_contiguous_fen_ranges():
    assert [(b.lower_fen, b.upper_fen) for b in AMOUNT_BANDS] == [
        (0, 1_000_000), (1_000_000, 5_000_000), (5_000_000, 10_000_000), (10_000_000, 50_000_000), (50_000_000, None)]
    assert [b.key for b in AMOUNT_BANDS] == [
        "0-1000000", "1000000-5000000", "5000000-10000000", "10000000-50000000", "50000000-"]


# --- stratification -------------------------------------------------------------------------


def started(years_before: int, days_before: int = 0) -> date:
    """A start date that many years and days before 2026-06-01."""
    return date(2026 - years_before, 6, 1) - timedelta(days=days_before)


def strata_loans() -> list[FakeLoan]:
    return [
        # 4 years 364 days old: still under 5 years
        FakeLoan("S1", principal_fen=999_999, price_fen=300_000, start_date=started(5, -1), township="永安镇"),
        # exactly 5 years
        FakeLoan("S2", principal_fen=1_000_000, price_fen=200_000, start_date=started(5), township="永安镇"),
        FakeLoan("S3", principal_fen=50_000_000, price_fen=500_000, grade=LoanClass.HARD,
                 start_date=started(10), township="古港镇"),
        FakeLoan("S4", principal_fen=8_000_001, price_fen=0, grade=LoanClass.HARD,
                 start_date=started(10, 1), township=None),
    ]


def test_stratify_by_class_and_total():
    s = stratify(strata_loans(), date(2026, 6, 1))
    total = 60_000_000
    assert s.as_of == date(2026, 6, 1)
    assert rows(s.by_class) == [
        (LoanClass.POTENTIAL, "Has recovery potential", 2, 1_999_999, 500_000, 333),
        (LoanClass.HARD, "Hard to recover", 2, 58_000_001, 500_000, 9667),
    ]
    assert s.total == Bucket("total", s.total.label, 4, total, 1_000_000, 10_000)
    assert str(s.total.label) == "Total"


def test_stratify_by_age_band_at_the_band_boundaries():
    s = stratify(strata_loans(), date(2026, 6, 1))
    assert [(b.key, b.count, b.principal_fen) for b in s.by_age_band] == [
        (AgeBand.UNDER_5, 1, 999_999),
        (AgeBand.FROM_5_TO_10, 1, 1_000_000),
        (AgeBand.FROM_10, 2, 58_000_001),
    ]


def test_stratify_lists_every_amount_band_including_empty_ones():
    s = stratify(strata_loans(), date(2026, 6, 1))
    assert rows(s.by_amount_band) == [
        ("0-1000000", "Under 10,000 yuan", 1, 999_999, 300_000, 167),
        ("1000000-5000000", "10,000 to under 50,000 yuan", 1, 1_000_000, 200_000, 167),
        ("5000000-10000000", "50,000 to under 100,000 yuan", 1, 8_000_001, 0, 1333),
        ("10000000-50000000", "100,000 to under 500,000 yuan", 0, 0, 0, 0),
        ("50000000-", "500,000 yuan or more", 1, 50_000_000, 500_000, 8333),
    ]


def test_stratify_by_township():
    s = stratify(strata_loans(), date(2026, 6, 1))
    assert rows(s.by_township) == [
        ("古港镇", "古港镇", 1, 50_000_000, 500_000, 8333),
        ("永安镇", "永安镇", 2, 1_999_999, 500_000, 333),
        ("", "No township", 1, 8_000_001, 0, 1333),
    ]


def test_stratify_nothing_gives_zero_rows_and_no_division_by_zero():
    s = stratify([], AS_OF)
    assert [(b.count, b.principal_fen, b.price_fen, b.share_bp) for b in s.by_class] == [(0, 0, 0, 0)] * 2
    assert [b.key for b in s.by_age_band] == list(AgeBand)
    assert [b.count for b in s.by_amount_band] == [0] * 5
    assert s.by_township == ()
    assert (s.total.count, s.total.principal_fen, s.total.price_fen, s.total.share_bp) == (0, 0, 0, 0)


def test_stratify_accepts_plain_string_enum_values():
    loan = replace(FakeLoan(), grade="hard")  # e.g. a row fetched without the ORM's enum conversion
    assert [b.count for b in stratify([loan], AS_OF).by_class] == [0, 1]


@pytest.mark.parametrize(("part", "whole", "bp"), [
    (1, 3, 3333), (2, 3, 6667), (1, 20_000, 1), (1, 20_001, 0), (5, 5, 10_000), (7, 0, 0)])
def test_basis_points_round_half_up(part, whole, bp):
    assert basis_points(part, whole) == bp


def test_stratify_100k_loans_in_under_a_second():
    rng = random.Random(7)
    classes, townships = list(LoanClass), [f"镇{i}" for i in range(40)]
    loans = [FakeLoan(f"L{i}", principal_fen=rng.randrange(1, 80_000_000), price_fen=rng.randrange(0, 1_000_000),
                      grade=rng.choice(classes), township=rng.choice(townships),
                      start_date=date(2000, 1, 1) + timedelta(days=rng.randrange(9000)))
             for i in range(100_000)]
    cpu_before = time.process_time()
    s = stratify(loans, AS_OF)
    elapsed = time.process_time() - cpu_before
    assert s.total.count == 100_000
    assert sum(b.principal_fen for b in s.by_amount_band) == s.total.principal_fen
    assert elapsed < 1.0
