"""The hash chain: each event numbered, hashed over its content and its predecessor's hash."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import transaction

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.audit import chain, queries
from continuum.apps.audit.services import record, record_access
from tests.apps.checks.factories import CheckFactory

pytestmark = pytest.mark.django_db

CONTENT = {
    "sequence": 7,
    "created_at": datetime(2026, 12, 4, 17, 0, 0, 5, tzinfo=UTC),
    "actor": "amira",
    "actor_user_id": 3,
    "partnership": "tiny",
    "role": "front-door-worker",
    "request_id": "abc",
    "verb": "checks.viewed",
    "target_type": "checks.check",
    "target_id": "XYZ",
    "payload": {"b": [1, "é"], "a": {"y": True, "x": None}},
    "prev_hash": "f" * 64,
}


def _stored_content(event) -> dict:
    return {name: getattr(event, name) for name in chain.HASHED_FIELDS}


def test_the_canonical_form_is_sorted_compact_utf8_json_with_utc_microseconds():
    text = chain.canonical(**CONTENT).decode("utf-8")
    assert text.startswith('{"actor":{"label":"amira","partnership":"tiny","request_id":"abc"')
    assert '"created_at":"2026-12-04T17:00:00.000005+00:00"' in text
    assert '"payload":{"a":{"x":null,"y":true},"b":[1,"é"]}' in text
    assert " " not in text and '"v":1' in text


def test_the_hash_covers_every_field_and_the_previous_hash():
    base = chain.event_hash(**CONTENT)
    assert base == chain.event_hash(**CONTENT | {"payload": {"a": {"x": None, "y": True}, "b": [1, "é"]}})
    changed = {
        "sequence": 8,
        "created_at": datetime(2026, 12, 4, 17, 0, 0, 6, tzinfo=UTC),
        "actor": "someone",
        "actor_user_id": 4,
        "partnership": "other",
        "role": "auditor",
        "request_id": "abd",
        "verb": "checks.exported",
        "target_type": "checks.other",
        "target_id": "XYY",
        "payload": {"b": [1, "e"], "a": {"y": True, "x": None}},
        "prev_hash": "e" * 64,
    }
    assert set(changed) == set(chain.HASHED_FIELDS)
    for field, value in changed.items():
        assert chain.event_hash(**CONTENT | {field: value}) != base, field


def test_payloads_with_floats_or_non_text_keys_are_refused():
    with pytest.raises(chain.PayloadError, match="score"):
        chain.normalise_payload({"score": 0.5})
    with pytest.raises(chain.PayloadError):
        chain.normalise_payload({1: "x"})
    assert chain.normalise_payload({"levels": (1, 2)}) == {"levels": [1, 2]}


def test_events_are_numbered_and_linked_from_the_genesis(django_user_model):
    check = CheckFactory()  # event 1
    with transaction.atomic():
        second = record("checks.judged", target=check, payload={"judgement": "agree"})
    first = queries.events().get(sequence=1)
    assert (first.prev_hash, second.sequence, second.prev_hash) == (chain.GENESIS, 2, first.hash)
    for event in (first, second):
        event.refresh_from_db()  # as the database gives it back
        assert chain.event_hash(**_stored_content(event)) == event.hash


def test_an_actor_is_stored_whole(django_user_model):
    user = django_user_model.objects.create_user("amira", password="x")
    actor = Actor(user=user, partnership="tiny", role=Role.FRONT_DOOR_WORKER, request_id="req-1")
    check = CheckFactory()
    event = record_access(actor, check, purpose="page")
    event.refresh_from_db()
    assert (event.actor, event.actor_user, event.partnership, event.role, event.request_id) == (
        "amira",
        user,
        "tiny",
        "front-door-worker",
        "req-1",
    )
    assert chain.event_hash(**_stored_content(event)) == event.hash


def test_the_old_label_and_user_keywords_still_work(django_user_model):
    user = django_user_model.objects.create_user("bo", password="x")
    check = CheckFactory()
    with transaction.atomic():
        event = record("checks.judged", target=check, actor="bo", actor_user=user)
    assert (event.actor, event.actor_user, event.partnership, event.role) == ("bo", user, "", "")
    with pytest.raises(TypeError), transaction.atomic():
        record("checks.judged", target=check, actor=Actor(user=user), actor_user=user)


def test_a_refused_payload_writes_nothing():
    check = CheckFactory()
    with pytest.raises(chain.PayloadError), transaction.atomic():
        record("checks.judged", target=check, payload={"confidence": 0.9})
    assert queries.events().count() == 1
