"""Role checks for pages and for the token-authenticated API."""
from __future__ import annotations

from functools import wraps

from flask import abort, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from core.accounts.models import Role
from core.accounts.services import user_for_token
from core.errors import ApiError


def roles_required(*roles: Role):
    """Page guard: signed in (else redirect to login) and holding one of `roles` (else 403)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if roles and not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator


def api_roles_required(*roles: Role):
    """API guard: a valid bearer token (else 401) whose user holds one of `roles` (else 403)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            found = user_for_token(token.strip()) if scheme.lower() == "bearer" and token else None
            if found is None:
                raise ApiError("unauthorized", _l("A valid bearer token is required."), 401)
            g.api_user, g.api_token = found
            if roles and not g.api_user.has_role(*roles):
                raise ApiError("forbidden", _l("Your role does not allow this."), 403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator
