import pytest
from sqlalchemy import func, select

from core.accounts import services
from core.accounts.models import EmploymentStatus, Position, Role, User
from core.audit import AuditEntry
from core.database import db


@pytest.mark.parametrize(
    ("position", "status", "eligible"),
    [
        (Position.STAFF, EmploymentStatus.ACTIVE, True),
        (Position.STAFF, EmploymentStatus.RETIRED, True),
        (Position.LOAN_OFFICER, EmploymentStatus.ACTIVE, True),
        (Position.BRANCH_MANAGER, EmploymentStatus.ACTIVE, True),
        (Position.STAFF, EmploymentStatus.LEFT, False),
        (Position.PRESIDENT, EmploymentStatus.ACTIVE, False),
        (Position.PRESIDENT, EmploymentStatus.RETIRED, False),
        (Position.AREA_AUDITOR, EmploymentStatus.ACTIVE, False),
        (Position.AREA_AUDITOR, EmploymentStatus.RETIRED, False),
    ],
)
def test_bidding_eligibility(position, status, eligible):
    user = User(username="x", name="X", position=position, status=status, password_hash="-")
    assert services.is_eligible_bidder(user) is eligible
    assert (services.bidding_ineligibility_reason(user) is None) is eligible


def test_ineligibility_reason_names_the_rule():
    president = User(username="p", name="P", position=Position.PRESIDENT,
                     status=EmploymentStatus.ACTIVE, password_hash="-")
    assert "president" in services.bidding_ineligibility_reason(president)


def test_create_user_is_audited_with_its_roles(app):
    services.create_branch("DY", "大瑶支行")
    user = services.create_user(services.UserData(
        username="li", name="李明", password="long-enough", roles={Role.EMPLOYEE, Role.FINANCE},
        branch_code="dy", employee_no="LY0001",
    ))
    db.session.commit()
    assert user.roles == {Role.EMPLOYEE, Role.FINANCE}
    assert user.branch.code == "DY"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.create"))
    assert entry.after_data["roles"] == ["employee", "finance"]
    assert entry.after_data["branch_code"] == "DY"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"username": "taken"}, "already taken"),
        ({"employee_no": "E1"}, "already used"),
        ({"password": "short"}, "at least 8"),
        ({"roles": set()}, "at least one role"),
        ({"branch_code": "XX"}, "Unknown branch"),
        ({"position": "ceo"}, "Unknown position"),
        ({"status": "fired"}, "Unknown status"),
        ({"name": "  "}, "needs a username and a name"),
    ],
)
def test_create_user_refuses_bad_input(app, changes, message):
    services.create_user(services.UserData(username="taken", name="T", password="long-enough",
                                           employee_no="E1"))
    data = dict(username="new", name="New", password="long-enough", roles={Role.EMPLOYEE})
    data.update(changes)
    with pytest.raises(services.AccountError, match=message):
        services.create_user(services.UserData(**data))


def test_parse_roles_accepts_chinese_comma_and_refuses_unknown_roles():
    assert services.parse_roles("admin，committee, ") == {Role.ADMIN, Role.COMMITTEE}
    with pytest.raises(services.AccountError, match="Unknown role boss"):
        services.parse_roles("admin,boss")


def test_admin_cannot_remove_own_admin_role(app, make_user):
    admin = make_user("desk", "admin")
    with pytest.raises(services.AccountError, match="own administrator role"):
        services.update_user(admin, name="Desk", branch_code=None, position="staff", status="active",
                             roles={Role.EMPLOYEE}, employee_no=None, changed_by=admin)


def test_update_user_records_before_and_after(app, make_user):
    user = make_user("wang", "employee")
    services.update_user(user, name="Wang", branch_code=None, position="staff", status="retired",
                         roles={Role.EMPLOYEE}, employee_no=None)
    db.session.commit()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.update"))
    assert (entry.before_data["status"], entry.after_data["status"]) == ("active", "retired")


STAFF_CSV = """username,name,employee_no,branch,position,status,roles,password
zhang,张三,LY1001,DY,staff,active,employee,long-enough-1
li,李四,LY1002,DY,president,active,"committee",long-enough-2
"""


def test_import_staff_csv_creates_everyone(app):
    services.create_branch("DY", "大瑶支行")
    report = services.import_users_csv("\ufeff" + STAFF_CSV)
    assert report.errors == []
    assert [u.username for u in report.created] == ["zhang", "li"]
    assert report.created[1].position == Position.PRESIDENT


def test_import_staff_csv_reports_every_bad_row_and_stores_nothing(app):
    services.create_branch("DY", "大瑶支行")
    bad = STAFF_CSV + "wu,吴五,LY1003,ZZ,staff,active,employee,long-enough\nzhang,重复,LY1004,DY,staff,active,employee,x\n"
    report = services.import_users_csv(bad)
    assert report.created == []
    assert len(report.errors) == 2
    assert report.errors[0].startswith("Row 4:") and "ZZ" in report.errors[0]
    assert report.errors[1].startswith("Row 5:") and "already taken" in report.errors[1]


def test_cli_creates_branch_and_user_and_imports_staff(app, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["branches", "create", "DY", "大瑶支行"]).exit_code == 0
    result = runner.invoke(args=[
        "users", "create", "desk", "--name", "周建国", "--roles", "admin,committee",
        "--password", "long-enough", "--branch", "DY", "--position", "staff", "--employee-no", "LY9",
    ])
    assert result.exit_code == 0, result.output
    desk = db.session.scalar(select(User).where(User.username == "desk"))
    assert desk.roles == {Role.ADMIN, Role.COMMITTEE}
    csv_file = tmp_path / "staff.csv"
    csv_file.write_text(STAFF_CSV, encoding="gb18030")
    result = runner.invoke(args=["users", "import", str(csv_file)])
    assert result.exit_code == 0, result.output
    assert "imported 2 users" in result.output


def test_cli_import_with_errors_exits_non_zero_and_stores_nothing(app, tmp_path):
    csv_file = tmp_path / "staff.csv"
    csv_file.write_text(STAFF_CSV, encoding="utf-8")  # branch DY does not exist
    result = app.test_cli_runner().invoke(args=["users", "import", str(csv_file)])
    assert result.exit_code == 1
    assert "nothing was imported" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_cli_refuses_duplicate_branch(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["branches", "create", "DY", "大瑶支行"])
    result = runner.invoke(args=["branches", "create", "dy", "again"])
    assert result.exit_code == 1
    assert "already exists" in result.output
