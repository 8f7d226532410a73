import re

from sqlalchemy import select

from core.accounts.models import Role, User
from core.database import db
from core.demo import load_demo

ID_PATTERN = re.compile(r"430181\d{11}[\dX]")
MASKED_PATTERN = re.compile(r"4301\*{10}\d{3}[\dX]")


def test_package_desk_shows_full_id_numbers_to_admin_only(client, auth, app):
    load_demo(loan_count=8)
    db.session.commit()
    assert auth.login("admin", "demo-pass-2026").status_code == 302
    admin_page = client.get("/packages/").get_data(as_text=True)
    assert ID_PATTERN.search(admin_page) and not MASKED_PATTERN.search(admin_page)
    auth.logout()
    assert auth.login("president", "demo-pass-2026").status_code == 302
    committee_page = client.get("/packages/").get_data(as_text=True)
    assert MASKED_PATTERN.search(committee_page) and not ID_PATTERN.search(committee_page)


def test_package_desk_filters_by_branch(client, auth, app):
    load_demo(loan_count=30)
    db.session.commit()
    auth.login("admin", "demo-pass-2026")
    page = client.get("/packages/", query_string={"branch": "DY"}).get_data(as_text=True)
    loan_numbers = re.findall(r'>([A-Z]{2}\d{9})</a></td>', page)
    assert loan_numbers and all(no.startswith("DY") for no in loan_numbers)


def test_admin_creates_a_user_in_the_browser(client, login_as):
    login_as("desk", roles="admin")
    response = client.post("/admin/users/new", data={
        "username": "zhao", "name": "赵六", "employee_no": "LY77", "branch": "", "position": "area_auditor",
        "status": "active", "roles": ["auditor", "employee"], "password": "initial-pw-1",
    })
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "zhao"))
    assert user.roles == {Role.AUDITOR, Role.EMPLOYEE}
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "赵六" in listing


def test_user_form_refuses_missing_roles_and_password_with_messages(client, login_as):
    login_as("desk", roles="admin")
    response = client.post("/admin/users/new", data={
        "username": "zhao", "name": "赵六", "position": "staff", "status": "active", "branch": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "An initial password is required" in page
    assert db.session.scalar(select(User).where(User.username == "zhao")) is None


def test_user_form_keeps_input_on_a_service_error(client, login_as, make_user):
    login_as("desk", roles="admin")
    make_user("taken")
    response = client.post("/admin/users/new", data={
        "username": "taken", "name": "重名", "position": "staff", "status": "active", "branch": "",
        "roles": ["employee"], "password": "initial-pw-1"})
    page = response.get_data(as_text=True)
    assert "already taken" in page
    assert 'value="重名"' in page


def test_audit_trail_page_verifies_the_chain(client, login_as):
    login_as("aud", roles="auditor")
    response = client.post("/audit/verify", follow_redirects=True)
    assert "The audit trail is intact" in response.get_data(as_text=True)


def test_auction_page_tells_an_ineligible_user_why(client, login_as):
    login_as("boss", roles="committee", position="president")
    assert "president cannot bid" in client.get("/auctions/").get_data(as_text=True)


def test_long_lists_are_paged_with_working_links(client, auth, app):
    load_demo(loan_count=120)
    db.session.commit()
    auth.login("admin", "demo-pass-2026")
    first = client.get("/packages/", query_string={"branch": ""}).get_data(as_text=True)
    assert "Page 1 of 3" in first
    assert 'href="/packages/?branch=&amp;page=2"' in first
    second = client.get("/packages/", query_string={"branch": "", "page": 2}).get_data(as_text=True)
    assert "Page 2 of 3" in second and "Previous" in second
