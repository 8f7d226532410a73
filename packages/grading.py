"""Recoverability grading: a pure rule from the five facts on the loan tape."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from core.database import ENUM_LABELS, LabelledEnum


class LoanClass(LabelledEnum):
    POTENTIAL = "potential"
    HARD = "hard"


ENUM_LABELS[LoanClass] = {
    LoanClass.POTENTIAL: _l("Has recovery potential"),
    LoanClass.HARD: _l("Hard to recover"),
}

# The facts that make a loan hard to recover, in the order reasons are listed.
HARD_FACTS = {
    "borrower_deceased": _l("Borrower deceased"),
    "borrower_bankrupt": _l("Borrower declared bankrupt"),
    "borrower_convicted": _l("Borrower convicted of a crime"),
    "guarantor_unable": _l("Guarantor unable to pay"),
    "enforcement_terminated": _l("Court terminated enforcement"),
}


def grade(facts: Any) -> tuple[LoanClass, tuple[str, ...]]:
    """Class and the facts that fired; `facts` is a Loan, a row dict or any object with the five flags."""
    get = facts.get if isinstance(facts, dict) else lambda name: getattr(facts, name)
    reasons = tuple(name for name in HARD_FACTS if get(name))
    return (LoanClass.HARD if reasons else LoanClass.POTENTIAL), reasons


def reason_labels(reasons: str | tuple[str, ...] | None) -> list[str]:
    if isinstance(reasons, str):
        reasons = tuple(r for r in reasons.split(",") if r)
    return [str(HARD_FACTS[r]) for r in reasons or () if r in HARD_FACTS]
