"""Escalations in the API: the raiser and the partnership's readers see them; the read is logged."""

from __future__ import annotations

from typing import Any

import pytest

from continuum.apps.accounts.actor import Role
from continuum.apps.audit.queries import access_log
from tests.apps.escalations.conftest import STAGED, UNSTAGED, two_real_partnerships  # noqa: F401
from tests.apps.escalations.factories import EscalationFactory

from .conftest import error_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def two_partnerships(two_real_partnerships: Any) -> Any:  # noqa: F811
    """Here the partnerships are two real ones (one whose document gives escalation stages)."""
    return two_real_partnerships


def test_the_raiser_lists_and_reads_it_with_its_stages_and_the_read_is_logged(caller):
    worker = caller(Role.FRONT_DOOR_WORKER, STAGED)
    escalation = EscalationFactory(actor=worker.actor)
    listed = worker.get("/api/v1/escalations")
    assert listed.status_code == 200
    assert [e["id"] for e in listed.json()] == [escalation.public_id]
    shown = worker.get(f"/api/v1/escalations/{escalation.public_id}")
    assert shown.status_code == 200, shown.content
    body = shown.json()
    assert body["concern"] == escalation.concern
    assert [s["number"] for s in body["stages"]] == [1]
    assert body["stages"][0]["due_at"] is not None  # the document gives the first stage a timescale
    assert [(e.verb, e.payload["purpose"]) for e in access_log(escalation)] == [("escalations.viewed", "api")]


def test_the_partnerships_front_door_manager_reads_it_and_another_partnership_does_not(caller):
    escalation = EscalationFactory()
    manager = caller(Role.FRONT_DOOR_MANAGER, STAGED)
    elsewhere = caller(Role.FRONT_DOOR_MANAGER, UNSTAGED)
    assert manager.get(f"/api/v1/escalations/{escalation.public_id}").status_code == 200
    response = elsewhere.get(f"/api/v1/escalations/{escalation.public_id}")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert elsewhere.get("/api/v1/escalations").json() == []


def test_a_practitioner_who_did_not_raise_it_sees_nothing(caller):
    escalation = EscalationFactory()
    practitioner = caller(Role.PRACTITIONER, STAGED)
    assert practitioner.get("/api/v1/escalations").json() == []
    assert practitioner.get(f"/api/v1/escalations/{escalation.public_id}").status_code == 404
