"""Audit events: declared verbs only, append-only, written inside the change's transaction."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from continuum.apps.audit import queries, registry
from continuum.apps.audit.models import AppendOnlyError, AuditEvent
from continuum.apps.audit.services import AuditOutsideTransactionError, record
from continuum.apps.checks.models import Check
from tests.apps.checks.factories import CheckFactory

pytestmark = pytest.mark.django_db


def test_verbs_must_be_app_dot_past_participle():
    with pytest.raises(ValueError):
        registry.register("checks.record", "present tense")
    with pytest.raises(ValueError):
        registry.register("recorded", "no app")
    assert registry.get("checks.recorded").name == "checks.recorded"


def test_every_verb_of_the_checks_app_is_registered():
    names = {v.name for v in registry.all_verbs()}
    assert {"checks.recorded", "checks.judged", "checks.viewed", "checks.exported"} <= names


def test_an_undeclared_verb_is_refused():
    check = CheckFactory()
    with pytest.raises(registry.UnknownVerbError), transaction.atomic():
        record("checks.invented", target=check)


@pytest.mark.django_db(transaction=True)
def test_an_event_outside_a_transaction_is_refused():
    check = CheckFactory()
    with pytest.raises(AuditOutsideTransactionError):
        record("checks.viewed", target=check)


def test_events_cannot_be_changed_or_deleted_through_the_orm():
    CheckFactory()
    event = AuditEvent.objects.get()
    event.actor = "someone else"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(actor="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def _refused(sql: str, params: list | None = None) -> None:
    """The database refuses ``sql`` and keeps the event as it was."""
    before = list(queries.events().values_list("sequence", "hash", "actor"))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])
    assert list(queries.events().values_list("sequence", "hash", "actor")) == before


def test_the_database_refuses_updates_to_events():
    CheckFactory()
    _refused("UPDATE audit_auditevent SET actor = 'tampered'")


def test_the_database_refuses_deleting_an_event():
    CheckFactory()
    _refused("DELETE FROM audit_auditevent WHERE sequence = 1")


def test_the_database_refuses_emptying_the_table():
    """TRUNCATE on PostgreSQL; on SQLite, DELETE without WHERE (its truncate) is refused like any DELETE."""
    CheckFactory()
    _refused("TRUNCATE audit_auditevent" if connection.vendor == "postgresql" else "DELETE FROM audit_auditevent")


def _copy_of_event_one_sql(replace: str) -> str:
    columns = ", ".join(f.column for f in AuditEvent._meta.concrete_fields)
    return f"{replace} audit_auditevent ({columns}) SELECT {columns} FROM audit_auditevent WHERE sequence = 1"


def test_the_database_refuses_replacing_an_event():
    """SQLite's INSERT OR REPLACE deletes the row it collides with (without delete triggers);
    PostgreSQL's form is INSERT ... ON CONFLICT DO UPDATE, which is an update."""
    CheckFactory()
    if connection.vendor == "postgresql":
        _refused(_copy_of_event_one_sql("INSERT INTO") + " ON CONFLICT (id) DO UPDATE SET actor = 'tampered'")
    else:
        _refused(_copy_of_event_one_sql("INSERT OR REPLACE INTO"))


def test_the_database_refuses_an_insert_that_takes_an_events_sequence():
    CheckFactory()
    columns = [f.column for f in AuditEvent._meta.concrete_fields if f.column != "id"]
    listed = ", ".join(columns)
    replace = "INSERT INTO" if connection.vendor == "postgresql" else "INSERT OR REPLACE INTO"
    _refused(f"{replace} audit_auditevent ({listed}) SELECT {listed} FROM audit_auditevent WHERE sequence = 1")
    assert queries.events().count() == 1


def test_event_names_its_target_by_public_id():
    check = CheckFactory()
    event = AuditEvent.objects.get()
    assert (event.target_type, event.target_id) == ("checks.check", check.public_id)
    assert Check.objects.count() == 1
