"""The front door in the API: queue, contact, claim (a lost race is 409), decision (refused field by field)."""

from __future__ import annotations

from typing import Any

import pytest

from continuum.apps.accounts.actor import Role
from continuum.apps.audit.queries import access_log, events
from continuum.apps.frontdoor.models import State, Triage
from tests.apps.frontdoor.conftest import CB, LUTON, real_frameworks  # noqa: F401
from tests.apps.frontdoor.factories import ReferralFactory, triage

from .conftest import error_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def two_partnerships(real_frameworks: Any) -> Any:  # noqa: F811
    """Here the partnerships are the repository's (the front door needs a document with a front door section)."""
    return real_frameworks


def decision(t: Triage, **changes: Any) -> dict[str, Any]:
    rationale = {
        "indicators": {i: "confirmed" for i in t.referral.indicator_ids},
        "added": [],
        "information": "School and health visitor spoken to.",
        "consent_basis": "obtained",
        "consent_detail": "Mother, by phone",
        "level": t.referral.referrer_level,
        "level_reason": "",
    }
    return {"outcome": "0", "police": False, "rationale": rationale | changes}


def test_the_queue_lists_open_contacts_by_deadline_and_the_listing_is_logged(caller):
    worker = caller(Role.FRONT_DOOR_WORKER, CB)
    later, sooner = ReferralFactory(), ReferralFactory()
    type(sooner).objects.filter(pk=sooner.pk).update(decision_due=later.decision_due.replace(year=2020))
    ReferralFactory(partnership=LUTON)
    response = worker.get("/api/v1/front-door/queue")
    assert response.status_code == 200, response.content
    rows = response.json()["rows"]
    assert [r["id"] for r in rows] == [sooner.public_id, later.public_id]
    assert rows[0]["rag"] == "red" and rows[0]["state"] == "new"
    listed = events().filter(verb="frontdoor.listed").get()
    assert sooner.public_id in listed.payload["purpose"] and later.public_id in listed.payload["purpose"]


def test_claim_then_decide_and_the_referrer_is_told_nothing_yet(caller):
    worker = caller(Role.FRONT_DOOR_WORKER, CB)
    t = triage(indicator_ids=["dev-l4-01"])
    claimed = worker.post(f"/api/v1/front-door/contacts/{t.public_id}/claim", {})
    assert claimed.status_code == 200, claimed.content
    assert claimed.json()["state"] == "claimed"
    decided = worker.post(f"/api/v1/front-door/contacts/{t.public_id}/decision", decision(t))
    assert decided.status_code == 200, decided.content
    body = decided.json()
    assert (
        body["state"] == "decided"
        and body["outcome_code"]
        and body["rationale"]["indicators"] == {"dev-l4-01": "confirmed"}
    )
    assert Triage.objects.get(pk=t.pk).state == State.DECIDED
    assert events().filter(verb="frontdoor.decided", target_id=t.public_id).count() == 1


def test_a_claim_someone_else_won_is_409_saying_who(caller):
    ann, bob = caller(Role.FRONT_DOOR_WORKER, CB), caller(Role.FRONT_DOOR_WORKER, CB)
    t = triage()
    assert ann.post(f"/api/v1/front-door/contacts/{t.public_id}/claim", {}).status_code == 200
    lost = bob.post(f"/api/v1/front-door/contacts/{t.public_id}/claim", {})
    assert lost.status_code == 409
    error = error_of(lost)
    assert (error["code"], error["field"]) == ("conflict", "claim")
    assert "Already claimed by" in error["message"]


def test_an_incomplete_decision_is_400_naming_the_first_missing_field_and_changes_nothing(caller):
    worker = caller(Role.FRONT_DOOR_WORKER, CB)
    t = triage(indicator_ids=["dev-l4-01"])
    worker.post(f"/api/v1/front-door/contacts/{t.public_id}/claim", {})
    response = worker.post(f"/api/v1/front-door/contacts/{t.public_id}/decision", decision(t, information=""))
    assert response.status_code == 400
    error = error_of(response)
    assert error["field"] == "information" and "information" in error["message"]
    assert Triage.objects.get(pk=t.pk).state == State.CLAIMED


def test_a_contact_is_read_by_its_partnerships_front_door_only_and_the_read_is_logged(caller):
    t = triage()
    worker, elsewhere = caller(Role.FRONT_DOOR_WORKER, CB), caller(Role.FRONT_DOOR_WORKER, LUTON)
    assert worker.get(f"/api/v1/front-door/contacts/{t.public_id}").status_code == 200
    assert elsewhere.get(f"/api/v1/front-door/contacts/{t.public_id}").status_code == 404
    assert elsewhere.post(f"/api/v1/front-door/contacts/{t.public_id}/claim", {}).status_code == 404
    assert [(e.verb, e.payload["purpose"]) for e in access_log(t)] == [("frontdoor.viewed", "api")]


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.EARLY_HELP, Role.AUDITOR, Role.PARTNERSHIP_ADMIN], ids=str)
def test_roles_outside_the_front_door_are_refused(caller, role: Role):
    person = caller(role, CB)
    t = triage()
    for response in (
        person.get("/api/v1/front-door/queue"),
        person.get(f"/api/v1/front-door/contacts/{t.public_id}"),
    ):
        assert response.status_code == 403
        assert error_of(response)["code"] == "forbidden"
