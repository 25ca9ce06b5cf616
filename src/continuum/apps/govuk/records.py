"""Decision records that stay as recorded (ADR 0018): the shape of a later view, and the database's guard.

A recorded decision (a practitioner's judgement, a front-door decision, an early-help closure, an
escalation's resolution) is written once, on its own row. A change of mind is a :class:`Revision`
row beside it: by a named, signed-in person, with their reason, at a time; never edited, never removed.
The decision in force is the latest revision, else the first record.

:func:`write_once` is a migration operation: a trigger (SQLite and PostgreSQL) that refuses an
UPDATE of a decision's columns once it is recorded; :func:`append_only` refuses any UPDATE of a
revision table (and, on PostgreSQL, a DELETE of its rows; TRUNCATE, which the test runner uses, is
a separate privilege). The application never tries either: the triggers are the backstop.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import migrations, models
from django.db.models import Q


def new_reference(nbytes: int) -> str:
    """A random reference for URLs, pages and exports that starts with a letter or digit.

    ``token_urlsafe`` may start with "-" or "_": a spreadsheet reads a leading "-" as a formula (so
    exports defuse it with a quote and the reference no longer matches), and either is easy to lose
    when read aloud or copied from a line's start.
    """
    while not (reference := secrets.token_urlsafe(nbytes))[0].isalnum():
        continue
    return reference


class Revision(models.Model):
    """A later view of a recorded decision: who (signed in), when, and why. The app adds the decision's own fields."""

    reason = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(db_index=True)

    class Meta:
        abstract = True
        ordering = ("recorded_at", "pk")
        constraints = (models.CheckConstraint(condition=~Q(reason=""), name="%(app_label)s_%(class)s_reason"),)


def _statements(vendor: str, name: str, table: str, when: str, columns: Sequence[str], message: str) -> list[str]:
    if vendor == "sqlite":
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)
        return [
            f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} WHEN ({when}) AND ({changed}) "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"
        ]
    if vendor == "postgresql":
        changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in columns)
        return [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ BEGIN "
            f"IF ({when}) AND ({changed}) THEN RAISE EXCEPTION '{message}'; END IF; RETURN NEW; "
            "END; $$ LANGUAGE plpgsql;",
            f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {name}();",
        ]
    return []


def _drop(vendor: str, name: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name};"]
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name} ON {table};", f"DROP FUNCTION IF EXISTS {name}();"]
    return []


def write_once(name: str, table: str, *, recorded_when: str, columns: Sequence[str]) -> migrations.RunPython:
    """A trigger refusing an UPDATE of ``columns`` of ``table`` on rows where ``recorded_when`` holds.

    ``recorded_when`` is SQL about the row before the update, with ``OLD.`` (e.g. ``OLD.judgement <> ''``).
    """
    message = f"{table}: a recorded decision is not changed; record a revision beside it"

    def forward(apps: Any, schema_editor: Any) -> None:
        for sql in _statements(schema_editor.connection.vendor, name, table, recorded_when, columns, message):
            schema_editor.execute(sql)

    def backward(apps: Any, schema_editor: Any) -> None:
        for sql in _drop(schema_editor.connection.vendor, name, table):
            schema_editor.execute(sql)

    return migrations.RunPython(forward, backward)


def append_only(name: str, table: str) -> migrations.RunPython:
    """A trigger refusing every UPDATE of ``table`` (and, on PostgreSQL, a DELETE of a row)."""
    message = f"{table}: revisions are append-only"

    def forward(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{message}'); END;"
            )
        elif vendor == "postgresql":
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ BEGIN "
                f"RAISE EXCEPTION '{message}'; END; $$ LANGUAGE plpgsql;"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {name}();"
            )

    def backward(apps: Any, schema_editor: Any) -> None:
        for sql in _drop(schema_editor.connection.vendor, name, table):
            schema_editor.execute(sql)

    return migrations.RunPython(forward, backward)
