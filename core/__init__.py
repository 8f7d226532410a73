"""Shared infrastructure: app factory, database, accounts, money, audit trail, i18n."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_login import current_user

from core.config import PROJECT_ROOT, from_environment
from core.extensions import babel, csrf, db, limiter, login_manager, migrate, socketio


def select_locale() -> str:
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and background work
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if (chosen := session.get("locale")) in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def create_app(test_config: dict | None = None) -> Flask:
    instance_path = Path(os.environ.get("INSTANCE_PATH", PROJECT_ROOT / "instance"))
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(from_environment(instance_path))
    if test_config:
        app.config.from_mapping(test_config)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    socketio.init_app(app)
    _configure_login()

    from core import errors, templating
    errors.register_error_handlers(app)
    templating.register(app)
    _register_blueprints(app)

    from core.cli import register_commands
    register_commands(app)
    return app


def _configure_login() -> None:
    from flask_babel import lazy_gettext as _l

    from core.accounts.models import User

    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.is_active else None


def _register_blueprints(app: Flask) -> None:
    from auction.routes import bp as auction_bp
    from contracts.routes import bp as contracts_bp
    from core.accounts.routes import bp as accounts_bp
    from core.api import bp as api_bp
    from core.home import bp as home_bp
    from packages.api import api_bp as packages_api_bp
    from packages.routes import bp as packages_bp
    from payouts.routes import bp as payouts_bp

    for blueprint in (home_bp, accounts_bp, api_bp, packages_bp, packages_api_bp,
                      auction_bp, contracts_bp, payouts_bp):
        app.register_blueprint(blueprint)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
