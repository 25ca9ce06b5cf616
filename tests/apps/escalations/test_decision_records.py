"""A resolved escalation's outcome stays as recorded (ADR 0018); a change is a new, attributed entry beside it.
Raising and every step are idempotent against a second submission of the same form; reasons need visible text."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from continuum.apps.accounts.actor import Role
from continuum.apps.accounts.permissions import Refused
from continuum.apps.audit.queries import events as audit_events
from continuum.apps.escalations import services
from continuum.apps.escalations.models import Escalation, OutcomeRevision, Stage, Status
from continuum.apps.escalations.subjects import kind_of
from tests.django_support import submission_token as token
from tests.people import client_for

from .factories import EscalationFactory, acting, stored_check

pytestmark = pytest.mark.django_db


def resolved() -> tuple[Escalation, object]:
    worker = acting(Role.FRONT_DOOR_WORKER)
    escalation = EscalationFactory(actor=worker)
    services.respond(worker, escalation, response="We looked again")
    services.resolve(worker, escalation, outcome="Level raised to 3")
    escalation.refresh_from_db()
    return escalation, worker


def test_a_change_to_the_outcome_is_a_new_entry_beside_it_and_audited():
    escalation, worker = resolved()
    revision = services.revise_outcome(worker, escalation, outcome="Level raised to 4", reason="The \u202epanel met")
    escalation.refresh_from_db()
    assert escalation.outcome == "Level raised to 3" and escalation.status == Status.RESOLVED
    assert (revision.outcome, revision.reason, revision.recorded_by) == (
        "Level raised to 4",
        "The panel met",
        worker.user,
    )
    assert escalation.outcome_in_force == "Level raised to 4"
    event = audit_events().filter(verb="escalations.outcome_revised").get()
    assert event.actor == worker.label and event.payload["before"] == "Level raised to 3"


@pytest.mark.parametrize("reason", ["", "\u200b\u200b", "\u202e\u2066\x00"])
def test_a_change_needs_a_visible_reason(reason):
    escalation, worker = resolved()
    with pytest.raises(services.EscalationError, match="Enter why the resolution has changed"):
        services.revise_outcome(worker, escalation, outcome="Level raised to 4", reason=reason)
    assert not OutcomeRevision.objects.exists()


def test_a_change_needs_a_resolved_escalation_a_difference_and_someone_who_may_resolve_it():
    worker = acting(Role.FRONT_DOOR_WORKER)
    escalation = EscalationFactory(actor=worker)
    with pytest.raises(services.EscalationError, match="Only a resolved escalation"):
        services.revise_outcome(worker, escalation, outcome="x", reason="y")
    escalation, worker = resolved()
    with pytest.raises(services.EscalationError, match="already recorded"):
        services.revise_outcome(worker, escalation, outcome="Level raised to 3", reason="the same")
    with pytest.raises(Refused):
        services.revise_outcome(acting(Role.PARTNERSHIP_ADMIN), escalation, outcome="other", reason="not mine")
    assert not OutcomeRevision.objects.exists()


def test_the_database_refuses_to_change_a_recorded_outcome_response_or_stage_end():
    escalation, worker = resolved()
    stage = escalation.stages.get()
    for rows, change in (
        (Escalation.objects.filter(pk=escalation.pk), {"outcome": "rewritten"}),
        (Escalation.objects.filter(pk=escalation.pk), {"status": "open", "outcome": "", "closed_at": None}),
        (Stage.objects.filter(pk=stage.pk), {"response": "rewritten"}),
        (Stage.objects.filter(pk=stage.pk), {"reason": "rewritten"}),
    ):
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            rows.update(**change)
    revision = services.revise_outcome(worker, escalation, outcome="Level raised to 4", reason="The panel met")
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        OutcomeRevision.objects.filter(pk=revision.pk).update(outcome="rewritten")


def test_the_page_records_a_change_once_and_shows_it_beside_the_outcome():
    escalation, worker = resolved()
    client = client_for(worker)
    page = client.get(f"/escalations/{escalation.public_id}/").content.decode()
    action = f"/escalations/{escalation.public_id}/outcome-change/"
    data = {"outcome": "Level raised to 4", "reason": "The panel met", "submission": token(page, action)}
    assert client.post(action, data).status_code == 302
    assert client.post(action, data).status_code == 302  # a double click
    assert OutcomeRevision.objects.count() == 1
    page = client.get(f"/escalations/{escalation.public_id}/").content.decode()
    assert "Changes to the outcome" in page and "The panel met" in page and "Level raised to 3" in page
    refused = client.post(action, {"outcome": "Level 2", "reason": "\u200b\u200c"})
    assert refused.status_code == 400 and "Enter why the resolution has changed" in refused.content.decode()


def test_raising_twice_with_the_same_form_raises_once():
    worker = acting(Role.FRONT_DOOR_WORKER)
    check = stored_check(acting(Role.PRACTITIONER))
    url = f"/escalations/raise/check/{check.public_id}/"
    client = client_for(worker)
    data = {
        "concern": "Level too low",
        "other_party": "The school's DSL",
        "submission": token(client.get(url).content.decode()),
    }
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert Escalation.objects.count() == 1
    refused = client.post(url, {"concern": "\u200b\u2060", "other_party": "The school's DSL"})
    assert refused.status_code == 400 and "Say what you disagree with and why" in refused.content.decode()


def test_each_step_posted_twice_is_recorded_once():
    worker = acting(Role.FRONT_DOOR_WORKER)
    escalation = EscalationFactory(actor=worker)
    client = client_for(worker)
    detail = f"/escalations/{escalation.public_id}/"
    respond = f"/escalations/{escalation.public_id}/respond/"
    data = {"response": "We looked again", "submission": token(client.get(detail).content.decode(), respond)}
    assert [client.post(respond, data).status_code for _ in range(2)] == [302, 302]
    escalate = f"/escalations/{escalation.public_id}/escalate/"
    data = {"reason": "Still disagree", "submission": token(client.get(detail).content.decode(), escalate)}
    assert [client.post(escalate, data).status_code for _ in range(2)] == [302, 302]
    escalation.refresh_from_db()
    assert escalation.current_stage == 2
    assert audit_events().filter(verb="escalations.responded").count() == 1
    assert audit_events().filter(verb="escalations.escalated").count() == 1


def test_the_service_refuses_invisible_words_from_any_caller():
    worker = acting(Role.FRONT_DOOR_WORKER)
    kind = kind_of("check")
    assert kind is not None
    with pytest.raises(services.EscalationError, match="Say what you disagree with"):
        services.raise_escalation(
            worker, kind, stored_check(acting(Role.PRACTITIONER)), concern="\u200b\u200d", other_party="DSL"
        )


def test_the_register_shows_and_exports_the_outcome_in_force():
    escalation, worker = resolved()
    services.revise_outcome(worker, escalation, outcome="Level raised to 4", reason="The panel met")
    manager = acting(Role.FRONT_DOOR_MANAGER)
    client = client_for(manager)
    page = client.get("/escalations/register/").content.decode()
    assert "Level raised to 4" in page and "Level raised to 3" not in page
    exported = client.get("/escalations/register/?format=csv").content.decode()
    assert "Level raised to 4" in exported


def test_a_disagreement_about_a_changed_front_door_decision_names_the_decision_in_force():
    from continuum.apps.frontdoor import services as frontdoor
    from tests.apps.frontdoor.factories import triage
    from tests.apps.frontdoor.test_services import complete_rationale

    worker = acting(Role.FRONT_DOOR_WORKER)
    t = frontdoor.claim(worker, triage(indicator_ids=["dev-l2-01"]))
    t = frontdoor.decide(worker, t, outcome="0", police=False, rationale=complete_rationale(t))
    frontdoor.revise_decision(worker, t, outcome="5", police=True, level=4, reason="The police called back")
    url = f"/escalations/raise/front-door-decision/{t.public_id}/"
    client = client_for(worker)
    shown = "Front door decision: Immediate action to protect the child (with police action)"
    assert shown in client.get(url).content.decode()
    assert client.post(url, {"concern": "Too much", "other_party": "The MASH"}).status_code == 302
    assert Escalation.objects.get().subject_decision == shown
