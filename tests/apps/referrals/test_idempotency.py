"""Sending a referral and recording a phoned one are idempotent against a second submission of the same form
(issue 19 item 5), and their free text is cleaned of control and bidirectional-override characters."""

from __future__ import annotations

import pytest

from continuum.apps.accounts.actor import Actor
from continuum.apps.audit.queries import events as audit_events
from continuum.apps.referrals.models import Referral
from tests.django_support import submission_token as token
from tests.people import client_for

from .conftest import CP
from .factories import make_check
from .test_views import answer_everything

pytestmark = pytest.mark.django_db

PHONED = {
    "first_name": "Sam",
    "last_name": "Example",
    "date_of_birth-day": "3",
    "date_of_birth-month": "4",
    "date_of_birth-year": "2016",
    "referrer_name": "Dr Caller",
    "referrer_agency": "Example Surgery",
    "referral_source": "3A",
    "referrer_phone": "01234 567890",
    "referrer_level": "3",
    "concerns": "A burn on the \u202echild's arm\u202c",
    "what_done_so_far": "Examined the child",
    "consent_basis": "not-sought",
    "consent_reason": "Telling the family would put the child at risk",
}


def test_sending_twice_with_the_same_form_sends_once(practitioner: Actor):
    check = make_check(practitioner, CP, 3)
    client = client_for(practitioner)
    answer_everything(client, check.public_id, children=2)
    page = f"/referrals/from-check/{check.public_id}/check-your-answers/"
    data = {"submission": token(client.get(page).content.decode())}
    first = client.post(page, data)
    second = client.post(page, data)  # a double click: the answers are already cleared
    made = list(Referral.objects.order_by("pk"))
    assert len(made) == 2, "one referral per child, once"
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/referrals/{made[0].public_id}/sent/"


def test_a_phoned_referral_posted_twice_is_recorded_once_with_clean_text(worker: Actor):
    client = client_for(worker)
    data = {**PHONED, "submission": token(client.get("/referrals/phoned/").content.decode())}
    first = client.post("/referrals/phoned/", data)
    second = client.post("/referrals/phoned/", data)
    referral = Referral.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/referrals/{referral.public_id}/"
    assert referral.concerns == "A burn on the child's arm"
    assert audit_events().filter(verb="referrals.phoned").count() == 1


def test_phoned_concerns_of_only_invisible_characters_are_refused_with_a_message(worker: Actor):
    response = client_for(worker).post("/referrals/phoned/", {**PHONED, "concerns": "\u200b\u200c\u2060\u202e"})
    assert response.status_code == 400
    assert b"Write down the concerns the caller described" in response.content
    assert not Referral.objects.exists()
