"""What the Django-layer test packages (tests/apps, tests/web) share; the core's tests never import it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from continuum.apps.accounts import partnerships
from continuum.apps.frontdoor import clocks
from continuum.apps.partnerships.catalogue import forget

AUDIT_TABLE = "audit_auditevent"


def mark_as_web(directory: Path) -> Callable[[list[pytest.Item]], None]:
    """A collection hook marking every test under ``directory`` `web` (run again on PostgreSQL)."""

    def hook(items: list[pytest.Item]) -> None:
        for item in items:
            if directory in Path(str(item.fspath)).parents:
                item.add_marker(pytest.mark.web)

    return hook


@pytest.fixture(autouse=True)
def fresh_catalogue() -> Iterator[None]:
    """Forget loaded frameworks between tests: some tests point the service at another directory."""
    forget()
    yield
    forget()


@contextmanager
def frameworks_offered(settings: Any, directory: Path | str) -> Iterator[None]:
    """The service offers the frameworks in ``directory`` for the block (``settings`` is pytest-django's fixture);
    the frameworks, partnerships and calendars loaded are forgotten before it, and the first two after it."""
    settings.CONTINUUM_FRAMEWORKS_DIR = str(directory)
    forget()
    partnerships.forget()
    clocks.forget_calendars()
    yield
    forget()
    partnerships.forget()


def submission_token(html: str, action: str = "") -> str:
    """The submission token of the form (posting to ``action``, when given) on the page."""
    form = html[html.index(f'action="{action}"') :] if action else html
    found = re.search(r'name="submission" value="([0-9a-f-]{36})"', form)
    assert found, "the form carries a submission token"
    return found.group(1)


def let_test_flush_empty_the_audit() -> None:
    """Let the test runner's flush (after each transactional test) empty the audit table.

    The database refuses DELETE (SQLite) and TRUNCATE (PostgreSQL) on audit events, and
    Django's ``flush`` uses exactly those. Around the flush only, and only in tests, the
    refusing triggers are set aside and put back in the same transaction. Outside the test
    suite, ``flush`` of a database with audit events fails, as it should.
    """
    from django.db.backends.postgresql import base as postgres_backend
    from django.db.backends.sqlite3 import base as sqlite_backend

    PostgresOperations = postgres_backend.DatabaseOperations
    SQLiteOperations = sqlite_backend.DatabaseOperations

    postgres_flush, sqlite_flush = PostgresOperations.sql_flush, SQLiteOperations.sql_flush

    def postgres(self: Any, style: Any, tables: Any, **options: Any) -> list[str]:
        sql = postgres_flush(self, style, tables, **options)
        if AUDIT_TABLE not in tables or not sql:
            return sql
        return [
            f"ALTER TABLE {AUDIT_TABLE} DISABLE TRIGGER USER;",
            *sql,
            f"ALTER TABLE {AUDIT_TABLE} ENABLE TRIGGER USER;",
        ]

    def sqlite(self: Any, style: Any, tables: Any, **options: Any) -> list[str]:
        sql = sqlite_flush(self, style, tables, **options)
        if AUDIT_TABLE not in tables or not sql:
            return sql
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [AUDIT_TABLE]
            )
            triggers = cursor.fetchall()
        return [*(f'DROP TRIGGER "{name}";' for name, _ in triggers), *sql, *(create for _, create in triggers)]

    PostgresOperations.sql_flush = postgres  # type: ignore[method-assign]
    SQLiteOperations.sql_flush = sqlite  # type: ignore[method-assign]


let_test_flush_empty_the_audit()
