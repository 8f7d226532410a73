"""The rules of one lot in an open ascending auction (DOMAIN.md section 6): pure, no Flask, no database.

The database layer, the Socket.IO handlers and the JSON API all call these functions with the
lot's current state and get back the new state plus the bids to record; they never decide a rule
themselves. Amounts are int fen; times are timezone-naive UTC datetimes passed in by the caller.

Rules of a manual bid (`place_bid`):

- no bid before `opens_at` ("lot_not_open") nor at or after `closes_at` ("lot_closed");
- the leading bidder cannot outbid themself ("already_leading");
- the amount is a positive int fen ("invalid_amount");
- the first bid may equal the reserve, every later one is at least high + increment
  (`minimum_next_bid`, "too_low");
- every bid is the reserve plus a whole number of increments ("off_increment").

Extension: an event that produces at least one bid at `now` when strictly less than
`extension_window_s` seconds remain (`closes_at - now < window`) moves `closes_at` to
`now + extension_s`, and again for every later such bid. With exactly `window` seconds left
nothing moves: with the default window == extension (60 s) the close would land on the very same
instant anyway. An extension never brings the close forward. A call that records no bid (raising
one's own maximum) does not extend.

Proxy bidding (`set_proxy`): a bidder leaves a secret maximum; the system bids for them the least
amount needed to lead, never above the maximum. Commitments are ranked by (maximum, earlier
first): a manual bid counts as a commitment made now, i.e. later than every standing proxy.

- higher maximum vs lower: the higher leads at min(other maximum + increment, own maximum);
- equal maxima: the earlier commitment leads at that amount. So a manual bid equal to a proxy's
  maximum is accepted and recorded, and the proxy immediately bids the same amount and keeps
  the lead (eBay's convention). This tie-break is the only case where a bid equals the one before;
- a manual bid below a proxy's maximum: the proxy counter-bids manual + increment, capped at its
  maximum; a manual bid above the maximum leads.

Every event returns the bids it caused, in order, each one legal after the previous (strictly
higher by at least an increment, except for the tie-break above, and never by the bidder already
leading). When a proxy loses a duel its maximum is revealed as its last bid, which justifies the
winner's price in the history. A challenger overtaking a leader whose proxy can still answer
first opens at the minimum, then the leader's proxy bids its maximum, then the challenger bids
what it needs: e.g. A leads at 5 with maximum 20, B leaves 30 (increment 1): B 6, A 20, B 21.

Maxima may be left before the lot opens (bidders who cannot attend are not disadvantaged); they
bid only once the lot is open: `open_lot` places them when the scheduler opens the lot (and any
later bid or maximum settles them too).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from core.money import MAX_FEN, format_yuan

_MANUAL_SEQ = float("inf")  # a manual bid is later than every standing proxy


@dataclass(frozen=True)
class LotRules:
    reserve_fen: int
    increment_fen: int
    extension_window_s: int = 60
    extension_s: int = 60

    def __post_init__(self) -> None:
        for name in ("reserve_fen", "increment_fen"):
            if not _is_int(getattr(self, name)) or getattr(self, name) <= 0:
                raise ValueError(f"{name} must be a positive int")
        for name in ("extension_window_s", "extension_s"):
            if not _is_int(getattr(self, name)) or getattr(self, name) < 0:
                raise ValueError(f"{name} must be a non-negative int")


@dataclass(frozen=True)
class Proxy:
    """A bidder's secret maximum; `placed_seq` orders equal maxima (earlier wins)."""

    bidder_id: int
    max_fen: int
    placed_seq: int


@dataclass(frozen=True)
class LotState:
    high_fen: int | None
    high_bidder_id: int | None
    bid_count: int
    closes_at: datetime
    opens_at: datetime
    proxies: tuple[Proxy, ...] = ()  # at most one per bidder


@dataclass(frozen=True)
class Bid:
    bidder_id: int
    amount_fen: int
    at: datetime
    proxy: bool  # placed automatically on the bidder's behalf


@dataclass(frozen=True)
class BidOutcome:
    state: LotState
    bids: tuple[Bid, ...]  # in the order they were placed; may be empty


# --- errors ---------------------------------------------------------------------------------


class BidError(ValueError):
    """A refused bid; `code` is stable (API, tests), `message` a lazy translatable string."""

    code = "bid_refused"

    def __init__(self, message: LazyString | str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class LotNotOpen(BidError):
    code = "lot_not_open"


class LotClosed(BidError):
    code = "lot_closed"


class InvalidAmount(BidError):
    code = "invalid_amount"


class TooLow(BidError):
    code = "too_low"

    def __init__(self, message: LazyString | str, minimum_fen: int) -> None:
        super().__init__(message)
        self.minimum_fen = minimum_fen


class OffIncrement(BidError):
    code = "off_increment"


class AlreadyLeading(BidError):
    code = "already_leading"


class ProxyTooLow(BidError):
    code = "proxy_too_low"

    def __init__(self, message: LazyString | str, minimum_fen: int) -> None:
        super().__init__(message)
        self.minimum_fen = minimum_fen


ERROR_CODES = tuple(
    cls.code for cls in (LotNotOpen, LotClosed, InvalidAmount, TooLow, OffIncrement, AlreadyLeading, ProxyTooLow)
)


# --- queries --------------------------------------------------------------------------------


def minimum_next_bid(rules: LotRules, state: LotState) -> int:
    """The reserve while nobody has bid, else the high bid plus one increment."""
    return rules.reserve_fen if state.high_fen is None else state.high_fen + rules.increment_fen


def is_valid_amount(rules: LotRules, amount_fen: int) -> bool:
    """amount == reserve + k * increment for a whole k >= 0."""
    if not _is_int(amount_fen) or amount_fen < rules.reserve_fen:
        return False
    return (amount_fen - rules.reserve_fen) % rules.increment_fen == 0


def minimum_proxy(rules: LotRules, state: LotState, bidder_id: int) -> int:
    """Lowest maximum `bidder_id` may leave: their own high bid if they lead, else the minimum next bid."""
    if state.high_bidder_id == bidder_id and state.high_fen is not None:
        return state.high_fen
    return minimum_next_bid(rules, state)


def proxy_of(state: LotState, bidder_id: int) -> Proxy | None:
    return next((p for p in state.proxies if p.bidder_id == bidder_id), None)


# --- events ---------------------------------------------------------------------------------


def place_bid(rules: LotRules, state: LotState, bidder_id: int, amount_fen: int, now: datetime) -> BidOutcome:
    """A manual bid, then any proxy counter-bids it triggers."""
    _check_open(state, now)
    if state.high_bidder_id == bidder_id:
        raise AlreadyLeading(_l("You are already the highest bidder."))
    _check_amount(amount_fen)
    minimum = minimum_next_bid(rules, state)
    if amount_fen < minimum:
        if state.high_fen is None:
            message = _l("The first bid must be at least the reserve, %(min)s.", min=format_yuan(minimum))
        else:
            message = _l("Your bid must be at least %(min)s.", min=format_yuan(minimum))
        raise TooLow(message, minimum)
    _check_grid(rules, amount_fen)
    bids = [Bid(bidder_id, amount_fen, now, proxy=False)]
    return _finish(rules, _apply(state, bids), bids, now)


def set_proxy(
    rules: LotRules, state: LotState, bidder_id: int, max_fen: int, now: datetime, seq: int
) -> BidOutcome:
    """Leave, raise or (down to one's own high bid) lower a secret maximum; bids at once if the lot is open."""
    _require_naive(now)
    if now >= state.closes_at:
        raise LotClosed(_l("Bidding on this lot has closed."))
    if any(p.placed_seq >= seq for p in state.proxies if p.bidder_id != bidder_id):
        raise ValueError("seq must be greater than that of every other standing proxy")
    _check_amount(max_fen)
    floor = minimum_proxy(rules, state, bidder_id)
    if max_fen < floor:
        raise ProxyTooLow(_l("Your maximum must be at least %(min)s.", min=format_yuan(floor)), floor)
    _check_grid(rules, max_fen)
    current = proxy_of(state, bidder_id)
    if current is None or current.max_fen != max_fen:
        others = tuple(p for p in state.proxies if p.bidder_id != bidder_id)
        state = replace(state, proxies=(*others, Proxy(bidder_id, max_fen, seq)))
    if now < state.opens_at:
        return BidOutcome(state, ())
    return _finish(rules, state, [], now)


def open_lot(rules: LotRules, state: LotState, now: datetime) -> BidOutcome:
    """Place the maxima left before the lot opened; idempotent (a settled lot gets no bids)."""
    _check_open(state, now)
    return _finish(rules, state, [], now)


# --- proxy resolution ---------------------------------------------------------------------------


def _finish(rules: LotRules, state: LotState, bids: list[Bid], now: datetime) -> BidOutcome:
    """Let proxies answer until nobody can, then apply the extension rule once for `now`."""
    for _ in range(2 * len(state.proxies) + 1):  # each duel settles one challenger for good
        challenger = _best_challenger(rules, state)
        if challenger is None:
            break
        duel = _duel(rules, state, challenger, now)
        state = _apply(state, duel)
        bids.extend(duel)
    else:
        raise RuntimeError("proxy resolution did not settle")  # every duel exhausts a proxy: unreachable
    if bids:
        state = _extend(rules, state, now)
    return BidOutcome(state, tuple(bids))


def _rank(max_fen: int, seq: float) -> tuple[int, float]:
    """Higher maximum first, then earlier commitment; compare with `>`."""
    return max_fen, -seq


def _leader_commitment(state: LotState) -> tuple[int, float]:
    """The leader's (maximum, seq): their proxy if it still covers the high bid, else the bid itself."""
    assert state.high_fen is not None
    proxy = proxy_of(state, state.high_bidder_id)  # type: ignore[arg-type]
    if proxy is not None and proxy.max_fen >= state.high_fen:
        return proxy.max_fen, proxy.placed_seq
    return state.high_fen, _MANUAL_SEQ


def _best_challenger(rules: LotRules, state: LotState) -> Proxy | None:
    """The strongest proxy of a bidder not leading that can still bid (or win a tie at the high bid)."""
    minimum = minimum_next_bid(rules, state)
    leader = _leader_commitment(state) if state.high_fen is not None else None

    def can_bid(p: Proxy) -> bool:
        if p.bidder_id == state.high_bidder_id:
            return False
        if p.max_fen >= minimum:
            return True
        return leader is not None and p.max_fen == state.high_fen and _rank(p.max_fen, p.placed_seq) > _rank(*leader)

    candidates = [p for p in state.proxies if can_bid(p)]
    return max(candidates, key=lambda p: _rank(p.max_fen, p.placed_seq), default=None)


def _duel(rules: LotRules, state: LotState, challenger: Proxy, now: datetime) -> list[Bid]:
    """The bids of one proxy against the leader, compressed to the outcome (see module docstring)."""
    inc = rules.increment_fen

    def bid(bidder_id: int, amount: int) -> Bid:
        return Bid(bidder_id, amount, now, proxy=True)

    c = challenger
    if state.high_fen is None or state.high_bidder_id is None:
        return [bid(c.bidder_id, rules.reserve_fen)]
    leader_id = state.high_bidder_id
    leader_max, leader_seq = _leader_commitment(state)
    minimum = minimum_next_bid(rules, state)
    if _rank(c.max_fen, c.placed_seq) > _rank(leader_max, leader_seq):
        winning = bid(c.bidder_id, min(leader_max + inc, c.max_fen))
        if leader_max >= minimum + inc:  # the leader's proxy can answer an opening bid
            return [bid(c.bidder_id, minimum), bid(leader_id, leader_max), winning]
        return [winning]
    return [bid(c.bidder_id, c.max_fen), bid(leader_id, min(c.max_fen + inc, leader_max))]


# --- helpers --------------------------------------------------------------------------------


def _apply(state: LotState, bids: list[Bid]) -> LotState:
    if not bids:
        return state
    last = bids[-1]
    return replace(
        state, high_fen=last.amount_fen, high_bidder_id=last.bidder_id, bid_count=state.bid_count + len(bids)
    )


def _extend(rules: LotRules, state: LotState, now: datetime) -> LotState:
    """A bid with strictly less than the window left moves the close to now + extension (never earlier)."""
    if state.closes_at - now < timedelta(seconds=rules.extension_window_s):
        extended = now + timedelta(seconds=rules.extension_s)
        if extended > state.closes_at:
            return replace(state, closes_at=extended)
    return state


def _check_open(state: LotState, now: datetime) -> None:
    _require_naive(now)
    if now < state.opens_at:
        raise LotNotOpen(_l("Bidding on this lot has not opened yet."))
    if now >= state.closes_at:
        raise LotClosed(_l("Bidding on this lot has closed."))


def _check_amount(amount_fen: object) -> None:
    if not _is_int(amount_fen) or not 0 < amount_fen <= MAX_FEN:  # type: ignore[operator]
        raise InvalidAmount(_l("Please enter a valid amount."))


def _check_grid(rules: LotRules, amount_fen: int) -> None:
    if not is_valid_amount(rules, amount_fen):
        raise OffIncrement(
            _l(
                "The amount must be the reserve %(reserve)s plus a whole number of increments of %(step)s.",
                reserve=format_yuan(rules.reserve_fen),
                step=format_yuan(rules.increment_fen),
            )
        )


def _require_naive(now: datetime) -> None:
    if now.tzinfo is not None:
        raise TypeError("times must be timezone-naive UTC datetimes")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
