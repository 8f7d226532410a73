"""Bundle written-off loans into packages for auction (DOMAIN.md section 4, "Packaging").

Pure: no Flask, no database. A package's reserve (底价) is the sum of its loans' prices, in
integer fen. Goals, in priority order:

1. every loan in exactly one package, no package empty;
2. reserves balanced: spread = (max - min) / mean of the reserves; waived for a loan larger than
   the target reserve (total / package count), which gets a package of its own;
3. few townships per package, so one contractor can work one area;
4. each package's share of reserve from "potential" loans within 10 points of the pool's;
5. loan counts within about 20% of each other.

How. Townships are sorted by name, so the villages of one town sit together, and packages are
cut from that sequence at equal reserve: each gets a contiguous run of townships, and neighbours
share at most the township at their cut. A township shared by several packages is dealt out
largest loan first, potential and hard loans separately, each loan to the package furthest
behind its proportional share that still has room; every package so gets a representative slice
and its quota almost to the fen. Repair passes then move and swap loans between packages that
already share a township (so no township is added): reserves to within 0.01% of the target,
then mix, then counts, then reserves again. Mix and counts that cannot be fixed that way are
fixed with other packages, preferring changes that add the fewest townships; so goals 4 and 5
can cost a few townships (the mix when whole villages are mostly hard to recover, for instance).
Every pass has a work budget, so hopeless inputs end with the best plan found, not a hang.
Deterministic: no randomness, no iteration over hash-ordered strings.
"""
from __future__ import annotations

import heapq
import random
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import islice

BASIS_POINTS = 10_000
MIX_LIMIT_PP = 10  # goal 4: potential share within this many percentage points of the pool's
COUNT_LIMIT = Fraction(1, 5)  # goal 5: (max - min) / mean of loan counts


class BundlingError(ValueError):
    """The loans cannot be bundled as asked; the message says why, in English."""


@dataclass(frozen=True, slots=True)
class BundleLoan:
    id: int
    price_fen: int
    township: str
    potential: bool  # True: the loan has recovery potential; False: hard to recover


# --- metrics ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PackageMetrics:
    reserve_fen: int
    loan_count: int
    townships: tuple[str, ...]  # sorted
    township_count: int
    potential_fen: int
    potential_share: Fraction  # of the reserve, from loans with recovery potential; 0 if no reserve

    @property
    def potential_share_bp(self) -> int:
        return _basis_points(self.potential_share)


@dataclass(frozen=True, slots=True)
class PlanMetrics:
    packages: tuple[PackageMetrics, ...]
    package_count: int
    total_fen: int
    min_reserve_fen: int
    max_reserve_fen: int
    spread: float  # (max - min) / mean of the reserves
    mean_townships: float
    max_mix_deviation_pp: float  # largest |package share - pool share|, in percentage points
    count_spread: float  # (max - min) / mean of the loan counts
    pool_potential_share: Fraction

    @property
    def pool_potential_share_bp(self) -> int:
        return _basis_points(self.pool_potential_share)


def _basis_points(share: Fraction) -> int:
    return int(share * BASIS_POINTS + Fraction(1, 2))  # half up, like the export sheet


def _share(part: int, whole: int) -> Fraction:
    return Fraction(part, whole) if whole else Fraction(0)


def package_metrics(package: Iterable[BundleLoan]) -> PackageMetrics:
    """Figures for any grouping of loans, e.g. after the administrator moved loans by hand."""
    loans = list(package)
    reserve = sum(loan.price_fen for loan in loans)
    potential = sum(loan.price_fen for loan in loans if loan.potential)
    townships = tuple(sorted({loan.township for loan in loans}))
    return PackageMetrics(reserve, len(loans), townships, len(townships), potential, _share(potential, reserve))


def plan_metrics(packages: Sequence[Iterable[BundleLoan]]) -> PlanMetrics:
    rows = tuple(package_metrics(package) for package in packages)
    reserves = [row.reserve_fen for row in rows]
    total = sum(reserves)
    pool_share = _share(sum(row.potential_fen for row in rows), total)
    # A package without reserve has no mix to speak of.
    deviations = [abs(row.potential_share - pool_share) for row in rows if row.reserve_fen]
    return PlanMetrics(
        packages=rows,
        package_count=len(rows),
        total_fen=total,
        min_reserve_fen=min(reserves, default=0),
        max_reserve_fen=max(reserves, default=0),
        spread=_relative_range(reserves),
        mean_townships=sum(row.township_count for row in rows) / len(rows) if rows else 0.0,
        max_mix_deviation_pp=float(max(deviations, default=Fraction(0)) * 100),
        count_spread=_relative_range([row.loan_count for row in rows]),
        pool_potential_share=pool_share,
    )


def _relative_range(values: Sequence[int]) -> float:
    total = sum(values)
    return float(Fraction((max(values) - min(values)) * len(values), total)) if total else 0.0


def random_township_baseline(loans: Sequence[BundleLoan], package_count: int, seed: int = 0) -> float:
    """Mean townships per package if the loans were dealt at random into packages of equal
    loan counts (at most one package per loan): the yardstick for goal 3."""
    count = min(package_count, len(loans))
    if count < 1:
        return 0.0
    townships = [loan.township for loan in loans]
    random.Random(seed).shuffle(townships)
    size, extra = divmod(len(townships), count)
    total, start = 0, 0
    for p in range(count):
        end = start + size + (p < extra)
        total += len(set(townships[start:end]))
        start = end
    return total / count


# --- planning -------------------------------------------------------------------------------


def plan_packages(loans: Sequence[BundleLoan], *, package_count: int | None = None,
                  target_reserve_fen: int | None = None) -> list[list[BundleLoan]]:
    """Split `loans` into packages; exactly one of package_count / target_reserve_fen is given.

    Deterministic: the same loans in the same order give the same plan. Packages come in
    township order, loans inside a package by township then input order.
    """
    count = _resolve_count(loans, package_count, target_reserve_fen)
    return _Planner(loans, count).run()


def _resolve_count(loans: Sequence[BundleLoan], package_count: int | None, target_reserve_fen: int | None) -> int:
    if (package_count is None) == (target_reserve_fen is None):
        raise BundlingError("Give exactly one of package_count or target_reserve_fen.")
    if not loans:
        raise BundlingError("There are no loans to bundle.")
    _check_loans(loans)
    if target_reserve_fen is not None:
        if not _is_int(target_reserve_fen) or target_reserve_fen <= 0:
            raise BundlingError(f"The target reserve must be a positive number of fen (got {target_reserve_fen!r}).")
        total = sum(loan.price_fen for loan in loans)
        package_count = max(1, round(Fraction(total, target_reserve_fen)))
    assert package_count is not None
    if not _is_int(package_count) or package_count < 1:
        raise BundlingError(f"The package count must be at least 1 (got {package_count!r}).")
    if len(loans) < package_count:
        raise BundlingError(f"There are fewer loans ({len(loans)}) than packages ({package_count}).")
    return package_count


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_loans(loans: Sequence[BundleLoan]) -> None:
    seen: set[int] = set()
    for loan in loans:
        if not _is_int(loan.price_fen) or loan.price_fen < 0:
            raise BundlingError(f"Loan {loan.id} has an invalid price: {loan.price_fen!r} (need whole fen, >= 0).")
        if loan.id in seen:
            raise BundlingError(f"Loan {loan.id} appears more than once.")
        seen.add(loan.id)


_HARD, _POTENTIAL = 0, 1
_FINE = Fraction(1, 10_000)  # repair reserves until every package is within 0.01% of the target
_COARSE = Fraction(25, 10_000)  # ... and add townships for balance only while one is beyond 0.25%
_MIX_LIMIT = Fraction(MIX_LIMIT_PP, 100)
_MIX_SLACK_PP = 4  # how far past the pool's share a partner may be pushed while fixing another package
_COUNT_AIM = Fraction(3, 20)
_ROUNDS = 60
_ATTEMPTS_PER_PACKAGE, _ATTEMPTS_EXTRA = 8, 64  # per repair pass; bounds the work when a goal cannot be met
_STALL = 0.99  # a repair pass stops after a round that cut its failing packages' total severity by under 1%
_PARTNERS = 3
_PASSES = 4  # mix, counts, balance again, while goals 4 and 5 still fail and it helps

# A township slice: a package's loans in one township, as sorted keys price * mult + loan index,
# one list per class (index _HARD / _POTENTIAL).
_Slice = tuple[list[int], list[int]]
# A candidate change: (townships added, error in fen, loans from the giver, loans from the receiver).
_Candidate = tuple[int, int, tuple[int, ...], tuple[int, ...]]
# Picks, and orders, the loans of a sorted key list worth looking at.
_Window = Callable[[list[int]], Iterable[int]]


@dataclass(frozen=True, slots=True)
class _Goal:
    """What a repair pass works on. side(p) is +1 if p has too much, -1 if too little; level
    orders packages from least to most; trade(p, q, side, local) makes one change or says no."""

    failing: Callable[[int], bool]
    severity: Callable[[int], object]
    side: Callable[[int], int]
    level: Callable[[int], object]
    pairs_with: Callable[[int, int, int], bool]
    trade: Callable[[int, int, int, bool], bool]
    done: Callable[[], bool] = lambda: False


class _Planner:
    """Working state of one plan. Packages are indices 0..k-1 along the township sequence."""

    def __init__(self, loans: Sequence[BundleLoan], package_count: int) -> None:
        self.loans = loans
        names = sorted({loan.township for loan in loans})
        rank = {name: r for r, name in enumerate(names)}
        self.price = [loan.price_fen for loan in loans]
        self.town = [rank[loan.township] for loan in loans]
        self.cls = [_POTENTIAL if loan.potential else _HARD for loan in loans]
        self.mult = len(loans)  # loans are kept as sort keys price * mult + index
        self.giants, regular = self._split_giants(package_count)
        self.k = package_count - len(self.giants)
        self.total = sum(self.price[i] for i in regular)
        self.potential_total = sum(self.price[i] for i in regular if self.cls[i])
        self.loan_count = len(regular)
        self.slices: list[dict[int, _Slice]] = [{} for _ in range(self.k)]
        self.holders: list[set[int]] = [set() for _ in names]  # township -> packages holding loans there
        self.reserve = [0] * self.k
        self.count = [0] * self.k
        self.potential = [0] * self.k
        # Deviations are kept scaled by k: dev(p) = reserve * k - total, so tolerances are integers.
        self.fine_tol = int(self.total * _FINE)
        self.coarse_tol = int(self.total * _COARSE)
        self._deal(regular)

    # --- construction ---------------------------------------------------------------------

    def _split_giants(self, package_count: int) -> tuple[list[int], list[int]]:
        """Loans larger than the target reserve each get a package; the target is then recomputed."""
        order = sorted(range(len(self.price)), key=lambda i: (-self.price[i], i))
        remaining, k = sum(self.price), package_count
        giants: list[int] = []
        for i in order:
            if k == 1 or self.price[i] * k <= remaining:
                break
            giants.append(i)
            remaining -= self.price[i]
            k -= 1
        taken = set(giants)
        return giants, [i for i in range(len(self.price)) if i not in taken]

    def _deal(self, regular: list[int]) -> None:
        by_town: dict[int, list[int]] = {}
        for i in regular:
            by_town.setdefault(self.town[i], []).append(i)
        # Cut on reserve; when every price is 0, cut on loan count instead.
        weight = self.price if self.total else [1] * len(self.price)
        line_total = sum(weight[i] for i in regular)
        bounds = [line_total * p // self.k for p in range(self.k + 1)]
        start, first = 0, 0
        for t in sorted(by_town):
            members = by_town[t]
            end = start + sum(weight[i] for i in members)
            quotas, first = _quotas(bounds, start, end, first)
            # Each class, and the free loans, dealt separately: every slice gets its share of each.
            filled = {p: 0 for p, _ in quotas}
            for group in self._strata(members, weight):
                self._deal_stratum(group, quotas, end - start or 1, weight, filled)
            start = end
        for package in self.slices:
            for lists in package.values():
                lists[_HARD].sort()
                lists[_POTENTIAL].sort()

    def _strata(self, members: list[int], weight: list[int]) -> list[list[int]]:
        order = sorted(members, key=lambda i: (-weight[i], i))
        return [[i for i in order if weight[i] and self.cls[i] == _POTENTIAL],
                [i for i in order if weight[i] and self.cls[i] == _HARD],
                [i for i in order if not weight[i]]]

    def _deal_stratum(self, members: list[int], quotas: list[tuple[int, int]], span: int, weight: list[int],
                      filled: dict[int, int]) -> None:
        """Largest loan first, each to the slice most behind its proportional share so far, among
        slices with room left for it in their quota (else to the slice with most room).

        Slice j's share of this stratum is quota_j / span of it; after loans of weight `seen` it is
        behind by quota_j * seen - span * taken_j (scaled by span). Room counts every stratum:
        `filled` is what each slice took so far. Slices with equal quotas (packages wholly inside
        the township) share one heap ordered by what they took, so each loan costs a heap
        operation and a look at each distinct quota (at most three: first, inner, last).
        """
        heaps: dict[int, list[tuple[int, int, int]]] = {}
        for p, quota in quotas:
            heaps.setdefault(quota, []).append((0, 0, p))
        seen = 0
        for i in members:
            w = weight[i] or 1  # free loans are dealt by count
            seen += w
            best_key, best = None, 0
            for quota, heap in heaps.items():
                taken, n, p = heap[0]
                room = quota - filled[p]
                fits = room >= weight[i]
                key = (fits, quota * seen - span * taken if fits else room, -n, -p)
                if best_key is None or key > best_key:
                    best_key, best = key, quota
            taken, n, p = heapq.heappop(heaps[best])
            self._place(i, p)
            filled[p] += weight[i]
            heapq.heappush(heaps[best], (taken + w, n + 1, p))

    def _place(self, i: int, p: int) -> None:
        """Initial placement; the slice lists are sorted once dealing is done."""
        t = self.town[i]
        lists = self.slices[p].get(t)
        if lists is None:
            lists = self.slices[p][t] = ([], [])
            self.holders[t].add(p)
        lists[self.cls[i]].append(self.price[i] * self.mult + i)
        self._account(i, p, 1)

    def _account(self, i: int, p: int, sign: int) -> None:
        price = self.price[i] * sign
        self.reserve[p] += price
        self.count[p] += sign
        if self.cls[i]:
            self.potential[p] += price

    # --- primitive changes -----------------------------------------------------------------

    def _move(self, i: int, src: int, dst: int) -> None:
        t, c, key = self.town[i], self.cls[i], self.price[i] * self.mult + i
        lists = self.slices[src][t]
        del lists[c][bisect_left(lists[c], key)]
        if not lists[_HARD] and not lists[_POTENTIAL]:
            del self.slices[src][t]
            self.holders[t].discard(src)
        target = self.slices[dst].get(t)
        if target is None:
            target = self.slices[dst][t] = ([], [])
            self.holders[t].add(dst)
        insort(target[c], key)
        self._account(i, src, -1)
        self._account(i, dst, 1)

    def _apply(self, giver: int, receiver: int, candidate: _Candidate) -> None:
        _, _, given, returned = candidate
        for i in given:
            self._move(i, giver, receiver)
        for i in returned:
            self._move(i, receiver, giver)

    def _dev(self, p: int) -> int:
        return self.reserve[p] * self.k - self.total

    def _neighbours(self, p: int) -> set[int]:
        """Packages sharing a township with p (iterate in a fixed order before relying on it)."""
        found: set[int] = set()
        for t in self.slices[p]:
            found |= self.holders[t]
        found.discard(p)
        return found

    def _pairs(self, giver: int, receiver: int, local: bool) -> list[tuple[int, int]]:
        """Township pairs (giver's loan, receiver's loan) a change may draw from."""
        mine, theirs = self.slices[giver], self.slices[receiver]
        if local:
            return [(t, t) for t in sorted(mine.keys() & theirs.keys())]
        return [(ta, tb) for ta in sorted(mine) for tb in sorted(theirs)]

    def _added(self, giver: int, receiver: int, ta: int, tb: int | None) -> int:
        """Townships a change adds: the giver's loan's to the receiver, the receiver's loan's to the giver."""
        return (ta not in self.slices[receiver]) + (tb is not None and tb not in self.slices[giver])

    # --- candidates ---------------------------------------------------------------------------

    def _swaps(self, giver: int, receiver: int, pairs: list[tuple[int, int]], classes: Iterable[tuple[int, int]],
               want: int, window: _Window | None = None, good: int = 0) -> list[_Candidate]:
        """Per township pair and class pair, the swap of giver loan a for receiver loan b with
        price(a) - price(b) closest to `want`, or the first within `good` fen of it. `window`
        picks and orders the giver's loans looked at."""
        mult = self.mult
        found: list[_Candidate] = []
        for ta, tb in pairs:
            mine, theirs = self.slices[giver].get(ta), self.slices[receiver].get(tb)
            if mine is None or theirs is None:
                continue
            added = self._added(giver, receiver, ta, tb)
            for ca, cb in classes:
                la, lb = mine[ca], theirs[cb]
                if not la or not lb:
                    continue
                best = _closest_difference(la if window is None else window(la), lb, want, mult, good)
                if best:
                    found.append((added, best[0], (best[1] % mult,), (best[2] % mult,)))
        return found

    def _moves(self, giver: int, receiver: int, towns: Iterable[int], want: int) -> list[_Candidate]:
        """Single loans of the giver priced closest to `want`."""
        mult = self.mult
        found: list[_Candidate] = []
        for t in towns:
            mine = self.slices[giver].get(t)
            if mine is None:
                continue
            added = self._added(giver, receiver, t, None)
            for lst in mine:
                found += [(added, abs(key // mult - want), (key % mult,), ()) for key in _nearest(lst, want * mult)]
        return found

    def _choose(self, giver: int, receiver: int, candidates: list[_Candidate], good: int, cap: int,
                prefer: Callable[[_Candidate], object] = lambda c: (c[0], c[1])) -> _Candidate | None:
        """Among candidates off by at most `cap` fen that keep the mix: the `prefer`red one within
        `good` fen, else the most precise."""
        usable = [c for c in candidates if c[1] <= cap]
        usable.sort(key=lambda c: (c[1] > good, prefer(c) if c[1] <= good else (c[1], c[0])))
        return next((c for c in usable if self._keeps_mix(giver, receiver, c)), None)

    def _keeps_mix(self, giver: int, receiver: int, candidate: _Candidate) -> bool:
        """Neither package's mix ends beyond the aim unless it already was, and then no worse."""
        if not self.total:
            return True
        _, _, given, returned = candidate
        fen = self._fen(given) - self._fen(returned)
        potential = self._fen(i for i in given if self.cls[i]) - self._fen(i for i in returned if self.cls[i])
        return self._mix_within(giver, -fen, -potential) and self._mix_within(receiver, fen, potential)

    def _mix_within(self, p: int, fen: int, potential: int) -> bool:
        reserve = self.reserve[p] + fen
        if not reserve:
            return True
        excess = abs((self.potential[p] + potential) * self.total - self.potential_total * reserve)
        if not _over(excess, reserve * self.total, _MIX_LIMIT):
            return True
        return excess * self.reserve[p] <= abs(self._mix_excess(p)) * reserve  # no worse than before

    def _fen(self, loans: Iterable[int]) -> int:
        return sum(self.price[i] for i in loans)

    def _moved_fen(self, candidate: _Candidate) -> int:
        _, _, given, returned = candidate
        return self._fen(given) - self._fen(returned)

    # --- repair driver -------------------------------------------------------------------------

    def _repair(self, goal: _Goal, local: bool) -> None:
        """Rounds over the failing packages, worst first, each changed until it passes or no change
        helps; until none fails, a round helps too little (see _STALL) or the budget is spent.

        `local` allows only changes inside townships both packages hold. Otherwise partners may
        be any package, and a change may add a township, though ones adding fewer are preferred.
        """
        budget = _ATTEMPTS_PER_PACKAGE * self.k + _ATTEMPTS_EXTRA
        before = None
        for _ in range(_ROUNDS):
            failing = [p for p in range(self.k) if goal.failing(p)]
            severity = sum(goal.severity(p) for p in failing)
            if goal.done() or not failing or (before is not None and severity > before * _STALL) or budget <= 0:
                return
            failing.sort(key=lambda p: (-goal.severity(p), p))
            ranked = sorted(range(self.k), key=lambda q: (goal.level(q), q))
            for p in failing:
                while budget > 0 and goal.failing(p):
                    budget -= 1
                    if not self._step(goal, p, ranked, local):
                        break
            before = severity

    def _step(self, goal: _Goal, p: int, ranked: list[int], local: bool) -> bool:
        """One change between p and a partner on the other side: neighbours first, and for a
        non-local change the packages furthest on the other side at the start of the round."""
        side, level, pairs_with = goal.side(p), goal.level, goal.pairs_with
        near = heapq.nsmallest(_PARTNERS, (q for q in self._neighbours(p) if pairs_with(p, q, side)),
                               key=lambda q: (side * level(q), q))
        if any(goal.trade(p, q, side, True) for q in near):
            return True
        if local:
            return False
        ends = ranked if side > 0 else reversed(ranked)
        far = (q for q in ends if q != p and q not in near and goal.pairs_with(p, q, side))
        return any(goal.trade(p, q, side, False) for q in [*near, *islice(far, _PARTNERS)][:_PARTNERS])

    # --- goal 2: balance ------------------------------------------------------------------------

    def _balance_goal(self, tol: int) -> _Goal:
        return _Goal(
            failing=lambda p: abs(self._dev(p)) > tol,
            severity=lambda p: abs(self._dev(p)),
            side=lambda p: 1 if self._dev(p) > 0 else -1,
            level=self._dev,
            pairs_with=lambda p, q, side: side * self._dev(q) < side * self._dev(p),
            trade=lambda p, q, side, local: self._transfer(*((p, q) if side > 0 else (q, p)), local=local),
        )

    def _transfer(self, giver: int, receiver: int, local: bool) -> bool:
        gap = self._dev(giver) - self._dev(receiver)
        want = gap // (2 * self.k)
        if want <= 0:
            return False
        pairs = self._pairs(giver, receiver, local)
        candidates = self._swaps(giver, receiver, pairs, ((_HARD, _HARD), (_POTENTIAL, _POTENTIAL)), want)
        if self.count[giver] > self.count[receiver]:  # a single move must not unbalance the counts
            candidates += self._moves(giver, receiver, sorted({ta for ta, _ in pairs}), want)
        # Only changes that reduce the sum of squared deviations, so repair always ends.
        candidates = [c for c in candidates if 0 < self._moved_fen(c) * self.k < gap]
        choice = self._choose(giver, receiver, candidates, max(self.fine_tol // self.k, want // 4), want)
        if choice is None:
            return False
        self._apply(giver, receiver, choice)
        return True

    def _worst_dev(self) -> int:
        return max(abs(self._dev(p)) for p in range(self.k))

    # --- goal 4: mix ------------------------------------------------------------------------------

    def _mix_excess(self, p: int) -> int:
        """(share of p - pool share) * reserve(p) * total: the sign says which side p is on."""
        return self.potential[p] * self.total - self.potential_total * self.reserve[p]

    def _mix_gap(self, p: int) -> float:
        """|share of p - pool share|, for ordering only; tests against limits use _mix_over."""
        reserve = self.reserve[p]
        return abs(self._mix_excess(p)) / (reserve * self.total) if reserve else 0.0

    def _mix_over(self, p: int, limit: Fraction) -> bool:
        return _over(self._mix_excess(p), self.reserve[p] * self.total, limit)

    def _mix_failing(self) -> bool:
        return any(self._mix_over(p, _MIX_LIMIT) for p in range(self.k)) if self.total else False

    def _mix_goal(self) -> _Goal:
        return _Goal(
            failing=lambda p: self._mix_over(p, _MIX_LIMIT),
            severity=self._mix_gap,
            side=lambda p: 1 if self._mix_excess(p) > 0 else -1,
            level=lambda p: self._mix_excess(p) / (self.reserve[p] * self.total) if self.reserve[p] else 0.0,
            pairs_with=lambda p, q, side: side * self._mix_excess(q) < 0,
            trade=self._mix_swap,
        )

    def _mix_swap(self, p: int, q: int, side: int, local: bool) -> bool:
        """Swap hard loans of the low package for potential loans of the high one, of about equal
        price: one for one, or one big loan for a few smaller ones."""
        low, high = (q, p) if side > 0 else (p, q)
        amount = min(self._mix_room(p, 0), self._mix_room(q, _MIX_SLACK_PP))
        if amount <= 0:
            return False
        want = (self._dev(low) - self._dev(high)) // (2 * self.k)  # reserve the low package may shed
        good = max(self.fine_tol // self.k, amount // 10)
        pairs = self._pairs(low, high, local)
        window = _largest_up_to(amount, self.mult)
        candidates = self._swaps(low, high, pairs, ((_HARD, _POTENTIAL),), want, window, good)
        candidates += self._bundle_swaps(low, high, pairs, want, window)
        choice = self._choose(low, high, candidates, good, max(self.coarse_tol // self.k, amount // 10),
                              prefer=lambda c: (c[0], len(c[2]) + len(c[3]) > 2, -self._fen(c[3])))
        if choice is None:
            return False
        self._apply(low, high, choice)
        return True

    def _bundle_swaps(self, low: int, high: int, pairs: list[tuple[int, int]], want: int,
                      window: _Window) -> list[_Candidate]:
        """One hard loan of `low` for several potential loans of `high`, and the other way round."""
        mult = self.mult
        found: list[_Candidate] = []
        for ta in sorted({ta for ta, _ in pairs}):
            hard = self.slices[low][ta][_HARD]
            towns = [tb for a, tb in pairs if a == ta]
            potential = list(heapq.merge(*(self.slices[high][tb][_POTENTIAL] for tb in towns)))
            for key in islice(window(hard), 3):
                err, picked = _greedy_fill(potential, key // mult - want, mult)
                found.append(self._bundle(low, high, err, (key % mult,), tuple(picked)))
            if len(towns) == 1:  # the mirror case, within one pair of slices
                for key in islice(window(potential), 3):
                    err, picked = _greedy_fill(hard, key // mult + want, mult)
                    found.append(self._bundle(low, high, err, tuple(picked), (key % mult,)))
        return [c for c in found if c[2] and c[3]]

    def _bundle(self, giver: int, receiver: int, err: int, given: tuple[int, ...],
                returned: tuple[int, ...]) -> _Candidate:
        new_to_receiver = {self.town[i] for i in given} - self.slices[receiver].keys()
        new_to_giver = {self.town[i] for i in returned} - self.slices[giver].keys()
        return len(new_to_receiver) + len(new_to_giver), err, given, returned

    def _mix_room(self, p: int, slack_pp: int) -> int:
        """Fen of potential reserve p can give (if above the pool's share) or take (if below)
        before its share passes the pool's by `slack_pp` points."""
        excess = abs(self._mix_excess(p))
        return (excess + self.reserve[p] * self.total * slack_pp // 100) // self.total

    # --- goal 5: loan counts ----------------------------------------------------------------------

    def _count_gap(self, p: int) -> int:
        """|count - mean| scaled by k."""
        return abs(self.count[p] * self.k - self.loan_count)

    def _counts_over(self, limit: Fraction) -> bool:
        return _over(max(self.count) - min(self.count), Fraction(self.loan_count, self.k), limit)

    def _count_goal(self) -> _Goal:
        return _Goal(
            failing=lambda p: _over(self._count_gap(p), self.loan_count, _COUNT_AIM / 2),
            severity=self._count_gap,
            side=lambda p: 1 if self.count[p] * self.k > self.loan_count else -1,
            level=lambda p: self.count[p],
            pairs_with=lambda p, q, side: side * (self.count[p] - self.count[q]) >= 2,
            trade=lambda p, q, side, local: self._count_trade(*((p, q) if side > 0 else (q, p)), local=local),
            done=lambda: not self._counts_over(_COUNT_AIM),
        )

    def _count_trade(self, giver: int, receiver: int, local: bool) -> bool:
        """The giver hands over m loans and takes back one of about their total price (or none,
        if they are small enough), so counts even out and reserves stay level."""
        net = (self.count[giver] - self.count[receiver]) // 2
        candidates: list[_Candidate] = []
        for ta, tb in self._pairs(giver, receiver, local):
            candidates += self._count_candidates(giver, receiver, ta, tb, net)
        fine = max(self.fine_tol // self.k, 1)
        choice = self._choose(giver, receiver, candidates, fine, self.coarse_tol // self.k,
                              prefer=lambda c: (c[0], len(c[3]) - len(c[2]), c[1]))
        if choice is None:
            return False
        self._apply(giver, receiver, choice)
        return True

    def _count_candidates(self, giver: int, receiver: int, ta: int, tb: int, net: int) -> list[_Candidate]:
        mult, price = self.mult, self.price
        smallest = list(islice(heapq.merge(*self.slices[giver][ta]), net))
        small = [key % mult for key in smallest]
        plain_added = self._added(giver, receiver, ta, None)
        found = [(plain_added, self._fen(small[:m]), tuple(small[:m]), ()) for m in range(1, len(small) + 1)]
        added = self._added(giver, receiver, ta, tb)
        for b_key in islice(heapq.merge(*self.slices[receiver][tb]), 6):
            b = b_key % mult
            for m in range(1, len(small) + 1):
                # the m smallest, plus the loan that brings the total closest to b's price
                rest = price[b] - self._fen(small[:m])
                for lst in self.slices[giver][ta]:
                    for key in _nearest(lst, rest * mult):
                        if key > smallest[m - 1]:
                            err = abs(rest - key // mult)
                            found.append((added, err, (*small[:m], key % mult), (b,)))
        return found

    # --- goal 1: no empty package ---------------------------------------------------------------

    def _fill_empty(self) -> None:
        """Only when reserves are a few fen, a package can be dealt nothing: give it the smallest
        loan of the fullest package (the repairs then even things out)."""
        for p in range(self.k):
            if self.count[p]:
                continue
            giver = max(range(self.k), key=lambda q: (self.count[q], -q))
            smallest = min(key for lists in self.slices[giver].values() for lst in lists for key in lst[:1])
            self._move(smallest % self.mult, giver, p)

    # --- driver ---------------------------------------------------------------------------------

    def run(self) -> list[list[BundleLoan]]:
        self._fill_empty()
        self._repair_balance()
        shortfall = self._shortfall()
        for _ in range(_PASSES):
            if self.total:
                self._repair(self._mix_goal(), local=True)
                if self._mix_failing():
                    self._repair(self._mix_goal(), local=False)
            self._repair(self._count_goal(), local=True)
            if self._counts_over(COUNT_LIMIT):
                self._repair(self._count_goal(), local=False)
            self._repair_balance()
            before, shortfall = shortfall, self._shortfall()
            if shortfall == (0, 0) or not _helped(before, shortfall):
                break
        return self._result()

    def _shortfall(self) -> tuple[int, int]:
        """Packages failing the mix goal, and whether the counts fail theirs."""
        mix = sum(self._mix_over(p, _MIX_LIMIT) for p in range(self.k)) if self.total else 0
        return mix, int(self._counts_over(COUNT_LIMIT))

    def _repair_balance(self) -> None:
        self._repair(self._balance_goal(self.fine_tol), local=True)
        if self._worst_dev() > self.coarse_tol:
            self._repair(self._balance_goal(self.coarse_tol), local=False)
            self._repair(self._balance_goal(self.fine_tol), local=True)

    def _result(self) -> list[list[BundleLoan]]:
        groups = [[i] for i in self.giants]
        for package in self.slices:
            groups.append([key % self.mult for lists in package.values() for lst in lists for key in lst])
        for group in groups:
            group.sort(key=lambda i: (self.town[i], i))
        groups.sort(key=lambda g: (self.town[g[0]], max(self.town[i] for i in g), g[0]))
        return [[self.loans[i] for i in group] for group in groups]


def _quotas(bounds: list[int], start: int, end: int, first: int) -> tuple[list[tuple[int, int]], int]:
    """Each package's share of the township occupying [start, end) of the cumulative line.

    Package p owns [bounds[p], bounds[p + 1]). `first` is the first package that may still
    have room; the updated value is returned for the next township.
    """
    k = len(bounds) - 1
    while first < k - 1 and bounds[first + 1] <= start:
        first += 1
    quotas = []
    p = first
    while p < k and bounds[p] < end:
        quota = min(end, bounds[p + 1]) - max(start, bounds[p])
        if quota > 0:
            quotas.append((p, quota))
        p += 1
    return quotas or [(first, 0)], first


def _helped(before: tuple[int, int], after: tuple[int, int]) -> bool:
    """Another pass is worth it if the counts came right or at least 5% fewer mixes fail."""
    return after[1] < before[1] or before[0] - after[0] >= max(1, before[0] // 20)


def _over(value: int, whole: int | Fraction, limit: Fraction) -> bool:
    """|value| / whole > limit, exactly."""
    return abs(value) * limit.denominator > limit.numerator * whole


def _largest_up_to(amount: int, mult: int) -> _Window:
    """A window on a sorted key list: the 8 largest loans priced up to `amount`, largest first
    (or the smallest loan, if none is that small)."""
    def window(keys: list[int]) -> Iterable[int]:
        top = bisect_left(keys, (amount + 1) * mult)
        return reversed(keys[max(top - 8, 0):max(top, 1)])
    return window


def _greedy_fill(keys: list[int], target: int, mult: int, limit: int = 12) -> tuple[int, list[int]]:
    """Loans from a sorted key list, largest that fits first, adding up to about `target` fen.
    Returns (shortfall, loan indices)."""
    picked: list[int] = []
    end = len(keys)
    while target > 0 and len(picked) < limit:
        end = bisect_left(keys, (target + 1) * mult, 0, end)
        if not end:
            break
        end -= 1
        picked.append(keys[end] % mult)
        target -= keys[end] // mult
    return abs(target), picked


def _nearest(keys: list[int], target: int) -> list[int]:
    """The keys either side of `target` in a sorted list."""
    j = bisect_left(keys, target)
    return keys[max(j - 1, 0):j + 1]


def _closest_difference(la: Iterable[int], lb: list[int], want: int, mult: int,
                        good: int = 0) -> tuple[int, int, int] | None:
    """(error, a, b) with a from la, b from lb and price(a) - price(b) closest to want, or the
    first pair (in la's order) within `good` of it."""
    best: tuple[int, int, int] | None = None
    for a in la:
        price_a = a // mult
        for b in _nearest(lb, (price_a - want) * mult):
            err = abs(price_a - b // mult - want)
            if best is None or err < best[0]:
                best = (err, a, b)
                if err <= good:
                    return best
    return best
