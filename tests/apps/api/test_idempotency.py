"""``Idempotency-Key`` on every create (ADR 0012, amended): the same key twice stores once and answers the same.

Through the pages' submissions ledger (``govuk.Submission``), scoped by the API token that sent the key:
another token's same key never finds the first token's record. A bad key is 400, the same key with a
different request 422, and a call without a key runs as before.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from continuum.apps.accounts.actor import Role
from continuum.apps.api import services as token_services
from continuum.apps.audit.queries import events
from continuum.apps.checks.models import Check
from continuum.apps.frontdoor.models import State, Triage
from continuum.apps.govuk.models import Submission
from continuum.apps.referrals.models import Referral
from tests.apps.frontdoor.factories import triage
from tests.apps.referrals.conftest import CB, CP, real_frameworks  # noqa: F401
from tests.apps.referrals.factories import make_check

from .conftest import OPERATOR, Caller, error_of
from .test_frontdoor import decision
from .test_referrals import body as referral_body

pytestmark = pytest.mark.django_db

KEY = "6f1d3a52-1c0e-4a55-9d6b-8f3a2b7c9e01"


@pytest.fixture(autouse=True)
def two_partnerships(real_frameworks: Any) -> Any:  # noqa: F811
    """The repository's frameworks: referrals and the front door need documents with a front door section."""
    return real_frameworks


def keyed(key: str) -> dict[str, str]:
    return {"HTTP_IDEMPOTENCY_KEY": key}


def check_body(text: str = "Often late for school") -> dict[str, Any]:
    return {"framework": CP, "indicators": [], "age_years": 8, "text": text}


def second_token(of: Caller) -> Caller:
    """The same person, role and partnership, with another token (another client system, say)."""
    made = token_services.create_token(OPERATOR, of.membership, name="second")
    return Caller(of.user, of.membership, made.secret, made.token.public_id, Client())


# --- stored checks ---------------------------------------------------------------------------


def test_the_same_key_twice_stores_one_check_and_answers_the_same(caller):
    ann = caller(Role.PRACTITIONER, CP)
    first = ann.post("/api/v1/checks", check_body(), **keyed(KEY))
    again = ann.post("/api/v1/checks", check_body(), **keyed(KEY))
    assert first.status_code == again.status_code == 201, (first.content, again.content)
    assert again.json() == first.json()
    assert list(Check.objects.values_list("public_id", flat=True)) == [first.json()["id"]]
    assert events().filter(verb="checks.recorded").count() == 1
    assert Submission.objects.count() == 1


def test_different_keys_store_two_checks(caller):
    ann = caller(Role.PRACTITIONER, CP)
    one = ann.post("/api/v1/checks", check_body(), **keyed(KEY))
    two = ann.post("/api/v1/checks", check_body(), **keyed(KEY + "-2"))
    assert one.status_code == two.status_code == 201
    assert one.json()["id"] != two.json()["id"] and Check.objects.count() == 2


def test_without_a_key_every_call_stores_as_before(caller):
    ann = caller(Role.PRACTITIONER, CP)
    one, two = ann.post("/api/v1/checks", check_body()), ann.post("/api/v1/checks", check_body())
    assert one.status_code == two.status_code == 201
    assert one.json()["id"] != two.json()["id"] and Check.objects.count() == 2
    assert not Submission.objects.exists()


@pytest.mark.parametrize("who", ["another person", "another partnership", "another token of the same role"])
def test_another_tokens_same_key_never_answers_with_the_first_tokens_record(caller, who: str):
    ann = caller(Role.PRACTITIONER, CP)
    other = {
        "another person": lambda: caller(Role.PRACTITIONER, CP),
        "another partnership": lambda: caller(Role.PRACTITIONER, CB, user=ann.user),
        "another token of the same role": lambda: second_token(ann),
    }[who]()
    mine = ann.post("/api/v1/checks", check_body(), **keyed(KEY)).json()
    theirs = other.post("/api/v1/checks", check_body(), **keyed(KEY))
    assert theirs.status_code == 201, theirs.content
    assert theirs.json()["id"] != mine["id"]
    assert Check.objects.count() == 2 and Submission.objects.count() == 2
    # and each token's repeat still finds its own
    assert ann.post("/api/v1/checks", check_body(), **keyed(KEY)).json()["id"] == mine["id"]
    assert other.post("/api/v1/checks", check_body(), **keyed(KEY)).json()["id"] == theirs.json()["id"]


def test_the_ledger_entry_is_scoped_by_the_token(caller):
    ann = caller(Role.PRACTITIONER, CP)
    ann.post("/api/v1/checks", check_body(), **keyed(KEY))
    assert Submission.objects.get().scope == f"api:{ann.token_id}"


@pytest.mark.parametrize(
    "key",
    ["", "   ", "two words", "x" * 256, "tab\there", "new\nline", "del\x7f", "caf\u00e9"],
    ids=["empty", "spaces", "inner space", "256 characters", "tab", "newline", "DEL", "not ASCII"],
)
def test_a_bad_key_is_400_naming_the_header_and_stores_nothing(caller, key: str):
    ann = caller(Role.PRACTITIONER, CP)
    response = ann.post("/api/v1/checks", check_body(), **keyed(key))
    assert response.status_code == 400, response.content
    error = error_of(response)
    assert (error["code"], error["field"]) == ("bad_request", "Idempotency-Key")
    assert "255 visible ASCII characters" in error["message"]
    assert not Check.objects.exists() and not Submission.objects.exists()


def test_a_key_of_255_visible_characters_is_taken(caller):
    ann = caller(Role.PRACTITIONER, CP)
    key = "!~" + "k" * 253
    first = ann.post("/api/v1/checks", check_body(), **keyed(key))
    again = ann.post("/api/v1/checks", check_body(), **keyed(key))
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and Check.objects.count() == 1


def test_the_same_key_with_another_request_is_422_and_stores_nothing(caller):
    ann = caller(Role.PRACTITIONER, CP)
    first = ann.post("/api/v1/checks", check_body("late"), **keyed(KEY)).json()
    response = ann.post("/api/v1/checks", check_body("hungry"), **keyed(KEY))
    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["field"]) == ("invalid", "Idempotency-Key")
    assert "different request" in error["message"]
    assert list(Check.objects.values_list("public_id", flat=True)) == [first["id"]]


def test_a_key_used_on_one_operation_is_refused_on_another(caller):
    """The fingerprint has the path: a check's key sent with a referral is 422, not the check."""
    ann = caller(Role.PRACTITIONER, CP)
    check = make_check(ann.actor, CP, level=3)
    ann.post("/api/v1/checks", check_body(), **keyed(KEY))
    response = ann.post("/api/v1/referrals", referral_body(check.public_id), **keyed(KEY))
    assert response.status_code == 422, response.content
    assert error_of(response)["field"] == "Idempotency-Key"
    assert not Referral.objects.exists()


def test_a_failed_call_stores_nothing_and_its_key_may_be_sent_again(caller):
    ann = caller(Role.PRACTITIONER, CP)
    refused = ann.post("/api/v1/checks", {**check_body(), "indicators": ["nope"]}, **keyed(KEY))
    assert refused.status_code == 400
    assert not Check.objects.exists() and not Submission.objects.exists()
    then = ann.post("/api/v1/checks", check_body(), **keyed(KEY))
    assert then.status_code == 201 and Check.objects.count() == 1


# --- referrals ------------------------------------------------------------------------------


def test_the_same_key_twice_sends_the_referral_once_and_answers_the_same(caller):
    ann = caller(Role.PRACTITIONER, CP)
    check = make_check(ann.actor, CP, level=3)
    sent = referral_body(check.public_id)
    first = ann.post("/api/v1/referrals", sent, **keyed(KEY))
    again = ann.post("/api/v1/referrals", sent, **keyed(KEY))
    assert first.status_code == again.status_code == 201, (first.content, again.content)
    assert again.json() == first.json()
    assert len(first.json()) == 2  # one per child, both answered again
    assert Referral.objects.count() == 2 and events().filter(verb="referrals.submitted").count() == 2


def test_without_a_key_a_resent_referral_is_sent_again_as_before(caller):
    ann = caller(Role.PRACTITIONER, CP)
    check = make_check(ann.actor, CP, level=3)
    assert ann.post("/api/v1/referrals", referral_body(check.public_id)).status_code == 201
    assert ann.post("/api/v1/referrals", referral_body(check.public_id)).status_code == 201
    assert Referral.objects.count() == 4


def test_a_refused_referral_stores_nothing_under_its_key(caller):
    ann = caller(Role.PRACTITIONER, CP)
    check = make_check(ann.actor, CP, level=3)
    sent = referral_body(check.public_id)
    sent["consent"]["who"] = ""
    assert ann.post("/api/v1/referrals", sent, **keyed(KEY)).status_code == 400
    assert not Referral.objects.exists() and not Submission.objects.exists()
    assert ann.post("/api/v1/referrals", referral_body(check.public_id), **keyed(KEY)).status_code == 201


# --- the front door -------------------------------------------------------------------------


def test_a_claim_sent_twice_with_its_key_is_one_claim_answered_the_same(caller):
    worker = caller(Role.FRONT_DOOR_WORKER, CB)
    t = triage()
    path = f"/api/v1/front-door/contacts/{t.public_id}/claim"
    first = worker.post(path, {}, **keyed(KEY))
    again = worker.post(path, {}, **keyed(KEY))
    assert first.status_code == again.status_code == 200, (first.content, again.content)
    assert again.json()["id"] == first.json()["id"] == t.public_id and again.json()["state"] == "claimed"
    assert events().filter(verb="frontdoor.claimed", target_id=t.public_id).count() == 1
    # without the key, the resend is the service's refusal, as before
    assert worker.post(path, {}).status_code == 409


def test_another_workers_same_key_does_not_get_the_first_workers_claim(caller):
    ann, bob = caller(Role.FRONT_DOOR_WORKER, CB), caller(Role.FRONT_DOOR_WORKER, CB)
    t = triage()
    path = f"/api/v1/front-door/contacts/{t.public_id}/claim"
    assert ann.post(path, {}, **keyed(KEY)).status_code == 200
    lost = bob.post(path, {}, **keyed(KEY))
    assert lost.status_code == 409 and "Already claimed by" in error_of(lost)["message"]
    assert Triage.objects.get(pk=t.pk).claimed_by == ann.user


def test_a_decision_sent_twice_with_its_key_is_one_decision_answered_the_same(caller):
    worker = caller(Role.FRONT_DOOR_WORKER, CB)
    t = triage(indicator_ids=["dev-l4-01"])
    worker.post(f"/api/v1/front-door/contacts/{t.public_id}/claim", {})
    path = f"/api/v1/front-door/contacts/{t.public_id}/decision"
    first = worker.post(path, decision(t), **keyed(KEY))
    again = worker.post(path, decision(t), **keyed(KEY))
    assert first.status_code == again.status_code == 200, (first.content, again.content)
    assert again.json() == first.json() and first.json()["state"] == "decided"
    assert events().filter(verb="frontdoor.decided", target_id=t.public_id).count() == 1
    assert Triage.objects.get(pk=t.pk).state == State.DECIDED
    assert worker.post(path, decision(t)).status_code == 409  # without the key: refused, as before


def test_a_refused_decision_leaves_its_key_unused(caller):
    worker = caller(Role.FRONT_DOOR_WORKER, CB)
    t = triage(indicator_ids=["dev-l4-01"])
    worker.post(f"/api/v1/front-door/contacts/{t.public_id}/claim", {})
    path = f"/api/v1/front-door/contacts/{t.public_id}/decision"
    assert worker.post(path, decision(t, information=""), **keyed(KEY)).status_code == 400
    assert not Submission.objects.exists() and Triage.objects.get(pk=t.pk).state == State.CLAIMED
    assert worker.post(path, decision(t), **keyed(KEY)).status_code == 200


# --- the document ---------------------------------------------------------------------------

CREATES = {
    ("/api/v1/checks", "post"),
    ("/api/v1/referrals", "post"),
    ("/api/v1/front-door/contacts/{referral_id}/claim", "post"),
    ("/api/v1/front-door/contacts/{referral_id}/decision", "post"),
}


def test_the_document_offers_the_header_on_every_create_and_nowhere_else():
    document = Client().get("/api/v1/openapi.json").json()
    offering = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            headers = [p for p in operation.get("parameters", []) if p["in"] == "header"]
            if any(p["name"] == "Idempotency-Key" for p in headers):
                offering.add((path, method))
                (header,) = headers
                assert header["required"] is False
                assert header["schema"]["type"] == "string" and header["schema"]["maxLength"] == 255
    assert offering == CREATES
    assert "Idempotency-Key" in document["info"]["description"]
