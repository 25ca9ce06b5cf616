"""``continuum audit``: check the audit hash chain, and show the newest events.

``continuum audit verify`` walks the whole chain and reports the first broken link (exit
status 1), or that it is intact (0); ``--json`` for programs. Django is set up the way
``continuum serve`` sets it up (``DJANGO_SETTINGS_MODULE``, default the base settings, and
``DATABASE_URL``), but nothing is migrated: verifying only reads.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, NoReturn

import click

EXIT_BROKEN = 1
EXIT_ERROR = 2


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "continuum.web.settings.base")
    import django

    django.setup()


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _database_error(exc: Exception) -> NoReturn:
    from django.db import connection

    where = connection.settings_dict.get("HOST") or connection.settings_dict.get("NAME")
    _fail(
        f"cannot read the audit from the {connection.vendor} database at {where}: {str(exc).strip()}\n"
        "Check DATABASE_URL, and that the database has been set up (`continuum serve` migrates it)."
    )


@click.group("audit")
def audit() -> None:
    """The append-only, hash-chained audit of every change and every view."""


@audit.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--chunk-size", default=5000, show_default=True, type=click.IntRange(100, 1_000_000), help="Rows per batch read."
)
def verify_command(as_json: bool, chunk_size: int) -> None:
    """Walk the hash chain in order and report the first broken link (exit status 1 if there is one)."""
    _django()
    from django.db import DatabaseError

    from continuum.apps.audit.verify import PROBLEMS, verify

    try:
        result = verify(chunk_size=chunk_size)
    except DatabaseError as exc:
        _database_error(exc)
    if as_json:
        click.echo(json.dumps(result.as_json(), indent=2))
    elif result.broken is None:
        if result.events == 0:
            click.echo("The audit chain is empty: there are no events yet.")
        else:
            click.echo(
                f"The audit chain is intact: {result.events:,} events. "
                f"The last is #{result.last_sequence}, hash {result.last_hash}."
            )
    else:
        broken = result.broken
        click.echo(
            f"The audit chain is BROKEN at event #{broken.sequence} (row id {broken.id}): {PROBLEMS[broken.problem]}."
        )
        click.echo(f"  {broken.detail}")
        if result.last_sequence is not None:
            click.echo(f"  Events #1 to #{result.last_sequence} verified intact (last hash {result.last_hash}).")
        else:
            click.echo("  No event before it verified intact.")
    if not result.ok:
        sys.exit(EXIT_BROKEN)


@audit.command("tail")
@click.option("-n", "count", default=20, show_default=True, type=click.IntRange(1, 10_000), help="How many events.")
@click.option("--json", "as_json", is_flag=True, help="Print the events as JSON.")
def tail_command(count: int, as_json: bool) -> None:
    """Show the newest events, oldest first."""
    _django()
    from django.db import DatabaseError

    from continuum.apps.audit.queries import events

    fields = ("sequence", "created_at", "actor", "partnership", "role", "verb", "target_type", "target_id", "payload")
    try:
        rows: list[dict[str, Any]] = list(events().order_by("-sequence").values(*fields, "hash")[:count])
    except DatabaseError as exc:
        _database_error(exc)
    rows.reverse()
    if as_json:
        click.echo(json.dumps([row | {"created_at": row["created_at"].isoformat()} for row in rows], indent=2))
        return
    for row in rows:
        where = f" [{row['role']} @ {row['partnership']}]" if row["partnership"] or row["role"] else ""
        click.echo(
            f"#{row['sequence']} {row['created_at']:%Y-%m-%d %H:%M:%S} {row['actor']}{where} {row['verb']} "
            f"{row['target_type']}:{row['target_id']} {json.dumps(row['payload'], sort_keys=True)}"
        )
