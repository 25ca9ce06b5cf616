"""Referrals in the API: sent from the caller's stored check through the referrals service; status, scoped and logged."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pytest

from continuum.apps.accounts.actor import Role
from continuum.apps.audit.queries import access_log, events
from continuum.apps.referrals.models import Referral
from tests.apps.referrals.conftest import CP, LUTON, real_frameworks  # noqa: F401
from tests.apps.referrals.factories import child, details, make_check, sent_referral

from .conftest import error_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def two_partnerships(real_frameworks: Any) -> Any:  # noqa: F811
    """Here the partnerships are the repository's (referrals need a document with a front door section)."""
    return real_frameworks


def body(check_id: str, **overrides: Any) -> dict[str, Any]:
    """The JSON a case system sends: the referrals factories' details, dates as ISO text."""
    d = asdict(details(children=[child(first_name="Robin"), child(first_name="Ash")], **overrides))
    for c in d["children"]:
        c["date_of_birth"] = c["date_of_birth"].isoformat() if c["date_of_birth"] else None
    d["consent"]["when"] = d["consent"]["when"].isoformat() if d["consent"]["when"] else None
    return {"check": check_id, **d}


def test_a_referral_is_sent_from_the_callers_check_one_per_child(caller):
    ann = caller(Role.PRACTITIONER, CP)
    check = make_check(ann.actor, CP, level=3)
    response = ann.post("/api/v1/referrals", body(check.public_id))
    assert response.status_code == 201, response.content
    out = response.json()
    assert sorted(r["child_first_name"] for r in out) == ["Ash", "Robin"]
    assert {r["status"] for r in out} == {"received"} and all(r["decision_due"] for r in out)
    made = Referral.objects.filter(public_id__in=[r["id"] for r in out])
    assert made.count() == 2 and {r.referrer_id for r in made} == {ann.user.pk}
    assert events().filter(verb="referrals.submitted").count() == 2


def test_a_consent_refusal_is_400_naming_the_field_and_stores_nothing(caller):
    ann = caller(Role.PRACTITIONER, CP)
    check = make_check(ann.actor, CP, level=3)
    sent = body(check.public_id)
    sent["consent"]["who"] = ""
    response = ann.post("/api/v1/referrals", sent)
    assert response.status_code == 400
    assert error_of(response)["field"] == "consent.who"
    assert not Referral.objects.exists()


def test_someone_elses_check_cannot_be_sent(caller):
    ann, bob = caller(Role.PRACTITIONER, CP), caller(Role.PRACTITIONER, CP)
    check = make_check(ann.actor, CP, level=3)
    response = bob.post("/api/v1/referrals", body(check.public_id))
    assert response.status_code == 400
    assert error_of(response)["field"] == "check"


def test_an_nhs_number_failing_its_check_digit_is_400(caller):
    ann = caller(Role.PRACTITIONER, CP)
    check = make_check(ann.actor, CP, level=3)
    sent = body(check.public_id)
    sent["children"][0]["nhs_number"] = "1234567890"
    response = ann.post("/api/v1/referrals", sent)
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"
    assert not Referral.objects.exists()


def test_the_referrer_and_their_front_door_follow_its_status_and_each_read_is_logged(caller):
    ann = caller(Role.PRACTITIONER, CP)
    referral = sent_referral(ann.actor, CP)
    worker, elsewhere = caller(Role.FRONT_DOOR_WORKER, CP), caller(Role.FRONT_DOOR_WORKER, LUTON)
    stranger = caller(Role.PRACTITIONER, CP)
    for person in (ann, worker):
        response = person.get(f"/api/v1/referrals/{referral.public_id}")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "received" and response.json()["outcome_code"] == ""
    for person in (elsewhere, stranger):
        assert person.get(f"/api/v1/referrals/{referral.public_id}").status_code == 404
    assert [e.actor_user_id for e in access_log(referral)] == [ann.user.pk, worker.user.pk]
    assert [r["id"] for r in ann.get("/api/v1/referrals").json()] == [referral.public_id]
    assert stranger.get("/api/v1/referrals").json() == []


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.PARTNERSHIP_ADMIN], ids=str)
def test_roles_without_referrals_are_refused(caller, role: Role):
    response = caller(role, CP).get("/api/v1/referrals")
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
