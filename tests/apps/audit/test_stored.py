"""Every change's event carries the digest of the row it stored, so a stored record changed later
without an event of its own no longer matches its last event."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from continuum.apps.accounts.actor import Actor
from continuum.apps.audit import chain
from continuum.apps.audit.queries import events, for_target, recorded
from continuum.apps.audit.registry import register
from continuum.apps.audit.services import STORED_KEY, record, record_access, stored_digest
from continuum.apps.audit.verify import verify
from tests.apps.checks.factories import CheckFactory

pytestmark = pytest.mark.django_db

CHANGED = register("audittest.changed", "A test's change of a record.")


def test_a_stored_checks_event_carries_the_digest_of_the_row_as_stored():
    check = CheckFactory()
    event = for_target(check).get()
    assert len(event.payload[STORED_KEY]) == 64
    assert event.payload[STORED_KEY] == stored_digest(check)
    assert verify().ok  # the digest is part of the hashed payload


def test_a_row_changed_behind_the_services_back_no_longer_matches_its_event(django_user_model):
    user = django_user_model.objects.create_user("ada", first_name="Ada")
    with transaction.atomic():
        user.first_name = "Ada L."
        user.save()
        event = record(CHANGED, target=user, actor=Actor.for_system("test"), payload={"field": "first_name"})
    assert recorded(event) == {"field": "first_name"}
    assert event.payload[STORED_KEY] == stored_digest(user)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_user SET first_name = %s WHERE id = %s", ["Someone else", user.pk])
    assert stored_digest(user) != event.payload[STORED_KEY]


def test_two_records_have_two_digests_and_a_deleted_one_none(django_user_model):
    ada, bea = django_user_model.objects.create_user("ada"), django_user_model.objects.create_user("bea")
    assert stored_digest(ada) != stored_digest(bea)
    bea_copy = django_user_model(pk=bea.pk)
    bea.delete()
    assert stored_digest(bea_copy) is None


def test_access_events_carry_no_digest():
    check = CheckFactory()
    seen = record_access(Actor.anonymous(), check, purpose="page")
    assert seen.payload == {"purpose": "page"}
    assert events().filter(access=True).get() == seen


def test_a_callers_payload_cannot_take_the_audits_own_key(django_user_model):
    user = django_user_model.objects.create_user("bea")
    with pytest.raises(chain.PayloadError, match=STORED_KEY), transaction.atomic():
        record(CHANGED, target=user, actor=Actor.for_system("test"), payload={STORED_KEY: "0" * 64})
    assert not events().exists()
