"""A change to a front-door decision reaches the referrer the way the first decision did (ADR 0018):
written on the referral (their pages show the outcome in force, that it changed and when) and emailed by
a job, in the revision's transaction with its audit events; what the first feedback withheld stays
withheld, and the front door's reason for the change is never sent."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.audit import queries as audit
from continuum.apps.frontdoor import services
from continuum.apps.frontdoor.models import Triage
from continuum.apps.jobs.worker import run
from continuum.apps.referrals.models import Referral
from continuum.calendar import as_uk

from .conftest import person
from .factories import ReferralFactory
from .test_services import complete_rationale

pytestmark = pytest.mark.django_db(transaction=True)

# Central Bedfordshire's outcomes, by the key the decision form posts.
ADVICE, EARLY_HELP, SECTION_47 = "0", "2", "4"
WHY = "The health visitor has since shared new concerns about the home"


@pytest.fixture
def referrer() -> Actor:
    return person(Role.PRACTITIONER, first_name="Rae", last_name="Referrer")


def decided(worker: Actor, referrer: Actor, outcome: str = ADVICE) -> Triage:
    referral = ReferralFactory(referrer=referrer.user, indicator_ids=["dev-l2-01"])
    t = services.claim(worker, services.open_triage(referral))
    return services.decide(worker, t, outcome=outcome, police=False, rationale=complete_rationale(t))


def told(worker: Actor, t: Triage, **feedback: Any) -> Triage:
    """Feedback sent and its email delivered; the outbox emptied for what follows."""
    t = services.send_feedback(worker, t, **feedback)
    run(batch=True, interval=0.1)
    assert len(mail.outbox) == 1
    mail.outbox.clear()
    return t


def pages(referrer: Actor, referral: Referral) -> tuple[str, str]:
    """The referrer's "Referrals you have sent" and their referral's page."""
    assert not referrer.user.needs_two_factor()  # a practitioner signs in with a password alone
    client = Client()
    client.force_login(referrer.user)
    session = client.session
    session["accounts.acting"] = {"partnership": str(referrer.partnership), "role": str(Role.PRACTITIONER)}
    session.save()
    mine = client.get("/referrals/")
    detail = client.get(f"/referrals/{referral.public_id}/")
    assert mine.status_code == detail.status_code == 200
    return mine.content.decode(), detail.content.decode()


def verbs(target: Any, verb: str) -> list[Any]:
    return list(audit.for_target(target).filter(verb=verb).order_by("sequence"))


def test_a_changed_outcome_reaches_the_referrer_page_and_one_email(worker, manager, referrer):
    t = told(worker, decided(worker, referrer), shared=True, text="Information and advice were given to the family.")
    revision = services.revise_decision(manager, t, outcome=EARLY_HELP, police=False, level=2, reason=WHY)

    referral = Referral.objects.get(pk=t.referral_id)
    assert (referral.outcome_code, referral.outcome_text) == ("early-help", "Early Help or Early Help Plus")
    assert referral.outcome_changed_at is not None and referral.outcome_changed_at >= revision.recorded_at
    [changed] = verbs(referral, "referrals.outcome_changed")
    assert audit.recorded(changed) == {"from": "advice-signpost", "to": "early-help", "shared": True}
    assert changed.actor == manager.label
    [revised] = verbs(t, "frontdoor.decision_revised")
    assert revised.payload["referrer"] == services.REFERRER_TOLD
    assert [e.payload.get("revision") for e in verbs(t, "frontdoor.notified")] == [None, revision.pk]

    run(batch=True, interval=0.1)
    [email] = mail.outbox
    assert email.to == ["referrer@example.org"]
    assert email.subject == f"Your referral {referral.public_id}: the outcome has changed"
    assert "Early Help or Early Help Plus" in email.body and "changed its decision" in email.body
    assert WHY not in email.body

    mine, detail = pages(referrer, referral)
    for page in (mine, detail):
        assert "Early Help or Early Help Plus" in page and "Changed" in page
        assert "Information and advice were given" not in page  # the outcome in force, not the first
        assert WHY not in page
    local = as_uk(referral.outcome_changed_at)
    assert f"changed its decision on {local.day} {local:%B %Y}, {local:%H:%M}" in detail


def test_a_change_to_an_outcome_not_shared_says_it_changed_and_does_not_leak_it(worker, manager, referrer):
    t = told(worker, decided(worker, referrer), shared=False, text="", reason_not_shared="A police enquiry is open")
    services.revise_decision(manager, t, outcome=SECTION_47, police=True, level=4, reason=WHY)

    referral = Referral.objects.get(pk=t.referral_id)
    assert referral.outcome_code == "strategy-s47"  # the front door's record; the referrer is not shown it
    assert (referral.outcome_text, referral.outcome_shared_at) == ("", None)
    assert referral.outcome_not_shared_reason == "A police enquiry is open" and referral.outcome_changed_at
    [revised] = verbs(t, "frontdoor.decision_revised")
    assert revised.payload["referrer"] == services.REFERRER_TOLD_NOT_SHARED

    run(batch=True, interval=0.1)
    [email] = mail.outbox
    assert "changed its decision" in email.body and "A police enquiry is open" in email.body
    mine, detail = pages(referrer, referral)
    assert "Not shared: A police enquiry is open" in detail and "still not appropriate to share" in detail
    assert "Changed" in mine
    withheld = ("Child Protection enquiry", "Section 47", "strategy-s47", "police: true", WHY)
    for text in (email.subject, email.body, mine, detail):
        assert not [w for w in withheld if w in text], text


def test_nothing_reaches_the_referrer_before_feedback_or_when_the_outcome_stays(worker, manager, referrer):
    t = decided(worker, referrer)
    services.revise_decision(manager, t, outcome=EARLY_HELP, police=False, level=2, reason=WHY)
    assert verbs(t, "frontdoor.decision_revised")[-1].payload["referrer"] == services.REFERRER_NOT_YET_TOLD
    referral = Referral.objects.get(pk=t.referral_id)
    assert referral.outcome_code == "" and referral.outcome_changed_at is None
    run(batch=True, interval=0.1)
    assert not mail.outbox

    t = told(worker, t, shared=True, text="Early help will contact the family.")  # carries the outcome in force
    referral.refresh_from_db()
    assert referral.outcome_code == "early-help" and referral.outcome_changed_at is None

    services.revise_decision(manager, t, outcome=EARLY_HELP, police=True, level=3, reason="Police now involved")
    assert verbs(t, "frontdoor.decision_revised")[-1].payload["referrer"] == services.REFERRER_OUTCOME_UNCHANGED
    referral.refresh_from_db()
    assert referral.outcome_text == "Early help will contact the family." and referral.outcome_changed_at is None
    assert not verbs(referral, "referrals.outcome_changed")
    run(batch=True, interval=0.1)
    assert not mail.outbox
