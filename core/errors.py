"""Error handling: JSON `{"error": {code, message, details}}` under /api, friendly pages elsewhere."""
from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from core.database import db


class ApiError(Exception):
    def __init__(self, code: str, message: Any, status: int = 400, details: Any = None):
        super().__init__(str(message))
        self.code, self.message, self.status, self.details = code, message, status, details


def error_response(code: str, message: Any, status: int, details: Any = None):
    body = {"error": {"code": code, "message": str(message), "details": details or {}}}
    return jsonify(body), status


PAGE_MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("Your role does not give access to this page."),
    404: _l("This page does not exist."),
    405: _l("This action is not allowed here."),
    413: _l("The file is too large."),
    429: _l("Too many attempts. Please wait a minute and try again."),
    500: _l("Something went wrong on our side. Nothing was saved; please try again."),
}


def _is_api_request() -> bool:
    return request.path.startswith("/api/")


def handle_api_error(exc: ApiError):
    db.session.rollback()
    return error_response(exc.code, exc.message, exc.status, exc.details)


def handle_http_error(exc: HTTPException):
    status = exc.code or 500
    if status >= 500:
        db.session.rollback()
    if _is_api_request():
        code = (exc.name or "error").lower().replace(" ", "_")
        message = PAGE_MESSAGES.get(status, exc.name) if status in (429, 500) else exc.description
        return error_response(code, message, status)
    message = PAGE_MESSAGES.get(status, exc.description)
    return render_template("error.html", status=status, message=message), status


def handle_csrf_error(exc: CSRFError):
    message = _l("The form expired or was sent from elsewhere. Please reload the page and try again.")
    if _is_api_request():
        return error_response("csrf_failed", message, 400)
    return render_template("error.html", status=400, message=message), 400


def handle_unexpected(exc: Exception):
    db.session.rollback()
    return handle_http_error(InternalServerError())


def register_error_handlers(app) -> None:
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    if not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
