from sqlalchemy import select

from core.audit import AuditEntry
from core.database import db
from tests.conftest import TEST_PASSWORD


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b'name="password"' in response.data


def test_login_and_logout(client, auth, make_user):
    make_user("wang")
    response = auth.login("wang")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_and_audited(client, auth, make_user):
    make_user("wang")
    response = auth.login("wang", "not-the-password")
    assert response.status_code == 200
    assert b"Wrong username or password" in response.data
    assert client.get("/").status_code == 302
    failed = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.login_failed")).all()
    assert [e.object_id for e in failed] == ["wang"]


def test_unknown_user_gets_the_same_message(client, auth):
    assert b"Wrong username or password" in auth.login("nobody").data


def test_staff_who_left_cannot_sign_in(client, auth, make_user):
    make_user("gone", status="left")
    assert b"Wrong username or password" in auth.login("gone").data


def test_session_of_user_who_leaves_ends(client, login_as):
    from core.accounts import services

    user = login_as("wang")
    services.update_user(user, name="Wang", branch_code=None, position="staff", status="left",
                         roles=user.roles, employee_no=None)
    db.session.commit()
    assert client.get("/").status_code == 302


def test_login_redirects_to_next_but_never_off_site(client, auth, make_user):
    make_user("wang")
    response = auth.login("wang", query_string={"next": "/auctions/"})
    assert response.headers["Location"] == "/auctions/"
    auth.logout()
    response = auth.login("wang", query_string={"next": "https://evil.example/phish"})
    assert response.headers["Location"] == "/"
    auth.logout()
    response = auth.login("wang", query_string={"next": "//evil.example"})
    assert response.headers["Location"] == "/"


def test_anonymous_user_is_sent_to_login(client):
    response = client.get("/packages/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_session_cookie_is_httponly_and_samesite(client, auth, make_user):
    make_user("wang")
    auth.login("wang")
    cookie = client.get_cookie("session")
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_forms_without_csrf_token_are_rejected(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        response = client.post("/login", data={"username": "x", "password": "y"})
        assert response.status_code == 400
        assert b"Please reload the page" in response.data
        response = client.post("/language", data={"locale": "en"})
        assert response.status_code == 400


def test_form_with_csrf_token_is_accepted(app_factory):
    import re

    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post("/login", data={"username": "x", "password": "y", "csrf_token": token})
        assert response.status_code == 200
        assert b"Wrong username or password" in response.data


def test_login_attempts_are_rate_limited(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        client = app.test_client()
        codes = [client.post("/login", data={"username": "x", "password": "y"}).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        assert client.get("/login").status_code == 200  # only attempts are limited


def test_password_change_requires_current_password(client, login_as, auth):
    login_as("wang")
    response = client.post("/account/password", data={
        "current_password": "wrong-one", "new_password": "brand-new-pw", "confirm": "brand-new-pw"})
    assert b"current password is wrong" in response.data
    response = client.post("/account/password", data={
        "current_password": TEST_PASSWORD, "new_password": "brand-new-pw", "confirm": "brand-new-pw"})
    assert response.status_code == 302
    auth.logout()
    assert auth.login("wang", "brand-new-pw").status_code == 302


def test_language_switch_is_remembered(client, login_as):
    user = login_as("wang")
    response = client.post("/language", data={"locale": "en", "next": "/auctions/"})
    assert response.headers["Location"] == "/auctions/"
    assert user.locale == "en"
    response = client.post("/language", data={"locale": "klingon", "next": "/"})
    assert user.locale == "en"
