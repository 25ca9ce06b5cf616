"""Fixtures for the audit tests: events to walk, and a way to tamper with them as an attacker would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection, transaction

from continuum.apps.accounts.actor import Actor
from continuum.apps.audit.services import record_access
from tests.apps.checks.factories import CheckFactory

TABLE = "audit_auditevent"


@contextmanager
def refusals_set_aside() -> Iterator[Any]:
    """Lift the database's refusals for the block, as someone with the table owner's rights could.

    PostgreSQL: ``ALTER TABLE ... DISABLE TRIGGER USER``; SQLite: drop the triggers. Both are
    undone at the end of the block (and, in any case, by the test's rolled-back transaction).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending events: ALTER TABLE needs that
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
            yield cursor
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
            triggers = cursor.fetchall()
            assert triggers, "the audit table has its refusing triggers"
            for name, _ in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            yield cursor
            for _, sql in triggers:
                cursor.execute(sql)


@pytest.fixture
def tamper() -> Callable[..., Any]:
    """Run raw SQL against the audit table with the database's refusals lifted."""

    def run(sql: str, params: list[Any] | None = None) -> None:
        with transaction.atomic(), refusals_set_aside() as cursor:
            cursor.execute(sql, params or [])

    return run


@pytest.fixture
def chain_of_ten() -> list[int]:
    """A stored check (event 1) and nine views of it (events 2–10); the events' row ids in order."""
    from continuum.apps.audit.queries import events

    check = CheckFactory()
    actor = Actor.anonymous()
    for n in range(9):
        record_access(actor, check, purpose=f"page {n}")
    ids = list(events().values_list("id", flat=True))
    assert len(ids) == 10
    return ids
