"""JSON API conventions: one error shape, strict bodies, token issuing."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import lazy_gettext as _l

from core.database import db
from core.errors import ApiError
from core.extensions import csrf, limiter
from core.security import api_roles_required

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, not cookies: no cross-site request can carry one


def json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError("invalid_json", _l("The request body must be a JSON object."), 400)
    return data


def require_str(data: dict, key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ApiError("invalid_field", _l("Field %(field)s is required.", field=key), 400, {"field": key})
    return value


@bp.post("/auth/token")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def issue_token():
    from core.accounts.services import authenticate, issue_token as issue

    data = json_body()
    user = authenticate(require_str(data, "username"), require_str(data, "password"))
    if user is None:
        raise ApiError("invalid_credentials", _l("Wrong username or password."), 401)
    token, row = issue(user, current_app.config["API_TOKEN_HOURS"])
    db.session.commit()
    return jsonify(token=token, expires_at=row.expires_at.isoformat() + "Z")


@bp.delete("/auth/token")
@api_roles_required()
def revoke_token():
    from core.accounts.services import revoke_token as revoke

    revoke(g.api_token)
    db.session.commit()
    return "", 204


@bp.get("/me")
@api_roles_required()
def me():
    from core.accounts.services import bidding_ineligibility_reason

    user = g.api_user
    return jsonify(
        id=user.id,
        username=user.username,
        name=user.name,
        employee_no=user.employee_no,
        branch=user.branch.code if user.branch else None,
        position=user.position.value,
        status=user.status.value,
        roles=sorted(r.value for r in user.roles),
        eligible_to_bid=bidding_ineligibility_reason(user) is None,
    )
