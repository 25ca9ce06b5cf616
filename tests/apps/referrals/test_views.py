"""The referral pages through the test client: the send journey, refusals shown, access logged, the export."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.audit import queries as audit
from continuum.apps.referrals import services
from continuum.apps.referrals.models import Referral
from tests.people import client_for

from .conftest import CB, CP, person
from .factories import make_check, sent_referral

pytestmark = pytest.mark.django_db


def answer_everything(client: Client, check: str, children: int = 1) -> None:
    base = f"/referrals/from-check/{check}"
    for n in range(children):
        response = client.post(
            f"{base}/child/?child={n}",
            {
                "first_name": f"Sam{n}",
                "last_name": "Example",
                "date_of_birth-day": "3",
                "date_of_birth-month": "4",
                "date_of_birth-year": str(2015 + n),
                "gender": "2",
            },
        )
        assert response.status_code == 302 and response["Location"].endswith("/children/"), response.content[:2000]
        another = "yes" if n < children - 1 else "no"
        response = client.post(f"{base}/children/", {"another": another})
        assert response.status_code == 302
    assert (
        client.post(
            f"{base}/family/",
            {
                "address": "1 Example Street",
                "postcode": "AB1 2CD",
                "household": "Alex Example, mother",
                "interpreter_needed": "no",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"{base}/referrer/",
            {
                "referrer_name": "Pat Teacher",
                "referrer_agency": "Example School",
                "referral_source": "2A",
                "referrer_email": "pat@example.org",
            },
        ).status_code
        == 302
    )
    assert client.post(f"{base}/what-has-been-done/", {"what_done_so_far": "Met the family"}).status_code == 302
    response = client.post(
        f"{base}/consent/",
        {
            "consent_basis": "obtained",
            "consent_who": "Alex Example",
            "consent_when-day": "5",
            "consent_when-month": "1",
            "consent_when-year": "2026",
            "consent_shared": "The concerns",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("/check-your-answers/")


def test_the_send_journey_makes_one_referral_per_child_and_confirms_with_the_references(practitioner: Actor):
    check = make_check(practitioner, CP, 3)
    client = client_for(practitioner)
    start = client.get(f"/referrals/from-check/{check.public_id}/")
    assert start.status_code == 200 and b"Customer Service Centre" in start.content
    answer_everything(client, check.public_id, children=2)

    answers = client.get(f"/referrals/from-check/{check.public_id}/check-your-answers/")
    assert answers.status_code == 200
    assert b"Sam0 Example" in answers.content and b"Sam1 Example" in answers.content
    response = client.post(f"/referrals/from-check/{check.public_id}/check-your-answers/")
    assert response.status_code == 302
    made = list(Referral.objects.order_by("pk"))
    assert len(made) == 2 and made[0].family_id == made[1].family_id
    assert response["Location"] == f"/referrals/{made[0].public_id}/sent/"

    sent = client.get(response["Location"])
    assert sent.status_code == 200
    assert b"govuk-panel--confirmation" in sent.content
    assert all(r.public_id.encode() in sent.content for r in made)
    assert b"within 1 working day (national guidance)" in sent.content
    assert audit.access_log(made[0]).filter(payload__purpose="confirmation").count() == 1


def test_a_page_answered_before_shows_the_saved_answers(practitioner: Actor):
    check = make_check(practitioner, CP, 3)
    client = client_for(practitioner)
    answer_everything(client, check.public_id)
    base = f"/referrals/from-check/{check.public_id}"
    assert b'value="Sam0"' in client.get(f"{base}/child/?child=0").content
    assert (
        b'name="date_of_birth-year" type="text" inputmode="numeric" value="2015"'
        in client.get(f"{base}/child/?child=0").content
    )
    assert b"1 Example Street</textarea>" in client.get(f"{base}/family/").content
    assert b'<option value="2A" selected>' in client.get(f"{base}/referrer/").content
    consent = client.get(f"{base}/consent/").content
    assert b'value="obtained" checked' in consent and b'value="Alex Example"' in consent


def test_a_service_refusal_on_check_your_answers_links_to_the_page_that_fixes_it(practitioner: Actor):
    check = make_check(practitioner, CP, 3)
    client = client_for(practitioner)
    answer_everything(client, check.public_id)
    session = client.session
    session["referral"]["consent"]["consent_shared"] = ""  # as if the consent page had been skipped
    session.save()
    response = client.post(f"/referrals/from-check/{check.public_id}/check-your-answers/")
    assert response.status_code == 400
    assert b"Enter what was shared with the family" in response.content
    assert f"/referrals/from-check/{check.public_id}/consent/?change=1".encode() in response.content
    assert Referral.objects.count() == 0


def test_question_pages_show_errors_with_the_summary(practitioner: Actor):
    check = make_check(practitioner, CP, 3)
    client = client_for(practitioner)
    response = client.post(f"/referrals/from-check/{check.public_id}/child/", {"first_name": ""})
    assert response.status_code == 400
    assert b"govuk-error-summary" in response.content and b"Enter the child&#x27;s first name" in response.content
    response = client.post(
        f"/referrals/from-check/{check.public_id}/child/",
        {
            "first_name": "A",
            "last_name": "B",
            "date_of_birth-day": "31",
            "date_of_birth-month": "2",
            "date_of_birth-year": "2020",
        },
    )
    assert response.status_code == 400 and b"Date of birth must be a real date" in response.content


def test_the_consent_page_applies_the_services_rule(practitioner: Actor):
    referrer = person(Role.PRACTITIONER, CB)
    check = make_check(referrer, CB, 2)
    client = client_for(referrer)
    client.post(
        f"/referrals/from-check/{check.public_id}/child/",
        {
            "first_name": "A",
            "last_name": "B",
            "date_of_birth-day": "1",
            "date_of_birth-month": "1",
            "date_of_birth-year": "2018",
        },
    )
    response = client.post(
        f"/referrals/from-check/{check.public_id}/consent/", {"consent_basis": "not-sought", "consent_reason": "Risk"}
    )
    assert response.status_code == 400
    assert b"Choose the exception that applies" in response.content
    assert b'id="consent_exception-0"' in response.content


def test_a_check_below_the_referral_level_shows_why_and_no_pages(practitioner: Actor):
    check = make_check(practitioner, CP, 2)
    client = client_for(practitioner)
    start = client.get(f"/referrals/from-check/{check.public_id}/")
    assert start.status_code == 200 and b"refers to" in start.content and b"Start" not in start.content
    assert client.get(f"/referrals/from-check/{check.public_id}/child/")["Location"].endswith(f"/{check.public_id}/")


def test_someone_elses_check_is_not_found_and_the_front_door_cannot_send(practitioner: Actor, worker: Actor):
    check = make_check(practitioner, CP, 3)
    other = person(Role.PRACTITIONER, CP)
    assert client_for(other).get(f"/referrals/from-check/{check.public_id}/").status_code == 404
    assert client_for(worker).get(f"/referrals/from-check/{check.public_id}/").status_code == 403
    assert Client().get(f"/referrals/from-check/{check.public_id}/").status_code == 302  # sign in first


def test_referrals_sent_shows_status_and_the_outcome_only_when_shared(practitioner: Actor, worker: Actor):
    shared, private, waiting = (sent_referral(practitioner) for _ in range(3))
    services.record_outcome_for_referrer(
        worker, shared, outcome_code="early-help", text="Offered early help", shared=True
    )
    services.record_outcome_for_referrer(
        worker,
        private,
        outcome_code="strategy-s47",
        text="",
        shared=False,
        reason_not_shared="A police enquiry is under way",
    )
    page = client_for(practitioner).get("/referrals/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Offered early help" in body and "Not shared: A police enquiry is under way" in body
    assert "strategy-s47" not in body and "Not decided yet" in body
    assert all(r.public_id in body for r in (shared, private, waiting))
    for referral in (shared, private, waiting):
        assert audit.access_log(referral).filter(actor_user=practitioner.user).count() == 1
    assert "Offered early help" not in client_for(person(Role.PRACTITIONER, CP)).get("/referrals/").content.decode()


def test_a_referrals_page_is_for_its_referrer_and_its_front_door_only(practitioner: Actor, worker: Actor):
    referral = sent_referral(practitioner)
    url = f"/referrals/{referral.public_id}/"
    assert client_for(practitioner).get(url).status_code == 200
    assert client_for(worker).get(url).status_code == 200
    assert client_for(person(Role.PRACTITIONER, CP)).get(url).status_code == 404
    assert client_for(person(Role.FRONT_DOOR_WORKER, CB)).get(url).status_code == 404
    assert audit.access_log(referral).filter(payload__purpose="page").count() == 2


def test_the_front_door_records_a_phoned_referrals_written_follow_up(worker: Actor):
    from .factories import details

    [referral] = services.record_phoned_referral(worker, details=details(), concerns="Bruise seen")
    client = client_for(worker)
    page = client.get(f"/referrals/{referral.public_id}/")
    assert b"Record the written follow-up as received" in page.content
    response = client.post(f"/referrals/{referral.public_id}/follow-up/")
    assert response.status_code == 302
    assert Referral.objects.get(pk=referral.pk).written_follow_up_received_at is not None
    again = client.post(f"/referrals/{referral.public_id}/follow-up/")
    assert again.status_code == 400 and b"already recorded" in again.content


def test_managers_download_the_hand_off_and_every_download_is_an_audit_event(
    practitioner: Actor, worker: Actor, manager: Actor
):
    decided, undecided = sent_referral(practitioner), sent_referral(practitioner)
    services.record_outcome_for_referrer(worker, decided, outcome_code="nfa", text="No further action", shared=True)
    assert client_for(worker).get("/referrals/export/").status_code == 403
    client = client_for(manager)
    assert client.get("/referrals/export/").status_code == 200
    response = client.post("/referrals/export/", {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["LAchildID"] for r in rows] == [decided.public_id]
    assert rows[0]["ReferralNFA"] == "1" and rows[0]["ReferralSource"] == "2A"
    response = client.post("/referrals/export/", {"format": "json", "since": "2999-01-01"})
    assert json.loads(response.content)["referrals"] == []
    bad = client.post("/referrals/export/", {"format": "xml", "since": "yesterday"})
    assert bad.status_code == 400 and b"Choose CSV or JSON" in bad.content and b"year-month-day" in bad.content
    exported = list(audit.events().filter(verb="referrals.exported").order_by("sequence"))
    assert [e.payload["references"] for e in exported] == [[decided.public_id], []]
    assert undecided.public_id not in response.content.decode()


def test_no_page_shows_a_traceback_for_an_unknown_reference(practitioner: Actor, settings: Any):
    settings.DEBUG = False
    client = client_for(practitioner)
    assert client.get("/referrals/R-NOPE-NOPE-NOPE/").status_code == 404
    assert client.get("/referrals/R-NOPE-NOPE-NOPE/sent/").status_code == 404
    assert client.get("/referrals/from-check/nope/").status_code == 404


def test_the_front_door_records_a_phoned_referral_on_one_page(worker: Actor, practitioner: Actor):
    client = client_for(worker)
    assert client.get("/referrals/phoned/").status_code == 200
    assert client_for(practitioner).get("/referrals/phoned/").status_code == 403
    empty = client.post("/referrals/phoned/", {})
    assert empty.status_code == 400 and b"Write down the concerns the caller described" in empty.content
    posted = {
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
        "concerns": "A burn on the child's arm",
        "what_done_so_far": "Examined the child",
        "consent_basis": "obtained",
        "consent_who": "Alex Example",
    }
    refused = client.post("/referrals/phoned/", posted)
    assert refused.status_code == 400 and b"Enter the date consent was given" in refused.content
    posted |= {"consent_basis": "not-sought", "consent_reason": "Telling the family would put the child at risk"}
    response = client.post("/referrals/phoned/", posted)
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert response["Location"] == f"/referrals/{referral.public_id}/"
    assert referral.channel == "phone" and referral.referrer_level == 3 and referral.written_follow_up_due is not None
    assert referral.recorded_by == worker.user and referral.concerns == "A burn on the child's arm"


def test_the_checks_result_page_offers_the_referral_where_the_level_calls_for_one(practitioner: Actor):
    at_referral_level, below = make_check(practitioner, CP, 3), make_check(practitioner, CP, 2)
    client = client_for(practitioner)
    page = client.get(f"/checks/{at_referral_level.public_id}/").content.decode()
    assert f'href="/referrals/from-check/{at_referral_level.public_id}/"' in page and "Send a referral" in page
    assert "/referrals/from-check/" not in client.get(f"/checks/{below.public_id}/").content.decode()


def test_a_decided_referral_offers_to_raise_a_disagreement(practitioner: Actor, worker: Actor):
    decided, waiting = sent_referral(practitioner), sent_referral(practitioner)
    services.record_outcome_for_referrer(worker, decided, outcome_code="nfa", text="No further action", shared=True)
    raise_url = f"/escalations/raise/referral/{decided.public_id}/"
    assert raise_url in client_for(practitioner).get(f"/referrals/{decided.public_id}/").content.decode()
    assert (
        "/escalations/raise/" not in client_for(practitioner).get(f"/referrals/{waiting.public_id}/").content.decode()
    )
    assert client_for(practitioner).get(raise_url).status_code == 200


def test_an_answer_changed_from_check_your_answers_goes_back_there(practitioner: Actor):
    check = make_check(practitioner, CP, 3)
    client = client_for(practitioner)
    answer_everything(client, check.public_id, children=2)
    base = f"/referrals/from-check/{check.public_id}"
    answers = f"{base}/check-your-answers/"
    family = {"address": "2 Example Road", "postcode": "AB1 2CD", "interpreter_needed": "no"}
    assert client.post(f"{base}/family/?change=1", family)["Location"] == answers
    assert client.post(f"{base}/what-has-been-done/?change=1", {"what_done_so_far": "Rang mum"})["Location"] == answers
    # a child changed goes by the list of children (another may be added), then back
    child = {"first_name": "Kit", "last_name": "Example", "date_of_birth-day": "1", "date_of_birth-month": "2"}
    moved = client.post(f"{base}/child/?change=1&child=1", {**child, "date_of_birth-year": "2016"})
    assert moved["Location"] == f"{base}/children/?change=1"
    assert client.post(moved["Location"], {"another": "no"})["Location"] == answers
    page = client.get(answers).content.decode()
    assert "2 Example Road" in page and "Rang mum" in page and "Kit Example" in page
    # without ?change=1 the journey goes on as before
    assert client.post(f"{base}/family/", family)["Location"] == f"{base}/referrer/"
