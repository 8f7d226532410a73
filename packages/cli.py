"""`flask --app wsgi loans import FILE --cutoff 2026-10-31 --user admin`."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from core.accounts.models import User
from core.database import db
from packages import services

loans_cli = AppGroup("loans", help="Import and price written-off loans.")


@loans_cli.command("import")
@click.argument("tape_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--cutoff", "cutoff", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The tape's cut-off date (基准日), YYYY-MM-DD")
@click.option("--user", "username", default=None, help="Record the import as done by this user")
def import_loans(tape_file: Path, cutoff, username: str | None) -> None:
    """Import a loan tape (.xlsx or .csv): every row or none."""
    user = None
    if username:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            click.echo(f"error: no user {username}", err=True)
            sys.exit(1)
    result = services.import_tape(tape_file.read_bytes(), tape_file.name, cutoff_date=cutoff.date(), user=user)
    if result.batch is None:
        db.session.rollback()
        for error in result.errors:
            where = ", ".join(part for part in (
                f"row {error.row}" if error.row else "", error.column or "") if part)
            click.echo(f"error: {where + ': ' if where else ''}{error.message}", err=True)
        click.echo(f"nothing was imported ({len(result.errors)} problems)", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"imported {result.batch.row_count} loans as batch {result.batch.id}")


@loans_cli.command("reprice")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Pricing date (default today)")
def reprice(on) -> None:
    """Re-price every loan that is not in a published package."""
    changed = services.reprice_loans(on.date() if on else date.today())
    db.session.commit()
    click.echo(f"{changed} prices changed")
