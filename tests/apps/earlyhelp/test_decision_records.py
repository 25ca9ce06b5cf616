"""An early-help closure stays as recorded (ADR 0018); a change is a new, attributed entry beside it. Every
create in early help is idempotent against a second submission of the same form; its text is cleaned."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from continuum.apps.accounts.actor import Role
from continuum.apps.accounts.permissions import Refused
from continuum.apps.audit.queries import events as audit_events
from continuum.apps.earlyhelp import services
from continuum.apps.earlyhelp.models import ClosureRevision, Episode, Status, StepDown
from tests.django_support import submission_token as token
from tests.people import client_for

from .factories import EpisodeFactory, level_two_check
from .test_views import url

pytestmark = pytest.mark.django_db


def closed(lead, code: str = "needs-met") -> Episode:
    episode = EpisodeFactory(actor=lead)
    services.close(lead, episode, code=code)
    episode.refresh_from_db()
    return episode


def test_a_change_to_a_closure_is_a_new_entry_beside_it_and_audited(acting):
    lead = acting()
    episode = closed(lead)
    revision = services.revise_closure(
        lead, episode, code="other", text="Moved to \u202ea private service", reason="The school told us"
    )
    episode.refresh_from_db()
    assert (episode.status, episode.closure_code, episode.closure_text) == (Status.CLOSED, "needs-met", "")
    assert (revision.closure_code, revision.closure_text, revision.recorded_by) == (
        "other",
        "Moved to a private service",
        lead.user,
    )
    assert episode.closure_code_in_force == "other"
    assert Episode.objects.with_closure_in_force().get(pk=episode.pk).annotated_closure_code_in_force == "other"
    event = audit_events().filter(verb="earlyhelp.closure_revised").get()
    assert event.actor == lead.label and event.payload["before"] == "needs-met"


@pytest.mark.parametrize("reason", ["", "\u200b\u200b", "\u2066\u202e\x1b"])
def test_a_change_needs_a_visible_reason(acting, reason):
    lead = acting()
    episode = closed(lead)
    with pytest.raises(services.EarlyHelpError, match="Enter why the closure has changed"):
        services.revise_closure(lead, episode, code="moved-away", reason=reason)
    assert not ClosureRevision.objects.exists()


def test_a_change_needs_a_closed_episode_a_difference_and_someone_who_may_close_it(acting):
    lead = acting()
    episode = EpisodeFactory(actor=lead)
    with pytest.raises(services.EarlyHelpError, match="not closed"):
        services.revise_closure(lead, episode, code="moved-away", reason="why")
    services.close(lead, episode, code="needs-met")
    with pytest.raises(services.EarlyHelpError, match="already recorded"):
        services.revise_closure(lead, episode, code="needs-met", reason="the same")
    with pytest.raises(Refused):
        services.revise_closure(acting(), episode, code="moved-away", reason="not my family")
    assert not ClosureRevision.objects.exists()


def test_the_database_refuses_to_change_a_recorded_closure(acting):
    lead = acting()
    episode = closed(lead)
    for change in ({"closure_code": "other"}, {"closure_text": "rewritten"}, {"status": "open"}):
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            Episode.objects.filter(pk=episode.pk).update(**change)
    revision = services.revise_closure(lead, episode, code="moved-away", reason="They moved")
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        ClosureRevision.objects.filter(pk=revision.pk).update(reason="rewritten")


def test_closing_twice_from_the_page_closes_once(acting):
    lead = acting()
    episode = EpisodeFactory(actor=lead)
    client = client_for(lead)
    data = {"code": "needs-met", "submission": token(client.get(url("close", episode.public_id)).content.decode())}
    first = client.post(url("close", episode.public_id), data)
    second = client.post(url("close", episode.public_id), data)
    assert first.status_code == second.status_code == 302
    assert audit_events().filter(verb="earlyhelp.closed").count() == 1


def test_the_closure_page_shows_changes_beside_it_records_once_and_offers_a_disagreement(acting):
    lead = acting()
    episode = closed(lead)
    client = client_for(lead)
    page = client.get(url("close", episode.public_id)).content.decode()
    assert "The closure" in page and f"/escalations/raise/early-help-closure/{episode.public_id}/" in page
    data = {"code": "moved-away", "text": "", "reason": "They moved to Leeds", "submission": token(page)}
    assert client.post(url("close", episode.public_id), data).status_code == 302
    assert client.post(url("close", episode.public_id), data).status_code == 302  # a double click
    assert ClosureRevision.objects.count() == 1
    page = client.get(url("close", episode.public_id)).content.decode()
    assert "Changes to the closure" in page and "They moved to Leeds" in page and "Needs met" in page
    refused = client.post(url("close", episode.public_id), {"code": "other", "text": "x", "reason": "\u200b\u200b"})
    assert refused.status_code == 400 and "Enter why the closure has changed" in refused.content.decode()
    assert ClosureRevision.objects.count() == 1


def test_starting_an_assessment_twice_from_a_check_starts_one(acting):
    lead = acting()
    check = level_two_check(lead)
    client = client_for(lead)
    data = {"submission": token(client.get(url("start", check.public_id)).content.decode())}
    first = client.post(url("start", check.public_id), data)
    second = client.post(url("start", check.public_id), data)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert Episode.objects.count() == 1


def test_a_review_posted_twice_is_held_once(acting):
    lead = acting()
    episode = EpisodeFactory(actor=lead)
    review = episode.reviews.get()
    client = client_for(lead)
    page = client.get(url("review", episode.public_id, review.number)).content.decode()
    data = {"summary": "Mornings \u202ebetter", "needs": ["edu-l2-1"], "submission": token(page)}
    first = client.post(url("review", episode.public_id, review.number), data)
    second = client.post(url("review", episode.public_id, review.number), data)
    assert first.status_code == second.status_code == 302
    assert audit_events().filter(verb="earlyhelp.review_recorded").count() == 1
    review.refresh_from_db()
    assert review.summary == "Mornings better"


def test_a_step_down_sent_twice_is_stored_once_and_an_invisible_reason_is_refused(acting):
    client = client_for(acting(Role.FRONT_DOOR_WORKER))
    form = {"origin": "social-care", "source_reference": "CIN-9", "child_first_name": "Mo", "child_last_name": "Ali"}
    refused = client.post(url("new_step_down"), {**form, "reason": "\u200b\u200c\u200d\u2060"})
    assert refused.status_code == 400 and "Enter why early help is right" in refused.content.decode()
    data = {**form, "reason": "Plan ended", "submission": token(client.get(url("new_step_down")).content.decode())}
    first = client.post(url("new_step_down"), data)
    second = client.post(url("new_step_down"), data)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert StepDown.objects.count() == 1


def test_a_step_down_page_offers_a_disagreement_to_those_who_may_raise_one(acting):
    worker = acting(Role.FRONT_DOOR_WORKER)
    handed = services.request_step_down(
        worker,
        origin="front-door",
        source_reference="R-7",
        family=[{"kind": "child", "first_name": "Mo", "last_name": "Ali"}],
        reason="Early help decided",
    )
    raise_url = f"/escalations/raise/step-down/{handed.public_id}/"
    assert raise_url in client_for(worker).get(url("step_down", handed.public_id)).content.decode()
