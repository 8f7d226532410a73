"""The bidding deposit's lifecycle (竞标定金) as one pure transition function.

awaiting --receive--> paid --apply--> applied     (the winner signs: deposit joins the bond)
                      paid --refund--> refunded   (won nothing, once the session has ended)
                      paid --forfeit--> forfeited (a winner who reneged on signing: 违约金)
"""
from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from core.database import ENUM_LABELS, LabelledEnum


class DepositState(LabelledEnum):
    AWAITING = "awaiting"
    PAID = "paid"
    APPLIED = "applied"
    REFUNDED = "refunded"
    FORFEITED = "forfeited"


ENUM_LABELS[DepositState] = {
    DepositState.AWAITING: _l("Awaiting payment"),
    DepositState.PAID: _l("Paid"),
    DepositState.APPLIED: _l("Applied to the performance bond"),
    DepositState.REFUNDED: _l("Refunded"),
    DepositState.FORFEITED: _l("Forfeited"),
}


class DepositEvent(StrEnum):
    RECEIVE = "receive"
    APPLY = "apply"
    REFUND = "refund"
    FORFEIT = "forfeit"


class DepositError(ValueError):
    """An illegal move; `code` is stable for the API, the message is shown to people."""

    def __init__(self, code: str, message):
        super().__init__(str(message))
        self.code = code


_MOVES = {
    (DepositState.AWAITING, DepositEvent.RECEIVE): DepositState.PAID,
    (DepositState.PAID, DepositEvent.APPLY): DepositState.APPLIED,
    (DepositState.PAID, DepositEvent.REFUND): DepositState.REFUNDED,
    (DepositState.PAID, DepositEvent.FORFEIT): DepositState.FORFEITED,
}


def next_deposit_state(current: DepositState, event: DepositEvent, *, won_a_lot: bool = False,
                       reneged: bool = False, session_ended: bool = False) -> DepositState:
    """The state after `event`, or DepositError when the move is not allowed."""
    target = _MOVES.get((current, event))
    if target is None:
        raise DepositError("illegal_transition", _l(
            "This step is not possible for a deposit in the state: %(state)s.", state=current.label))
    if event == DepositEvent.APPLY and not won_a_lot:
        raise DepositError("not_a_winner", _l("Only a winner's deposit is applied to a bond."))
    if event == DepositEvent.REFUND and won_a_lot:
        raise DepositError("winner_not_refunded", _l("A winner's deposit is applied to the bond or forfeited, never refunded."))
    if event == DepositEvent.REFUND and not session_ended:
        raise DepositError("session_not_ended", _l("Deposits are refunded after the session ends."))
    if event == DepositEvent.FORFEIT and not (won_a_lot and reneged):
        raise DepositError("not_reneged", _l("Only the deposit of a winner who did not sign is forfeited."))
    return target
