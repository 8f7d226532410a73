from datetime import timedelta

import pytest
from sqlalchemy import select

from core.accounts.models import ApiToken
from core.database import db
from tests.conftest import TEST_PASSWORD


def assert_error_shape(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response.is_json
    error = response.json["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == code
    assert error["message"]


def test_token_is_issued_for_valid_credentials_and_stored_hashed(client, make_user):
    make_user("wang")
    response = client.post("/api/v1/auth/token", json={"username": "wang", "password": TEST_PASSWORD})
    assert response.status_code == 200
    token = response.json["token"]
    stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert len(stored) == 1 and token not in stored[0]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json["username"] == "wang"
    assert me.json["eligible_to_bid"] is True


def test_wrong_password_gets_401_in_error_shape(client, make_user):
    make_user("wang")
    response = client.post("/api/v1/auth/token", json={"username": "wang", "password": "nope"})
    assert_error_shape(response, 401, "invalid_credentials")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (None, "invalid_json"),
        ([], "invalid_json"),
        ({"username": "wang"}, "invalid_field"),
        ({"username": 5, "password": "x"}, "invalid_field"),
    ],
)
def test_bad_token_requests_get_400_not_500(client, body, code):
    response = client.post("/api/v1/auth/token", json=body) if body is not None else client.post(
        "/api/v1/auth/token", data="not json", content_type="application/json")
    assert_error_shape(response, 400, code)


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-token", "Basic d2FuZzp4"])
def test_api_without_valid_token_is_401(client, header):
    headers = {"Authorization": header} if header else {}
    assert_error_shape(client.get("/api/v1/me", headers=headers), 401, "unauthorized")


def test_expired_token_is_refused(client, api_token):
    headers = api_token("wang")
    row = db.session.scalar(select(ApiToken))
    row.expires_at = row.created_at - timedelta(seconds=1)
    db.session.commit()
    assert_error_shape(client.get("/api/v1/me", headers=headers), 401, "unauthorized")


def test_revoked_token_is_refused(client, api_token):
    headers = api_token("wang")
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert_error_shape(client.get("/api/v1/me", headers=headers), 401, "unauthorized")


def test_session_cookie_does_not_authenticate_the_api(client, login_as):
    login_as("wang", roles="admin")
    assert_error_shape(client.get("/api/v1/loans"), 401, "unauthorized")


def test_role_check_on_api_is_403(client, api_token):
    headers = api_token("emp", roles="employee")
    assert_error_shape(client.get("/api/v1/loans", headers=headers), 403, "forbidden")


def test_unknown_api_path_is_json_404(client):
    assert_error_shape(client.get("/api/v1/nothing-here"), 404, "not_found")


def test_wrong_method_is_json_405(client):
    assert_error_shape(client.get("/api/v1/auth/token"), 405, "method_not_allowed")


def test_loans_api_gives_amounts_as_decimal_strings_and_masks_id_numbers(client, api_token, app):
    from core.demo import load_demo

    load_demo(loan_count=5)
    db.session.commit()
    headers = api_token("boss", roles="committee")
    body = client.get("/api/v1/loans", headers=headers).json
    assert body["total"] == 5
    loan = body["items"][0]
    assert isinstance(loan["principal"], str)
    assert loan["principal"].count(".") == 1 and len(loan["principal"].split(".")[1]) == 2
    assert "*" in loan["id_number"]


def test_token_endpoint_is_rate_limited(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute")
    with app.app_context():
        client = app.test_client()
        for _ in range(2):
            client.post("/api/v1/auth/token", json={"username": "x", "password": "y"})
        assert_error_shape(client.post("/api/v1/auth/token", json={"username": "x", "password": "y"}),
                           429, "too_many_requests")


def test_every_api_route_is_documented_in_openapi(app):
    import json
    import re
    from pathlib import Path

    spec = json.loads((Path(__file__).parents[1] / "docs" / "openapi.json").read_text())
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, f"{method} {path} missing from docs/openapi.json"


def test_token_use_is_recorded_even_by_read_only_calls(client, api_token):
    headers = api_token("wang")
    client.get("/api/v1/me", headers=headers)
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken)).last_used_at is not None
