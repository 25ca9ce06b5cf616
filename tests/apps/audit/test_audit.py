"""Audit events: declared verbs only, append-only, written inside the change's transaction."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from continuum.apps.audit import registry
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


def test_the_database_refuses_updates_to_events():
    CheckFactory()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor = 'tampered'")
    assert AuditEvent.objects.get().actor == "anonymous"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the DELETE trigger is PostgreSQL-only (SQLite test runs empty tables with DELETE); "
    "this runs in make test's PostgreSQL pass",
)
def test_postgresql_refuses_deleting_events():
    CheckFactory()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")


def test_event_names_its_target_by_public_id():
    check = CheckFactory()
    event = AuditEvent.objects.get()
    assert (event.target_type, event.target_id) == ("checks.check", check.public_id)
    assert Check.objects.count() == 1
