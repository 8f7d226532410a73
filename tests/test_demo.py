from sqlalchemy import func, select

from core.accounts.models import Position, Role, User
from core.accounts.services import is_eligible_bidder
from core.audit import verify_chain
from core.database import db
from core.demo import load_demo
from packages.models import Loan


def test_demo_has_every_role_eligible_and_ineligible_staff_and_loans(app):
    logins = load_demo(loan_count=40)
    db.session.commit()
    users = db.session.scalars(select(User)).all()
    assert set().union(*(u.roles for u in users)) == set(Role)
    assert {u.username for u in users if not is_eligible_bidder(u)} == {"president", "areaaudit", "former"}
    assert any(u.position == Position.PRESIDENT for u in users)
    assert db.session.scalar(select(func.count()).select_from(Loan)) == 40
    assert {"admin", "leader", "auditor", "finance", "emp01"} <= {name for name, _ in logins}
    assert verify_chain() == []


def test_demo_refuses_to_touch_a_database_with_users(app, make_user):
    make_user("existing")
    assert load_demo(loan_count=5) is None
    assert db.session.scalar(select(func.count()).select_from(Loan)) == 0


def test_demo_cli_then_audit_verify(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--loans", "10"])
    assert result.exit_code == 0, result.output
    assert "demo-pass-2026" in result.output
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
