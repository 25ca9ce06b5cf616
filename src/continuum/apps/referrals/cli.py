"""``continuum referrals export``: a partnership's decided referrals for the council's case system.

CSV or JSON with the Children in Need census and Standard Safeguarding Dataset field names
(docs/handoff.md), to standard output or ``--output``. Every export is an audit event
(``referrals.exported``, actor ``system:cli``). Django is set up as ``continuum serve`` sets
it up (``DJANGO_SETTINGS_MODULE``, default the base settings, and ``DATABASE_URL``).
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import NoReturn

import click

EXIT_ERROR = 2


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_ERROR)


@click.group("referrals")
def referrals() -> None:
    """Referrals to the front door: the hand-off to the council's case system."""


@referrals.command("export")
@click.option("--partnership", required=True, help="The partnership (framework id), e.g. luton.")
@click.option("--since", help="Only referrals decided, or whose decision changed, on or after this date (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of standard output."
)
def export_command(partnership: str, since: str | None, fmt: str, output: Path | None) -> None:
    """Export the partnership's decided referrals (one row per child) as CSV or JSON."""
    try:
        day = date.fromisoformat(since) if since else None
    except ValueError:
        _fail(f"--since {since!r}: give a date as YYYY-MM-DD, e.g. 2026-04-01")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "continuum.web.settings.base")
    import django

    django.setup()
    from django.db import DatabaseError

    from continuum.apps.accounts.actor import Actor
    from continuum.apps.referrals.services import ReferralError, export_decided

    try:
        made, content = export_decided(Actor.for_system("cli", partnership), partnership, since=day, fmt=fmt)
    except ReferralError as refusal:
        _fail(refusal.message)
    except DatabaseError as exc:
        _fail(f"cannot read the referrals: {str(exc).strip()} (check DATABASE_URL; `continuum serve` migrates it)")
    if output is not None:
        output.write_text(content, encoding="utf-8")
        click.echo(f"{made.count} referral(s) of {partnership} written to {output}", err=True)
    else:
        click.echo(content, nl=False)
