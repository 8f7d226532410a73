from datetime import date

import pytest

from packages.grading import HARD_FACTS, LoanClass, grade, reason_labels
from packages.pricing import DEFAULT_RATIOS_BP, AgeBand, age_band, completed_years, price_fen, ratio_for

NO_FACTS = dict.fromkeys(HARD_FACTS, False)


def test_loan_without_hard_facts_has_recovery_potential():
    assert grade(NO_FACTS) == (LoanClass.POTENTIAL, ())


@pytest.mark.parametrize("fact", list(HARD_FACTS))
def test_each_hard_fact_alone_makes_the_loan_hard_and_is_the_only_reason(fact):
    assert grade({**NO_FACTS, fact: True}) == (LoanClass.HARD, (fact,))


def test_reasons_list_exactly_the_facts_that_fired():
    loan_class, reasons = grade({**NO_FACTS, "borrower_deceased": True, "guarantor_unable": True})
    assert loan_class == LoanClass.HARD
    assert reasons == ("borrower_deceased", "guarantor_unable")
    assert reason_labels(",".join(reasons)) == ["Borrower deceased", "Guarantor unable to pay"]


@pytest.mark.parametrize(
    ("start", "on", "years"),
    [
        (date(2021, 6, 1), date(2026, 5, 31), 4),   # 4 years 364 days
        (date(2021, 6, 1), date(2026, 6, 1), 5),    # exactly 5 years
        (date(2016, 6, 1), date(2026, 5, 31), 9),
        (date(2016, 6, 1), date(2026, 6, 1), 10),
        (date(2020, 2, 29), date(2025, 2, 28), 5),  # leap-day loan completes on 28 Feb
        (date(2020, 2, 29), date(2024, 2, 28), 3),  # leap year: 29 Feb still to come
        (date(2026, 6, 1), date(2026, 1, 1), 0),    # never negative
    ],
)
def test_completed_years(start, on, years):
    assert completed_years(start, on) == years


@pytest.mark.parametrize(
    ("years", "band"),
    [(0, AgeBand.UNDER_5), (4, AgeBand.UNDER_5), (5, AgeBand.FROM_5_TO_10),
     (9, AgeBand.FROM_5_TO_10), (10, AgeBand.FROM_10), (30, AgeBand.FROM_10)],
)
def test_age_bands(years, band):
    assert age_band(years) == band


def test_default_table_is_the_banks():
    assert DEFAULT_RATIOS_BP[(LoanClass.POTENTIAL, AgeBand.UNDER_5)] == 3000
    assert DEFAULT_RATIOS_BP[(LoanClass.HARD, AgeBand.FROM_10)] == 100
    assert len(DEFAULT_RATIOS_BP) == 6


@pytest.mark.parametrize(
    ("principal_fen", "ratio_bp", "expected_fen"),
    [
        (100_000_00, 3000, 30_000_00),
        (12_345_67, 3000, 3_704_00),   # 3,703.701 yuan -> 3,704
        (5_00, 3000, 2_00),            # 1.50 yuan rounds half up to 2
        (4_99, 3000, 1_00),            # 1.497 -> 1
        (1_00, 100, 0),                # 0.01 yuan -> 0
        (50_00, 100, 1_00),            # 0.50 -> 1 (half up)
        (0, 3000, 0),
    ],
)
def test_price_is_principal_times_ratio_rounded_half_up_to_yuan(principal_fen, ratio_bp, expected_fen):
    assert price_fen(principal_fen, ratio_bp) == expected_fen


def test_pricing_at_the_five_year_boundary_changes_the_ratio():
    start = date(2021, 6, 1)
    assert ratio_for(DEFAULT_RATIOS_BP, LoanClass.POTENTIAL, start, date(2026, 5, 31)) == 3000
    assert ratio_for(DEFAULT_RATIOS_BP, LoanClass.POTENTIAL, start, date(2026, 6, 1)) == 2000
    assert ratio_for(DEFAULT_RATIOS_BP, LoanClass.HARD, start, date(2026, 6, 1)) == 300


def test_negative_inputs_are_refused():
    with pytest.raises(ValueError):
        price_fen(-1, 3000)
