"""Rules for bundling loans into packages (packages/bundling.py), checked on seeded synthetic branches."""
from __future__ import annotations

import math
import random
from collections import Counter
from fractions import Fraction
from functools import cache

import pytest

from packages.bundling import (
    BundleLoan,
    BundlingError,
    package_metrics,
    plan_metrics,
    plan_packages,
    random_township_baseline,
)

TOWNS = ["大瑶镇", "永安镇", "镇头镇", "沙市镇", "古港镇", "官渡镇", "文家市镇", "张坊镇"]
VILLAGES = ["新华村", "南山村", "杨花村", "白沙村", "枫林村",
            "石塘村", "金鸡村", "荷花村", "龙泉村", "双江村"]


def make_loans(n: int, seed: int, *, villages_per_town: int = 5, start_id: int = 1) -> list[BundleLoan]:
    """A branch: 8 towns of `villages_per_town` villages each, of uneven size; log-normal prices
    from 300 to 150,000 yuan; about 80% potential, varying a little by village."""
    rng = random.Random(seed)
    townships = [town + village for town in TOWNS for village in rng.sample(VILLAGES, villages_per_town)]
    sizes = [rng.uniform(0.4, 1.6) for _ in townships]
    rates = [min(0.95, max(0.6, rng.gauss(0.8, 0.05))) for _ in townships]
    loans = []
    for offset, t in enumerate(rng.choices(range(len(townships)), weights=sizes, k=n)):
        price = min(150_000_00, max(300_00, round(math.exp(rng.gauss(math.log(8_000_00), 1.1)))))
        loans.append(BundleLoan(start_id + offset, price, townships[t], rng.random() < rates[t]))
    return loans


DATASETS = [(200, 5, 1), (200, 5, 2), (200, 5, 3), (2_000, 20, 1), (2_000, 20, 2), (20_000, 80, 1)]
LARGE = [d for d in DATASETS if d[0] >= 2_000]


@cache
def planned(n: int, packages: int, seed: int) -> tuple[list[BundleLoan], list[list[BundleLoan]]]:
    loans = make_loans(n, seed)
    return loans, plan_packages(loans, package_count=packages)


def ids(packages: list[list[BundleLoan]]) -> list[list[int]]:
    return [[loan.id for loan in package] for package in packages]


# --- the five goals, on generated branches ---------------------------------------------------


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_loan_lands_in_exactly_one_package(dataset):
    loans, packages = planned(*dataset)
    assert len(packages) == dataset[1]
    assert all(packages)
    placed = Counter(loan.id for package in packages for loan in package)
    assert placed == Counter(loan.id for loan in loans)
    assert max(placed.values()) == 1


@pytest.mark.parametrize("dataset", DATASETS)
def test_reserves_are_balanced_within_two_percent(dataset):
    _, packages = planned(*dataset)
    assert plan_metrics(packages).spread <= 0.02


@pytest.mark.parametrize("dataset", LARGE)
def test_reserves_are_balanced_well_under_one_percent_on_realistic_branches(dataset):
    _, packages = planned(*dataset)
    assert plan_metrics(packages).spread < 0.005


@pytest.mark.parametrize("dataset", DATASETS)
def test_packages_cover_far_fewer_townships_than_random(dataset):
    n, count, seed = dataset
    loans, packages = planned(*dataset)
    mean = plan_metrics(packages).mean_townships
    assert mean <= (0.6 if n < 2_000 else 0.2) * random_township_baseline(loans, count, seed)
    # and not far above cutting the township sequence into contiguous runs, the least a balanced plan needs
    townships = len({loan.township for loan in loans})
    assert mean <= (1.75 if n < 2_000 else 1.5) * (count + townships - 1) / count


@pytest.mark.parametrize("dataset", DATASETS)
def test_potential_share_within_ten_points_of_pool(dataset):
    _, packages = planned(*dataset)
    assert plan_metrics(packages).max_mix_deviation_pp <= 10


@pytest.mark.parametrize("dataset", DATASETS)
def test_loan_counts_within_twenty_percent(dataset):
    _, packages = planned(*dataset)
    assert plan_metrics(packages).count_spread <= 0.2


def test_mix_is_repaired_when_villages_differ_sharply():
    # Half the villages mostly hard to recover: packages of one village would be far off the pool.
    loans = [BundleLoan(loan.id, loan.price_fen, loan.township,
                        random.Random(loan.id).random() < (0.4 if loan.township[:3] in TOWNS[:4] else 0.95))
             for loan in make_loans(4_000, 7)]
    metrics = plan_metrics(plan_packages(loans, package_count=20))
    assert metrics.max_mix_deviation_pp <= 10
    assert metrics.spread <= 0.02
    assert metrics.mean_townships <= 0.3 * random_township_baseline(loans, 20)


# --- determinism ---------------------------------------------------------------------------------


def test_same_loans_give_the_same_plan():
    loans = make_loans(2_000, 5)
    first = plan_packages(loans, package_count=20)
    again = plan_packages(list(loans), package_count=20)
    assert ids(first) == ids(again)


def test_the_loans_given_are_left_unchanged():
    loans = make_loans(300, 6)
    before = list(loans)
    plan_packages(loans, package_count=6)
    assert loans == before


def test_packages_come_in_township_order_with_loans_sorted_inside():
    _, packages = planned(2_000, 20, 1)
    firsts = [min(loan.township for loan in package) for package in packages]
    assert firsts == sorted(firsts)
    for package in packages:
        assert [(loan.township, loan.id) for loan in package] == sorted((loan.township, loan.id) for loan in package)


# --- giants and edge cases -------------------------------------------------------------------


def test_one_loan_bigger_than_target_gets_its_own_package():
    loans = make_loans(400, 8)
    total = sum(loan.price_fen for loan in loans)
    giant = BundleLoan(10_000, total // 3, "永安镇南山村", True)  # target is (total + giant) / 8
    packages = plan_packages([*loans, giant], package_count=8)
    assert [[giant.id]] == [ids_ for ids_ in ids(packages) if giant.id in ids_]
    rest = [package for package in packages if giant not in package]
    assert len(rest) == 7
    assert plan_metrics(rest).spread <= 0.02


def test_several_giants_each_get_a_package_and_the_rest_is_balanced():
    loans = make_loans(1_000, 9)
    total = sum(loan.price_fen for loan in loans)
    giants = [BundleLoan(20_000 + i, total // (2 + i), "大瑶镇新华村", False) for i in range(3)]
    packages = plan_packages([*giants, *loans], package_count=10)
    singles = [package for package in packages if len(package) == 1 and package[0] in giants]
    assert len(singles) == 3
    assert plan_metrics([p for p in packages if p not in singles]).spread <= 0.02


def test_fewer_loans_than_packages_is_refused():
    with pytest.raises(BundlingError, match=r"fewer loans \(3\) than packages \(5\)"):
        plan_packages(make_loans(3, 1), package_count=5)


@pytest.mark.parametrize("kwargs, message", [
    ({}, "exactly one of package_count or target_reserve_fen"),
    ({"package_count": 2, "target_reserve_fen": 100}, "exactly one of package_count or target_reserve_fen"),
    ({"package_count": 0}, "at least 1"),
    ({"package_count": -3}, "at least 1"),
    ({"target_reserve_fen": 0}, "positive"),
    ({"target_reserve_fen": -100}, "positive"),
])
def test_bad_requests_are_refused_with_a_reason(kwargs, message):
    with pytest.raises(BundlingError, match=message):
        plan_packages(make_loans(10, 1), **kwargs)


def test_no_loans_is_refused():
    with pytest.raises(BundlingError, match="no loans"):
        plan_packages([], package_count=1)


@pytest.mark.parametrize("loans, message", [
    ([BundleLoan(1, -5, "大瑶镇新华村", True)], "invalid price"),
    ([BundleLoan(1, 5, "大瑶镇新华村", True), BundleLoan(1, 7, "大瑶镇新华村", False)], "more than once"),
])
def test_bad_loans_are_refused(loans, message):
    with pytest.raises(BundlingError, match=message):
        plan_packages(loans, package_count=1)


def test_bundling_error_is_a_value_error():
    assert issubclass(BundlingError, ValueError)


@pytest.mark.parametrize("ratio, expected", [(Fraction(124, 10), 12), (Fraction(126, 10), 13), (Fraction(1, 3), 1)])
def test_target_reserve_sets_package_count(ratio, expected):
    loans = make_loans(2_000, 4)
    total = sum(loan.price_fen for loan in loans)
    packages = plan_packages(loans, target_reserve_fen=int(total / ratio))
    assert len(packages) == expected
    assert plan_metrics(packages).spread <= 0.02


def test_single_township():
    loans = [BundleLoan(loan.id, loan.price_fen, "大瑶镇新华村", loan.potential) for loan in make_loans(2_000, 3)]
    metrics = plan_metrics(plan_packages(loans, package_count=20))
    assert metrics.mean_townships == 1
    assert metrics.spread <= 0.005
    assert metrics.max_mix_deviation_pp <= 10
    assert metrics.count_spread <= 0.2


@pytest.mark.parametrize("potential", [True, False])
def test_all_loans_of_one_class(potential):
    loans = [BundleLoan(loan.id, loan.price_fen, loan.township, potential) for loan in make_loans(2_000, 2)]
    metrics = plan_metrics(plan_packages(loans, package_count=20))
    assert metrics.spread <= 0.005
    assert metrics.max_mix_deviation_pp == 0
    assert {row.potential_share for row in metrics.packages} == {Fraction(int(potential))}


def test_loans_priced_zero_are_placed_like_any_other():
    loans = [BundleLoan(loan.id, 0 if loan.id % 4 == 0 else loan.price_fen, loan.township, loan.potential)
             for loan in make_loans(2_000, 5)]
    packages = plan_packages(loans, package_count=20)
    assert sorted(loan.id for package in packages for loan in package) == sorted(loan.id for loan in loans)
    metrics = plan_metrics(packages)
    assert metrics.spread <= 0.02
    assert metrics.count_spread <= 0.2


def test_all_loans_priced_zero_are_shared_out_by_count():
    loans = [BundleLoan(loan.id, 0, loan.township, loan.potential) for loan in make_loans(100, 5)]
    packages = plan_packages(loans, package_count=7)
    assert all(packages)
    assert max(map(len, packages)) - min(map(len, packages)) <= 1
    assert plan_metrics(packages).spread == 0


def test_one_package_takes_every_loan():
    loans = make_loans(150, 2)
    [package] = plan_packages(loans, package_count=1)
    assert sorted(loan.id for loan in package) == sorted(loan.id for loan in loans)


def test_as_many_packages_as_loans_gives_one_loan_each():
    loans = make_loans(12, 3)
    packages = plan_packages(loans, package_count=12)
    assert sorted(len(package) for package in packages) == [1] * 12


def test_tiny_plan_is_still_complete():
    loans = [BundleLoan(1, 500, "甲镇一村", True), BundleLoan(2, 300, "甲镇二村", False),
             BundleLoan(3, 200, "乙镇一村", True)]
    packages = plan_packages(loans, package_count=2)
    assert sorted(sorted(ids_) for ids_ in ids(packages)) == [[1], [2, 3]]


# --- metrics ---------------------------------------------------------------------------------------


def test_package_metrics_are_computed_for_any_grouping():
    package = [BundleLoan(1, 30_000, "永安镇南山村", True), BundleLoan(2, 10_000, "大瑶镇新华村", False),
               BundleLoan(3, 20_000, "永安镇南山村", True)]
    row = package_metrics(package)
    assert row.reserve_fen == 60_000
    assert row.loan_count == 3
    assert row.townships == ("大瑶镇新华村", "永安镇南山村")
    assert row.township_count == 2
    assert row.potential_fen == 50_000
    assert row.potential_share == Fraction(5, 6)
    assert row.potential_share_bp == 8333


def test_plan_metrics_follow_a_loan_moved_by_hand():
    loans, packages = planned(200, 5, 1)
    moved = [list(package) for package in packages]
    moved[1].append(moved[0].pop())
    before, after = plan_metrics(packages), plan_metrics(moved)
    assert after.total_fen == before.total_fen == sum(loan.price_fen for loan in loans)
    assert [row.loan_count for row in after.packages][:2] == [len(moved[0]), len(moved[1])]
    assert after.packages[0].reserve_fen == before.packages[0].reserve_fen - packages[0][-1].price_fen
    assert after.max_reserve_fen - after.min_reserve_fen == round(after.spread * after.total_fen / after.package_count)


def test_plan_metrics_summarise_the_packages():
    a = [BundleLoan(1, 100, "甲镇一村", True), BundleLoan(2, 100, "甲镇二村", False)]
    b = [BundleLoan(3, 150, "乙镇一村", True)]
    metrics = plan_metrics([a, b])
    assert (metrics.package_count, metrics.total_fen) == (2, 350)
    assert (metrics.min_reserve_fen, metrics.max_reserve_fen) == (150, 200)
    assert metrics.spread == pytest.approx(50 / 175)
    assert metrics.mean_townships == 1.5
    assert metrics.count_spread == pytest.approx(1 / 1.5)
    assert metrics.pool_potential_share == Fraction(250, 350)
    assert metrics.max_mix_deviation_pp == pytest.approx((1 - Fraction(250, 350)) * 100)


def test_metrics_of_packages_without_reserve():
    metrics = plan_metrics([[BundleLoan(1, 0, "甲镇一村", True)], [BundleLoan(2, 0, "乙镇一村", False)]])
    assert (metrics.spread, metrics.max_mix_deviation_pp, metrics.pool_potential_share) == (0.0, 0.0, 0)
    assert plan_metrics([]).package_count == 0


def test_random_baseline_is_repeatable_and_spreads_townships():
    loans = make_loans(20_000, 1)
    townships = len({loan.township for loan in loans})
    baseline = random_township_baseline(loans, 80, seed=3)
    assert baseline == random_township_baseline(loans, 80, seed=3)
    assert townships - 1 <= baseline <= townships
