import pytest

from auction.deposits import DepositError, DepositEvent, DepositState, next_deposit_state

S, E = DepositState, DepositEvent


@pytest.mark.parametrize(
    ("current", "event", "context", "expected"),
    [
        (S.AWAITING, E.RECEIVE, {}, S.PAID),
        (S.PAID, E.APPLY, {"won_a_lot": True}, S.APPLIED),
        (S.PAID, E.REFUND, {"session_ended": True}, S.REFUNDED),
        (S.PAID, E.FORFEIT, {"won_a_lot": True, "reneged": True}, S.FORFEITED),
    ],
)
def test_allowed_moves(current, event, context, expected):
    assert next_deposit_state(current, event, **context) == expected


@pytest.mark.parametrize(
    ("current", "event", "context", "code"),
    [
        (S.AWAITING, E.REFUND, {"session_ended": True}, "illegal_transition"),
        (S.AWAITING, E.APPLY, {"won_a_lot": True}, "illegal_transition"),
        (S.PAID, E.RECEIVE, {}, "illegal_transition"),
        (S.APPLIED, E.REFUND, {"session_ended": True}, "illegal_transition"),
        (S.REFUNDED, E.REFUND, {"session_ended": True}, "illegal_transition"),
        (S.FORFEITED, E.REFUND, {"session_ended": True}, "illegal_transition"),
        (S.REFUNDED, E.FORFEIT, {"won_a_lot": True, "reneged": True}, "illegal_transition"),
        (S.PAID, E.APPLY, {"won_a_lot": False}, "not_a_winner"),
        (S.PAID, E.REFUND, {"won_a_lot": True, "session_ended": True}, "winner_not_refunded"),
        (S.PAID, E.REFUND, {"session_ended": False}, "session_not_ended"),
        (S.PAID, E.FORFEIT, {"won_a_lot": True, "reneged": False}, "not_reneged"),
        (S.PAID, E.FORFEIT, {"won_a_lot": False, "reneged": True}, "not_reneged"),
    ],
)
def test_refused_moves_name_the_rule(current, event, context, code):
    with pytest.raises(DepositError) as refused:
        next_deposit_state(current, event, **context)
    assert refused.value.code == code


def test_every_state_has_a_label():
    assert [str(s.label) for s in DepositState] == [
        "Awaiting payment", "Paid", "Applied to the performance bond", "Refunded", "Forfeited"]
