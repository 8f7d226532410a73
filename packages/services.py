"""Loan queries and presentation rules for the package desk."""
from __future__ import annotations

from sqlalchemy import Select, select

from core.accounts.models import Branch, Role, User
from packages.models import Loan


def mask_id_number(id_number: str | None) -> str:
    """`430124198001011234` -> `4301**********1234`; short values are fully masked."""
    if not id_number:
        return ""
    if len(id_number) <= 8:
        return "*" * len(id_number)
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


def may_see_id_numbers(user: User) -> bool:
    return user.has_role(Role.ADMIN)


def visible_id_number(loan: Loan, user: User) -> str:
    return loan.id_number or "" if may_see_id_numbers(user) else mask_id_number(loan.id_number)


def loan_query(*, branch_code: str | None = None, search: str | None = None) -> Select:
    query = select(Loan).join(Loan.branch).order_by(Branch.code, Loan.loan_no)
    if branch_code:
        query = query.where(Branch.code == branch_code)
    if search:
        like = f"%{search}%"
        query = query.where(Loan.loan_no.ilike(like) | Loan.borrower.ilike(like) | Loan.township.ilike(like))
    return query
