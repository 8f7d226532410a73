"""Jinja filters and the per-role navigation."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.accounts.models import Role
from core.money import format_wan, format_yuan


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    roles: tuple[Role, ...] = ()  # empty: every signed-in user


NAVIGATION = (
    NavItem("home.index", _l("Home")),
    NavItem("packages.index", _l("Package desk"), (Role.ADMIN, Role.COMMITTEE)),
    NavItem("packages.notice_board", _l("Notice board")),
    NavItem("auction.index", _l("Auctions")),
    NavItem("contracts.mine", _l("My contracts"), (Role.EMPLOYEE,)),
    NavItem("contracts.audit_queue", _l("Audit queue"), (Role.AUDITOR,)),
    NavItem("payouts.finance", _l("Finance"), (Role.FINANCE,)),
    NavItem("home.audit_trail", _l("Audit trail"), (Role.AUDITOR, Role.ADMIN)),
    NavItem("accounts.user_list", _l("Staff"), (Role.ADMIN,)),
)


def navigation_for(user) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return [item for item in NAVIGATION if not item.roles or user.has_role(*item.roles)]


def register(app: Flask) -> None:
    app.jinja_env.globals["zip"] = zip
    app.jinja_env.filters.update(
        yuan=format_yuan,
        wan=format_wan,
        datetime=lambda value, fmt="short": format_datetime(value, fmt) if value else "",
        date=lambda value, fmt="medium": format_date(value, fmt) if value else "",
    )

    @app.context_processor
    def layout_context():
        return {
            "nav_items": navigation_for(current_user),
            "languages": current_app.config["LANGUAGES"],
            "current_locale": str(get_locale() or "zh"),
            "current_endpoint": request.endpoint,
        }
