"""Rules of one lot: manual bids, the extension, proxy (automatic) bidding. Pure, no app."""
from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from auction.bidding import (
    ERROR_CODES,
    Bid,
    BidError,
    LotRules,
    LotState,
    Proxy,
    is_valid_amount,
    minimum_next_bid,
    minimum_proxy,
    open_lot,
    place_bid,
    proxy_of,
    set_proxy,
)
from core.money import MAX_FEN


def yuan(n: int) -> int:
    return n * 100


RULES = LotRules(reserve_fen=yuan(10_000), increment_fen=yuan(1_000))
OPEN = datetime(2025, 3, 1, 2, 0, 0)
CLOSE = OPEN + timedelta(minutes=5)
NOW = OPEN + timedelta(minutes=1)  # 4 minutes left: far from the extension window
A, B, C, X = 1, 2, 3, 9  # bidder ids; X bids by hand


def lot(high: int | None = None, bidder: int | None = None, count: int = 0, proxies=(), closes=CLOSE) -> LotState:
    return LotState(
        high_fen=None if high is None else yuan(high),
        high_bidder_id=bidder,
        bid_count=count,
        closes_at=closes,
        opens_at=OPEN,
        proxies=tuple(proxies),
    )


def trail(bids) -> list[tuple[int, int, str]]:
    """Bids as (bidder, yuan, "manual"/"proxy"): readable in tables."""
    return [(b.bidder_id, b.amount_fen // 100, "proxy" if b.proxy else "manual") for b in bids]


class Script:
    """Plays events against one lot like the database layer will: state in, state out."""

    def __init__(self, state: LotState | None = None, rules: LotRules = RULES) -> None:
        self.rules, self.state, self.seq, self.all_bids = rules, state or lot(), 0, []

    def bid(self, bidder: int, amount_yuan: int, at: datetime = NOW) -> list:
        return self._take(place_bid(self.rules, self.state, bidder, yuan(amount_yuan), at))

    def max(self, bidder: int, max_yuan: int, at: datetime = NOW) -> list:
        self.seq += 1
        return self._take(set_proxy(self.rules, self.state, bidder, yuan(max_yuan), at, self.seq))

    def _take(self, outcome) -> list:
        self.state = outcome.state
        self.all_bids.extend(outcome.bids)
        return trail(outcome.bids)

    @property
    def high(self) -> tuple[int | None, int | None]:
        high = self.state.high_fen
        return self.state.high_bidder_id, None if high is None else high // 100


# --- lot rules and amounts -----------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"reserve_fen": 0, "increment_fen": 100},
        {"reserve_fen": -100, "increment_fen": 100},
        {"reserve_fen": 100, "increment_fen": 0},
        {"reserve_fen": 100, "increment_fen": -1},
        {"reserve_fen": 100.0, "increment_fen": 100},
        {"reserve_fen": True, "increment_fen": 100},
        {"reserve_fen": 100, "increment_fen": 100, "extension_window_s": -1},
        {"reserve_fen": 100, "increment_fen": 100, "extension_s": -1},
    ],
)
def test_lot_rules_need_positive_int_reserve_and_increment(kwargs):
    with pytest.raises(ValueError):
        LotRules(**kwargs)


def test_minimum_next_bid_is_reserve_then_high_plus_increment():
    assert minimum_next_bid(RULES, lot()) == yuan(10_000)
    assert minimum_next_bid(RULES, lot(high=10_000, bidder=A, count=1)) == yuan(11_000)
    assert minimum_next_bid(RULES, lot(high=17_000, bidder=A, count=5)) == yuan(18_000)


@pytest.mark.parametrize(
    "amount, valid",
    [
        (yuan(10_000), True),  # reserve + 0 increments
        (yuan(11_000), True),
        (yuan(25_000), True),
        (yuan(9_000), False),  # on the grid's spacing but below the reserve
        (yuan(10_500), False),
        (yuan(11_000) + 1, False),
        (0, False),
        (-yuan(1_000), False),
        (float(yuan(11_000)), False),  # money is never a float
        (True, False),
    ],
)
def test_valid_amount_is_reserve_plus_whole_increments(amount, valid):
    assert is_valid_amount(RULES, amount) is valid


# --- manual bids ---------------------------------------------------------------------------


def test_first_bid_may_equal_reserve():
    outcome = place_bid(RULES, lot(), X, yuan(10_000), NOW)
    assert outcome.bids == (Bid(X, yuan(10_000), NOW, proxy=False),)
    assert outcome.state == lot(high=10_000, bidder=X, count=1)


@pytest.mark.parametrize(
    "state, amount, accepted",
    [
        (lot(), 9_000, False),  # first bid below the reserve
        (lot(), 10_000, True),
        (lot(), 12_000, True),  # an opening bid may jump above the reserve
        (lot(high=12_000, bidder=A, count=3), 12_000, False),  # equal to the high bid
        (lot(high=12_000, bidder=A, count=3), 11_000, False),
        (lot(high=12_000, bidder=A, count=3), 13_000, True),  # high + one increment
        (lot(high=12_000, bidder=A, count=3), 20_000, True),  # jump bid
    ],
)
def test_later_bids_must_beat_the_high_bid_by_an_increment(state, amount, accepted):
    if accepted:
        outcome = place_bid(RULES, state, X, yuan(amount), NOW)
        assert outcome.state.high_fen == yuan(amount)
        assert outcome.state.high_bidder_id == X
        assert outcome.state.bid_count == state.bid_count + 1
    else:
        with pytest.raises(BidError) as err:
            place_bid(RULES, state, X, yuan(amount), NOW)
        assert err.value.code == "too_low"
        assert err.value.minimum_fen == minimum_next_bid(RULES, state)


def test_too_low_messages_name_the_minimum():
    with pytest.raises(BidError, match=r"^The first bid must be at least the reserve, ¥10,000\.00\.$"):
        place_bid(RULES, lot(), X, yuan(9_000), NOW)
    with pytest.raises(BidError, match=r"^Your bid must be at least ¥13,000\.00\.$"):
        place_bid(RULES, lot(high=12_000, bidder=A, count=3), X, yuan(12_000), NOW)


@pytest.mark.parametrize(
    "state, amount_fen",
    [
        (lot(), yuan(10_500)),
        (lot(), yuan(10_000) + 1),
        (lot(high=12_000, bidder=A, count=3), yuan(13_500)),
        (lot(high=12_000, bidder=A, count=3), yuan(13_000) + 1),
    ],
)
def test_bid_must_be_on_increment_grid(state, amount_fen):
    with pytest.raises(BidError) as err:
        place_bid(RULES, state, X, amount_fen, NOW)
    assert err.value.code == "off_increment"
    assert str(err.value) == (
        "The amount must be the reserve ¥10,000.00 plus a whole number of increments of ¥1,000.00."
    )


def test_below_minimum_and_off_grid_reports_too_low():
    with pytest.raises(BidError) as err:
        place_bid(RULES, lot(high=12_000, bidder=A, count=3), X, yuan(12_500), NOW)
    assert err.value.code == "too_low"


def test_leading_bidder_cannot_outbid_self():
    state = lot(high=12_000, bidder=X, count=3)
    with pytest.raises(BidError, match="^You are already the highest bidder.$") as err:
        place_bid(RULES, state, X, yuan(13_000), NOW)
    assert err.value.code == "already_leading"


def test_leading_by_proxy_cannot_bid_by_hand_either():
    script = Script()
    script.max(A, 15_000)
    with pytest.raises(BidError) as err:
        script.bid(A, 11_000)
    assert err.value.code == "already_leading"


@pytest.mark.parametrize(
    "at, code",
    [
        (OPEN - timedelta(microseconds=1), "lot_not_open"),
        (OPEN - timedelta(hours=1), "lot_not_open"),
        (OPEN, None),
        (CLOSE - timedelta(microseconds=1), None),
        (CLOSE, "lot_closed"),
        (CLOSE + timedelta(seconds=1), "lot_closed"),
    ],
)
def test_no_bids_before_open_or_after_close(at, code):
    if code is None:
        assert place_bid(RULES, lot(), X, yuan(10_000), at).state.high_bidder_id == X
    else:
        with pytest.raises(BidError) as err:
            place_bid(RULES, lot(), X, yuan(10_000), at)
        assert err.value.code == code


@pytest.mark.parametrize(
    "amount",
    [0, -yuan(10_000), float(yuan(10_000)), True, str(yuan(10_000)), None, MAX_FEN + yuan(1_000)],
)
def test_amount_must_be_positive_int_fen(amount):
    with pytest.raises(BidError, match="^Please enter a valid amount.$") as err:
        place_bid(RULES, lot(), X, amount, NOW)
    assert err.value.code == "invalid_amount"


def test_times_must_be_naive_utc():
    with pytest.raises(TypeError):
        place_bid(RULES, lot(), X, yuan(10_000), NOW.replace(tzinfo=timezone.utc))


def test_a_refused_bid_leaves_the_state_alone():
    state = lot(high=12_000, bidder=A, count=3)
    with pytest.raises(BidError):
        place_bid(RULES, state, X, yuan(12_000), NOW)
    assert state == lot(high=12_000, bidder=A, count=3)  # frozen: nothing to undo


# --- extension -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "seconds_left, extends",
    [
        (240, False),
        (60.1, False),
        (60.0, False),  # exactly the window: not "in the last 60 s" (and now + 60 s is the same close)
        (59.9, True),
        (30, True),
        (0.001, True),
    ],
)
def test_bid_in_last_minute_extends_close(seconds_left, extends):
    now = CLOSE - timedelta(seconds=seconds_left)
    closes_at = place_bid(RULES, lot(), X, yuan(10_000), now).state.closes_at
    assert closes_at == (now + timedelta(seconds=60) if extends else CLOSE)


def test_bid_at_59_9_seconds_moves_close_to_60_s_after_the_bid():
    now = CLOSE - timedelta(seconds=59.9)
    assert place_bid(RULES, lot(), X, yuan(10_000), now).state.closes_at == CLOSE + timedelta(seconds=0.1)


def test_bid_at_60_1_seconds_does_not_extend():
    now = CLOSE - timedelta(seconds=60.1)
    assert place_bid(RULES, lot(), X, yuan(10_000), now).state.closes_at == CLOSE


def test_exactly_the_window_left_is_outside_it():
    """Visible only when the extension differs from the window: with 60 s left a 90 s extension is not given."""
    rules = LotRules(reserve_fen=yuan(10_000), increment_fen=yuan(1_000), extension_window_s=60, extension_s=90)
    at_60 = CLOSE - timedelta(seconds=60)
    assert place_bid(rules, lot(), X, yuan(10_000), at_60).state.closes_at == CLOSE
    at_59_9 = CLOSE - timedelta(seconds=59.9)
    assert place_bid(rules, lot(), X, yuan(10_000), at_59_9).state.closes_at == at_59_9 + timedelta(seconds=90)


def test_extension_repeats_with_every_late_bid():
    script = Script()
    at = CLOSE - timedelta(seconds=10)
    for i, bidder in enumerate([A, B, A, B]):
        script.bid(bidder, 10_000 + 1_000 * i, at=at)
        assert script.state.closes_at == at + timedelta(seconds=60)
        at = script.state.closes_at - timedelta(seconds=1)
    assert script.state.closes_at == CLOSE + timedelta(seconds=50 + 3 * 59)
    with pytest.raises(BidError) as err:
        script.bid(A, 14_000, at=script.state.closes_at)
    assert err.value.code == "lot_closed"


def test_extension_never_brings_the_close_forward():
    rules = LotRules(reserve_fen=yuan(10_000), increment_fen=yuan(1_000), extension_window_s=120, extension_s=30)
    at_100 = CLOSE - timedelta(seconds=100)
    assert place_bid(rules, lot(), X, yuan(10_000), at_100).state.closes_at == CLOSE
    at_20 = CLOSE - timedelta(seconds=20)
    assert place_bid(rules, lot(), X, yuan(10_000), at_20).state.closes_at == at_20 + timedelta(seconds=30)


def test_proxy_counter_bid_in_last_minute_extends_once_for_the_event():
    at = CLOSE - timedelta(seconds=5)
    script = Script()
    script.max(A, 20_000)
    assert script.bid(X, 12_000, at=at) == [(X, 12_000, "manual"), (A, 13_000, "proxy")]
    assert script.state.closes_at == at + timedelta(seconds=60)


def test_raising_own_maximum_in_last_minute_does_not_extend():
    script = Script()
    script.max(A, 15_000)
    at = CLOSE - timedelta(seconds=5)
    assert script.max(A, 30_000, at=at) == []
    assert script.state.closes_at == CLOSE


# --- proxy bidding -------------------------------------------------------------------------


def test_proxy_on_a_lot_without_bids_bids_the_reserve():
    script = Script()
    assert script.max(A, 15_000) == [(A, 10_000, "proxy")]
    assert script.high == (A, 10_000)
    assert proxy_of(script.state, A) == Proxy(A, yuan(15_000), 1)


def test_proxy_bids_the_least_needed_to_lead():
    script = Script(lot(high=12_000, bidder=X, count=1))
    assert script.max(B, 20_000) == [(B, 13_000, "proxy")]
    assert script.high == (B, 13_000)


@pytest.mark.parametrize(
    "events, expected_bids, leader",
    [
        # the higher maximum leads at the other maximum + one increment
        ([(A, 20_000), (B, 15_000)], [(B, 15_000, "proxy"), (A, 16_000, "proxy")], (A, 16_000)),
        # the higher maximum arriving second: opens at the minimum, reveals A's maximum, beats it
        ([(A, 15_000), (B, 20_000)], [(B, 11_000, "proxy"), (A, 15_000, "proxy"), (B, 16_000, "proxy")], (B, 16_000)),
        # ... and when A's maximum is just one increment above its bid, no opening bid is needed
        ([(A, 11_000), (B, 20_000)], [(B, 12_000, "proxy")], (B, 12_000)),
        # one increment apart: the higher leads at exactly its own maximum
        ([(A, 16_000), (B, 15_000)], [(B, 15_000, "proxy"), (A, 16_000, "proxy")], (A, 16_000)),
        # equal maxima: the earlier one leads at that amount, the later one is exhausted
        ([(A, 15_000), (B, 15_000)], [(B, 15_000, "proxy"), (A, 15_000, "proxy")], (A, 15_000)),
    ],
)
def test_proxy_duels(events, expected_bids, leader):
    script = Script()
    first, *rest = events
    assert script.max(*first) == [(first[0], 10_000, "proxy")]
    bids = [b for event in rest for b in script.max(*event)]
    assert bids == expected_bids
    assert script.high == leader
    assert script.state.bid_count == 1 + len(expected_bids)


def test_equal_maxima_earlier_wins_even_when_the_later_bidder_led():
    script = Script()
    script.bid(X, 10_000)
    assert script.max(B, 15_000) == [(B, 11_000, "proxy")]
    assert script.max(C, 15_000) == [(C, 15_000, "proxy"), (B, 15_000, "proxy")]
    assert script.high == (B, 15_000)


@pytest.mark.parametrize(
    "manual, expected_bids, leader",
    [
        # below the maximum: the proxy answers manual + increment
        (12_000, [(X, 12_000, "manual"), (A, 13_000, "proxy")], (A, 13_000)),
        (14_000, [(X, 14_000, "manual"), (A, 15_000, "proxy")], (A, 15_000)),
        # equal to the maximum: the earlier commitment (the proxy) keeps the lead at that amount
        (15_000, [(X, 15_000, "manual"), (A, 15_000, "proxy")], (A, 15_000)),
        # above the maximum: the manual bid leads, the proxy is exhausted
        (16_000, [(X, 16_000, "manual")], (X, 16_000)),
        (30_000, [(X, 30_000, "manual")], (X, 30_000)),
    ],
)
def test_proxy_against_manual_bid(manual, expected_bids, leader):
    script = Script()
    script.max(A, 15_000)  # A leads at 10,000 with a secret 15,000
    assert script.bid(X, manual) == expected_bids
    assert script.high == leader


def test_proxy_is_capped_at_its_own_maximum():
    script = Script()
    script.max(A, 15_000)
    script.bid(X, 12_000)  # A answers 13,000
    assert script.bid(X, 14_000) == [(X, 14_000, "manual"), (A, 15_000, "proxy")]
    with pytest.raises(BidError) as err:  # A leads at its maximum: 15,000 is now taken
        script.bid(X, 15_000)
    assert err.value.code == "too_low"
    assert script.bid(X, 16_000) == [(X, 16_000, "manual")]
    assert script.high == (X, 16_000)


def test_raising_ones_own_proxy_does_not_raise_the_price():
    script = Script()
    script.max(B, 12_000)
    script.max(A, 15_000)  # B 12,000, A 13,000
    count = script.state.bid_count
    assert script.max(A, 40_000) == []
    assert script.high == (A, 13_000)
    assert script.state.bid_count == count
    assert proxy_of(script.state, A) == Proxy(A, yuan(40_000), 3)
    # the raised maximum counts from now on
    assert script.bid(X, 30_000) == [(X, 30_000, "manual"), (A, 31_000, "proxy")]


def test_outbid_proxy_owner_may_leave_a_higher_maximum():
    script = Script()
    script.max(A, 15_000)
    script.bid(X, 16_000)
    assert script.max(A, 20_000) == [(A, 17_000, "proxy")]
    assert script.high == (A, 17_000)


def test_exhausted_proxy_owner_may_bid_by_hand_above_it():
    script = Script()
    script.max(A, 12_000)
    script.bid(X, 13_000)
    assert script.bid(A, 14_000) == [(A, 14_000, "manual")]
    assert script.bid(X, 15_000) == [(X, 15_000, "manual")]  # the stale 12,000 never bids again


def test_leader_may_lower_maximum_down_to_own_high_but_not_below():
    script = Script()
    script.max(B, 12_000)
    script.max(A, 15_000)  # A leads at 13,000
    assert minimum_proxy(RULES, script.state, A) == yuan(13_000)
    with pytest.raises(BidError, match=r"^Your maximum must be at least ¥13,000\.00\.$") as err:
        script.max(A, 12_000)
    assert err.value.code == "proxy_too_low"
    assert err.value.minimum_fen == yuan(13_000)
    assert script.max(A, 13_000) == []
    assert script.bid(X, 14_000) == [(X, 14_000, "manual")]


def test_maximum_must_reach_the_minimum_next_bid():
    state = lot(high=12_000, bidder=X, count=1)
    assert minimum_proxy(RULES, state, B) == yuan(13_000)
    with pytest.raises(BidError) as err:
        set_proxy(RULES, state, B, yuan(12_000), NOW, 1)
    assert err.value.code == "proxy_too_low"
    with pytest.raises(BidError) as err:
        set_proxy(RULES, lot(), B, yuan(9_000), NOW, 1)
    assert err.value.code == "proxy_too_low"


@pytest.mark.parametrize(
    "max_fen, at, code",
    [
        (yuan(15_500), NOW, "off_increment"),
        (0, NOW, "invalid_amount"),
        (float(yuan(15_000)), NOW, "invalid_amount"),
        (yuan(15_000), CLOSE, "lot_closed"),
    ],
)
def test_maximum_follows_the_amount_rules(max_fen, at, code):
    with pytest.raises(BidError) as err:
        set_proxy(RULES, lot(), A, max_fen, at, 1)
    assert err.value.code == code


def test_proxy_seq_must_increase():
    state = set_proxy(RULES, lot(), A, yuan(15_000), NOW, 5).state
    with pytest.raises(ValueError):
        set_proxy(RULES, state, B, yuan(20_000), NOW, 5)


# --- maxima left before the lot opens ------------------------------------------------------


def test_maxima_left_before_opening_wait_then_bid_at_open():
    before = OPEN - timedelta(hours=1)
    script = Script()
    assert script.max(A, 15_000, at=before) == []
    assert script.max(B, 20_000, at=before) == []
    assert script.high == (None, None) and script.state.bid_count == 0
    outcome = open_lot(RULES, script.state, OPEN)
    assert trail(outcome.bids) == [(B, 10_000, "proxy"), (A, 15_000, "proxy"), (B, 16_000, "proxy")]
    assert all(b.at == OPEN for b in outcome.bids)
    assert open_lot(RULES, outcome.state, OPEN + timedelta(seconds=1)).bids == ()  # idempotent


def test_open_lot_is_refused_outside_the_bidding_time():
    with pytest.raises(BidError) as err:
        open_lot(RULES, lot(), OPEN - timedelta(seconds=1))
    assert err.value.code == "lot_not_open"
    with pytest.raises(BidError) as err:
        open_lot(RULES, lot(), CLOSE)
    assert err.value.code == "lot_closed"


def test_every_error_code_is_tested_here():
    tested = {"lot_not_open", "lot_closed", "too_low", "off_increment", "already_leading", "invalid_amount",
              "proxy_too_low"}
    assert set(ERROR_CODES) == tested


# --- invariants over many scripted sessions -------------------------------------------------


def assert_legal_history(rules: LotRules, bids: list[Bid], state: LotState) -> None:
    """Each bid legal after the previous one; equal amounts only as the tie-break of a proxy."""
    high, leader = None, None
    for bid in bids:
        assert is_valid_amount(rules, bid.amount_fen)
        assert bid.bidder_id != leader
        if high is not None:
            assert bid.amount_fen >= high + rules.increment_fen or (bid.proxy and bid.amount_fen == high)
        high, leader = bid.amount_fen, bid.bidder_id
    assert (state.high_fen, state.high_bidder_id, state.bid_count) == (high, leader, len(bids))


@pytest.mark.parametrize("seed", range(40))
def test_proxies_alone_end_at_second_maximum_plus_increment(seed):
    """Oracle: the best (maximum, earlier) leads at min(second maximum + increment, own maximum)."""
    rng = random.Random(seed)
    script = Script()
    accepted: list[tuple[int, int, int]] = []  # (max yuan, seq, bidder)
    for bidder in rng.sample(range(1, 30), rng.randint(1, 8)):
        max_yuan = 10_000 + 1_000 * rng.randint(0, 12)
        ranked = sorted(accepted, key=lambda m: (-m[0], m[1]))
        price = None if not ranked else (10_000 if len(ranked) == 1 else min(ranked[1][0] + 1_000, ranked[0][0]))
        if price is not None and max_yuan < price + 1_000:
            with pytest.raises(BidError) as err:
                script.max(bidder, max_yuan)
            assert err.value.code == "proxy_too_low"
            continue
        script.max(bidder, max_yuan)
        accepted.append((max_yuan, script.seq, bidder))
    ranked = sorted(accepted, key=lambda m: (-m[0], m[1]))
    price = 10_000 if len(ranked) == 1 else min(ranked[1][0] + 1_000, ranked[0][0])
    assert script.high == (ranked[0][2], price)
    assert_legal_history(RULES, script.all_bids, script.state)


@pytest.mark.parametrize("seed", range(40))
def test_mixed_sessions_keep_a_legal_history(seed):
    rng = random.Random(1000 + seed)
    script = Script()
    for _ in range(25):
        bidder = rng.randint(1, 5)
        minimum = minimum_proxy(RULES, script.state, bidder) // 100
        amount = minimum + 1_000 * rng.randint(-1, 4)
        try:
            if rng.random() < 0.4:
                script.max(bidder, amount)
            else:
                script.bid(bidder, amount)
        except BidError as err:
            assert err.code in {"too_low", "proxy_too_low", "already_leading"}
    assert_legal_history(RULES, script.all_bids, script.state)
    # no standing proxy of a non-leader could still bid: the lot is settled
    for p in script.state.proxies:
        if p.bidder_id != script.state.high_bidder_id:
            assert p.max_fen < minimum_next_bid(RULES, script.state)


def test_state_replace_keeps_frozen_dataclasses():
    state = lot()
    with pytest.raises(AttributeError):
        state.high_fen = 1  # type: ignore[misc]
    assert replace(state, bid_count=1).bid_count == 1
