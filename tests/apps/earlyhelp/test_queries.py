"""Early help's reads: the caseload and reviews due (scoped and ordered), step-downs waiting, the front door's
decisions of early help (the front-door side, wired through the referral's triage)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from continuum.apps.accounts.actor import Role
from continuum.apps.earlyhelp import queries, services
from continuum.apps.earlyhelp.models import Review, Status

from .conftest import OTHER, OWN
from .factories import EpisodeFactory

pytestmark = pytest.mark.django_db


def test_the_caseload_is_the_leads_open_and_draft_episodes_next_review_first(acting):
    lead = acting()
    later, sooner = EpisodeFactory(actor=lead), EpisodeFactory(actor=lead)
    Review.objects.filter(episode=sooner).update(due_at=timezone.now() + timedelta(days=1))
    draft = EpisodeFactory(actor=lead, submitted=False)
    closed = EpisodeFactory(actor=lead)
    services.close(lead, closed, code="needs-met")
    EpisodeFactory(actor=acting())  # someone else's
    assert [e.public_id for e in queries.caseload(lead)] == [sooner.public_id, later.public_id, draft.public_id]
    assert queries.caseload(lead)[0].status == Status.OPEN


def test_reviews_due_are_unheld_reviews_of_the_leads_open_families_soonest_first(acting):
    lead = acting()
    first, second = EpisodeFactory(actor=lead), EpisodeFactory(actor=lead)
    Review.objects.filter(episode=second).update(due_at=timezone.now() - timedelta(days=2))
    due = list(queries.reviews_due(lead))
    assert [r.episode_id for r in due] == [second.pk, first.pk]
    assert [r.episode_id for r in queries.reviews_due(lead, before=timezone.now())] == [second.pk]
    services.close(lead, second, code="moved-away")
    assert [r.episode_id for r in queries.reviews_due(lead)] == [first.pk]
    assert not queries.reviews_due(acting()).exists()


def test_the_same_person_acting_in_another_partnership_sees_none_of_it(acting):
    lead = acting()
    EpisodeFactory(actor=lead)
    elsewhere = type(lead)(user=lead.user, partnership=OTHER, role=Role.EARLY_HELP)
    assert not queries.caseload(elsewhere).exists() and not queries.reviews_due(elsewhere).exists()


def test_step_downs_waiting_are_the_receiving_teams_and_the_requesters_own(acting):
    services.change_settings(acting(Role.PARTNERSHIP_ADMIN), step_down_response="5 working days")
    requester = acting(Role.FRONT_DOOR_WORKER)
    family = [{"kind": "child", "first_name": "Mo", "last_name": "Ali"}]
    waiting = services.request_step_down(
        requester, origin="social-care", source_reference="C-1", family=family, reason="Plan ended"
    )
    answered = services.request_step_down(
        requester, origin="social-care", source_reference="C-2", family=family, reason="Plan ended"
    )
    team = acting(Role.EARLY_HELP)
    services.refuse_step_down(team, answered, reason="Not ours")
    assert list(queries.step_downs_waiting(team)) == [waiting]
    assert list(queries.step_downs_waiting(requester)) == [waiting]
    assert not queries.step_downs_waiting(acting(Role.FRONT_DOOR_WORKER)).exists()
    assert not queries.step_downs_waiting(acting(Role.EARLY_HELP, partnership=OTHER)).exists()


def _decided_referral(partnership: str, outcome: str, decider: object) -> object:
    """A referral with the front door's decision on its triage, made directly (the contract's required fields)."""
    referral_model = apps.get_model("referrals", "Referral")
    family_model = apps.get_model("referrals", "Family")
    triage_model = apps.get_model("frontdoor", "Triage")
    now = timezone.now()
    family = family_model.objects.create(
        partnership=partnership, household=[{"name": "Sara Ali", "relationship": "mother"}]
    )
    referral = referral_model.objects.create(
        partnership=partnership,
        framework_version="1.0.0",
        framework_hash="x",
        family=family,
        child_first_name="Mo",
        child_last_name="Ali",
        date_of_birth=date(2017, 9, 1),
        referrer_name="A Teacher",
        referrer_agency="School",
        referral_source="2A",
        referrer_level=2,
        indicator_ids=["edu-l2-1"],
        what_done_so_far="Talked with mum",
        consent_basis="obtained",
        received_at=now,
    )
    triage_model.objects.create(
        referral=referral,
        partnership=partnership,
        state="decided",
        opened_at=now,
        clock_started_at=now,
        claimed_by=decider,
        claimed_at=now,
        outcome_code=outcome,
        decided_by=decider,
        decided_at=now,
    )
    return referral


def test_front_door_decisions_of_early_help_wait_for_the_team_until_an_assessment_starts(acting):
    worker = acting(Role.FRONT_DOOR_WORKER)
    early_help = _decided_referral(OWN, "early-help", worker.user)
    _decided_referral(OWN, "assessment-s17", worker.user)
    _decided_referral(OTHER, "early-help", worker.user)
    team = acting(Role.EARLY_HELP)
    assert queries.front_door_decisions(team) == [early_help]
    assert queries.front_door_decisions(acting(Role.PRACTITIONER)) == []
    episode = services.start_from_front_door(team, queries.front_door_referral(team, early_help.public_id))
    people = [(m.kind, m.first_name, m.date_of_birth) for m in episode.family.all()]
    assert people == [("adult", "Sara", None), ("child", "Mo", date(2017, 9, 1))]
    assert queries.front_door_decisions(team) == []
