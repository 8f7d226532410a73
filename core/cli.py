"""Command-line tools for IT staff: `flask --app wsgi branches|users|audit|demo ...`."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from core.accounts import services
from core.accounts.models import EmploymentStatus, Position
from core.database import db

branches_cli = AppGroup("branches", help="Manage branches.")
users_cli = AppGroup("users", help="Manage staff accounts.")
audit_cli = AppGroup("audit", help="Check the audit trail.")


def _fail(message: str) -> None:
    db.session.rollback()
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@branches_cli.command("create")
@click.argument("code")
@click.argument("name")
def create_branch(code: str, name: str) -> None:
    """Create a branch, e.g. `branches create DY 大瑶支行`."""
    try:
        branch = services.create_branch(code, name)
    except services.AccountError as exc:
        _fail(str(exc))
    db.session.commit()
    click.echo(f"created branch {branch.code} {branch.name}")


@users_cli.command("create")
@click.argument("username")
@click.option("--name", required=True)
@click.option("--roles", default="employee", show_default=True, help="Comma-separated: admin,committee,...")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--branch", "branch_code", default=None, help="Branch code")
@click.option("--position", type=click.Choice([p.value for p in Position]), default=Position.STAFF.value)
@click.option("--status", type=click.Choice([s.value for s in EmploymentStatus]),
              default=EmploymentStatus.ACTIVE.value)
@click.option("--employee-no", default=None)
def create_user(username, name, roles, password, branch_code, position, status, employee_no) -> None:
    """Create a staff account."""
    try:
        user = services.create_user(services.UserData(
            username=username, name=name, password=password, roles=services.parse_roles(roles),
            branch_code=branch_code, position=position, status=status, employee_no=employee_no,
        ))
    except services.AccountError as exc:
        _fail(str(exc))
    db.session.commit()
    click.echo(f"created user {user.username} ({', '.join(sorted(r.value for r in user.roles))})")


@users_cli.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_users(csv_file: Path) -> None:
    """Import a staff list (UTF-8 CSV with columns username,name,password and optionally
    employee_no,branch,position,status,roles). All rows or none are stored."""
    try:
        text = csv_file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = csv_file.read_text(encoding="gb18030")
    report = services.import_users_csv(text)
    if report.errors:
        db.session.rollback()
        for error in report.errors:
            click.echo(f"error: {error}", err=True)
        click.echo("nothing was imported", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"imported {len(report.created)} users")


@audit_cli.command("verify")
def verify() -> None:
    """Recompute the audit trail's hash chain; exit 1 if anything was altered."""
    from core.audit import entry_count, verify_chain

    problems = verify_chain()
    count = entry_count()
    if problems:
        for problem in problems:
            click.echo(f"BROKEN at entry {problem.seq or '-'}: {problem.message}", err=True)
        sys.exit(1)
    click.echo(f"audit trail intact: {count} entries")


@click.command("demo")
@click.option("--loans", default=300, show_default=True)
@click.option("--seed", default=2026, show_default=True)
def demo(loans: int, seed: int) -> None:
    """Fill an empty database with a believable branch network, staff and loans."""
    from core.demo import DEMO_PASSWORD, load_demo

    created = load_demo(loan_count=loans, seed=seed)
    if created is None:
        click.echo("database already has users; demo data not loaded")
        return
    db.session.commit()
    click.echo(f"demo data loaded; every demo login uses the password {DEMO_PASSWORD}")
    for username, label in created:
        click.echo(f"  {username:<12} {label}")


def register_commands(app: Flask) -> None:
    from packages.cli import loans_cli

    for command in (branches_cli, users_cli, audit_cli, demo, loans_cli):
        app.cli.add_command(command)
