"""A front-door decision stays as recorded (ADR 0018); a change is a new, attributed entry beside it. Every
create at the front door is idempotent against a second submission of the same form; its text is cleaned."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.accounts.permissions import Refused
from continuum.apps.audit import queries as audit
from continuum.apps.frontdoor import services
from continuum.apps.frontdoor.models import AgencyCheck, DecisionRevision, Match, State, Triage
from tests.django_support import submission_token as token
from tests.people import client_for

from .conftest import person
from .factories import triage
from .test_services import complete_rationale

pytestmark = pytest.mark.django_db


def decided(worker: Actor) -> Triage:
    t = services.claim(worker, triage(indicator_ids=["dev-l2-01"]))
    return services.decide(worker, t, outcome="0", police=False, rationale=complete_rationale(t))


def test_a_change_to_a_decision_is_a_new_entry_beside_it_and_audited(worker, manager):
    t = decided(worker)
    first = (t.outcome_code, t.outcome_name, t.frontdoor_level)
    revision = services.revise_decision(
        manager, t, outcome="1", police=True, level=4, reason="Police \u202ecalled\u202c"
    )
    t.refresh_from_db()
    assert (t.outcome_code, t.outcome_name, t.frontdoor_level) == first and t.state == State.DECIDED
    assert (revision.police, revision.frontdoor_level, revision.reason) == (True, 4, "Police called")
    assert revision.recorded_by == manager.user
    assert t.outcome_code_in_force == revision.outcome_code != first[0]
    assert t.frontdoor_level_in_force == 4
    annotated = Triage.objects.with_decision_in_force().get(pk=t.pk)
    assert (
        annotated.annotated_outcome_code_in_force,
        annotated.annotated_police_in_force,
        annotated.annotated_frontdoor_level_in_force,
    ) == (
        revision.outcome_code,
        True,
        4,
    )
    event = audit.events().filter(verb="frontdoor.decision_revised").get()
    assert event.actor == manager.label and event.payload["before"]["outcome"] == first[0]


@pytest.mark.parametrize("reason", ["", "   ", "\u200b\u200b\u2060", "\u202e\x07"])
def test_a_change_needs_a_visible_reason(worker, reason):
    t = decided(worker)
    with pytest.raises(services.FrontDoorError, match="Enter why the decision has changed"):
        services.revise_decision(worker, t, outcome="1", police=False, level=3, reason=reason)
    assert not DecisionRevision.objects.exists()


def test_a_change_needs_a_decision_a_difference_and_the_right_role(worker):
    t = services.claim(worker, triage(indicator_ids=["dev-l2-01"]))
    with pytest.raises(services.FrontDoorError, match="Record the decision first"):
        services.revise_decision(worker, t, outcome="1", police=False, level=3, reason="why")
    t = services.decide(worker, t, outcome="0", police=False, rationale=complete_rationale(t))
    with pytest.raises(services.FrontDoorError, match="already recorded"):
        services.revise_decision(worker, t, outcome="0", police=t.police, level=t.frontdoor_level, reason="same")
    practitioner = person(Role.PRACTITIONER)
    with pytest.raises(Refused):
        services.revise_decision(practitioner, t, outcome="1", police=False, level=3, reason="not mine to change")
    assert not DecisionRevision.objects.exists()


def test_the_database_refuses_to_change_a_decided_contacts_decision(worker):
    t = decided(worker)
    for change in ({"outcome_code": "nfa"}, {"frontdoor_level": 1}, {"rationale": {}}, {"state": "claimed"}):
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            Triage.objects.filter(pk=t.pk).update(**change)
    Triage.objects.filter(pk=t.pk).update(feedback_shared=True)  # the feedback's columns stay writable
    revision = services.revise_decision(worker, t, outcome="1", police=False, level=4, reason="More known")
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        DecisionRevision.objects.filter(pk=revision.pk).update(reason="rewritten")


def test_the_change_page_records_once_and_the_contact_shows_it_beside_the_first(worker):
    t = decided(worker)
    client = client_for(worker)
    contact = client.get(f"/front-door/{t.public_id}/").content.decode()
    assert f"/front-door/{t.public_id}/decision-change" in contact
    page = client.get(f"/front-door/{t.public_id}/decision-change").content.decode()
    data = {"outcome": "1", "level": "4", "reason": "The police called back", "submission": token(page)}
    assert client.post(f"/front-door/{t.public_id}/decision-change", data).status_code == 302
    assert client.post(f"/front-door/{t.public_id}/decision-change", data).status_code == 302  # a double click
    assert DecisionRevision.objects.count() == 1
    contact = client.get(f"/front-door/{t.public_id}/").content.decode()
    assert "Changes to the decision" in contact and "The police called back" in contact
    assert t.outcome_name in contact  # the first stays


def test_the_change_page_refuses_an_invisible_reason_with_a_message(worker):
    t = decided(worker)
    response = client_for(worker).post(
        f"/front-door/{t.public_id}/decision-change", {"outcome": "1", "level": "4", "reason": "\u200b\u200c\u200d"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html and "Enter why the decision has changed" in html
    assert not DecisionRevision.objects.exists()


def test_a_decision_posted_twice_is_recorded_once(worker):
    t = services.claim(worker, triage(indicator_ids=["dev-l2-01"]))
    client = client_for(worker)
    page = client.get(f"/front-door/{t.public_id}/decide").content.decode()
    data = {
        "outcome": "0",
        "indicator-dev-l2-01": "confirmed",
        "information": "Checked with school.",
        "consent_basis": "obtained",
        "level": "3",
        "submission": token(page),
    }
    first = client.post(f"/front-door/{t.public_id}/decide", data)
    second = client.post(f"/front-door/{t.public_id}/decide", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/front-door/{t.public_id}/"
    assert audit.events().filter(verb="frontdoor.decided").count() == 1


def test_an_agency_check_request_and_its_answer_posted_twice_are_stored_once(worker):
    t = services.claim(worker, triage(indicator_ids=["dev-l2-01"]))
    client = client_for(worker)
    page = client.get(f"/front-door/{t.public_id}/").content.decode()
    asked = {"agency": "police", "question": "Known?", "submission": token(page, f"/front-door/{t.public_id}/checks")}
    for _ in range(2):
        response = client.post(f"/front-door/{t.public_id}/checks", asked)
        assert response.status_code == 302, response.content.decode()[:500]
    assert AgencyCheck.objects.count() == 1
    page = client.get(f"/front-door/{t.public_id}/").content.decode()
    answer_url = f"/front-door/{t.public_id}/checks/police"
    answered = {"response": "Known to police\u202e ", "submission": token(page, answer_url)}
    for _ in range(2):
        assert client.post(answer_url, answered).status_code == 302
    check = AgencyCheck.objects.get()
    assert check.response == "Known to police"
    assert audit.events().filter(verb="frontdoor.answered").count() == 1


def test_an_answer_of_only_invisible_characters_is_refused(worker):
    t = services.claim(worker, triage(indicator_ids=["dev-l2-01"]))
    services.request_check(worker, t, "police")
    response = client_for(worker).post(f"/front-door/{t.public_id}/checks/police", {"response": "\u200b\u2060"})
    assert response.status_code == 400 and "Enter what Police said" in response.content.decode()
    assert AgencyCheck.objects.get().answered_at is None


def test_a_change_to_another_of_the_documents_outcomes_with_the_same_code_is_recorded(worker):
    """Central Bedfordshire names two outcomes "assessment-s17" ("1": offered to a disabled child, "3": section 17):
    a change from one to the other is a change of the decision, and the change page shows the one in force."""
    t = services.claim(worker, triage(indicator_ids=["dev-l2-01"]))
    t = services.decide(worker, t, outcome="3", police=False, rationale=complete_rationale(t))
    revision = services.revise_decision(worker, t, outcome="1", police=False, level=t.frontdoor_level, reason="Seen")
    assert (revision.outcome_code, revision.outcome_name) == (t.outcome_code, "C&FA offered to a disabled child")
    page = client_for(worker).get(f"/front-door/{t.public_id}/decision-change").content.decode()
    assert 'name="outcome" type="radio" value="1" checked' in page
    assert 'name="outcome" type="radio" value="3" checked' not in page


def test_a_grade_a_match_and_a_reassignment_posted_twice_are_recorded_once(worker, manager):
    earlier = triage(child_first_name="Robin", date_of_birth=date(2016, 3, 3))
    t = services.claim(worker, triage(child_first_name="Robin", date_of_birth=date(2016, 3, 3)))
    assert earlier.pk and t.match == Match.NAME_DOB
    client, url = client_for(worker), f"/front-door/{t.public_id}"
    page = client.get(f"{url}/").content.decode()
    for action, answer in (("grade", {"grade": "red"}), ("match", {"same_child": "yes"})):
        data = {**answer, "submission": token(page, f"{url}/{action}")}
        assert [client.post(f"{url}/{action}", data).status_code for _ in range(2)] == [302, 302]
    page = client_for(manager).get(f"{url}/").content.decode()
    data = {"to": str(manager.user.pk), "submission": token(page, f"{url}/reassign")}
    assert [client_for(manager).post(f"{url}/reassign", data).status_code for _ in range(2)] == [302, 302]
    for verb in ("frontdoor.graded", "frontdoor.matched", "frontdoor.reassigned"):
        assert audit.events().filter(verb=verb).count() == 1, verb


def test_the_feedback_page_names_the_decision_in_force(worker):
    """The referrer is told the decision in force (a change included): the page that tells them says the same."""
    t = services.claim(worker, triage(indicator_ids=["dev-l2-01"]))
    t = services.decide(worker, t, outcome="3", police=False, rationale=complete_rationale(t))
    services.revise_decision(worker, t, outcome="1", police=False, level=t.frontdoor_level, reason="Seen")
    page = client_for(worker).get(f"/front-door/{t.public_id}/feedback").content.decode()
    assert "Outcome: C&amp;FA offered to a disabled child." in page


def test_a_claim_posted_twice_is_claimed_once_and_not_refused(worker):
    """A double click on "Claim" takes the worker to the contact they claimed, not to "already claimed by you"."""
    t = triage()
    client, url = client_for(worker), f"/front-door/{t.public_id}"
    data = {"submission": token(client.get(f"{url}/").content.decode(), f"{url}/claim")}
    assert [client.post(f"{url}/claim", data).status_code for _ in range(2)] == [302, 302]
    assert audit.events().filter(verb="frontdoor.claimed").count() == 1


def test_claim_next_posted_twice_claims_one_contact(worker):
    """A double click on "Claim the next contact" claimed two before: the second post goes to the first's contact."""
    triage(), triage()
    client = client_for(worker)
    data = {"submission": token(client.get("/front-door/").content.decode(), "/front-door/claim-next")}
    answers = [client.post("/front-door/claim-next", data) for _ in range(2)]
    assert answers[0]["Location"] == answers[1]["Location"]
    assert Triage.objects.filter(claimed_by=worker.user).count() == 1
    assert audit.events().filter(verb="frontdoor.claimed").count() == 1
