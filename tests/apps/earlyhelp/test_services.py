"""Early help's services: each state change, its audit event, every refusal, and the clocks."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.accounts.permissions import Refused
from continuum.apps.audit.queries import for_target, recorded
from continuum.apps.checks import services as check_services
from continuum.apps.earlyhelp import clocks, services
from continuum.apps.earlyhelp.models import Episode, FamilyMember, PlanAction, Review, Status, StepDown, StepUp
from continuum.apps.jobs.worker import run
from continuum.calendar import UK
from tests.apps.checks.factories import CheckFactory

from .conftest import OTHER, OWN, QUIET
from .factories import EpisodeFactory, level_two_check

pytestmark = pytest.mark.django_db


def version(episode: Episode) -> int:
    """The plan's version as a person opening it now would see it."""
    return Episode.objects.values_list("version", flat=True).get(pk=episode.pk)


def verbs(target: Any) -> list[str]:
    return list(for_target(target).values_list("verb", flat=True))


# --- starting ---------------------------------------------------------------------------------


def test_starting_from_a_check_prefills_needs_and_strengths_and_names_the_assessment(acting):
    actor = acting(Role.PRACTITIONER)
    check = level_two_check(actor)
    episode = services.start_from_check(actor, check)
    assert episode.status == Status.DRAFT
    assert episode.assessment_name == "Tiny Early Help Assessment"
    assert (episode.needs, episode.strengths) == (["edu-l2-1"], ["family-p-1"])
    assert episode.level_at_start == 2 and episode.lead_professional == actor.user
    assert verbs(episode) == ["earlyhelp.started"]


@pytest.mark.parametrize("role", [Role.FRONT_DOOR_WORKER, Role.PARTNERSHIP_ADMIN, Role.AUDITOR])
def test_roles_outside_early_help_may_not_start(acting, role):
    owner = acting(Role.PRACTITIONER)
    check = level_two_check(owner)
    with pytest.raises(Refused):
        services.start_from_check(acting(role), check)
    assert not Episode.objects.exists()


def test_a_check_at_a_social_care_level_is_refused(acting):
    actor = acting(Role.PRACTITIONER)
    check = CheckFactory(actor=actor, framework_id=OWN, inputs={"indicators": ["edu-l3-1"], "protective": []})
    with pytest.raises(services.EarlyHelpError, match="not an early help level") as refused:
        services.start_from_check(actor, check)
    assert refused.value.field == "check"
    assert not Episode.objects.exists()


def test_a_change_of_mind_to_a_social_care_level_is_the_level_the_start_follows(acting):
    """The level in force decides (ADR 0018): agreed at Level 2, then changed to Level 3, is no early help start."""
    actor = acting(Role.PRACTITIONER)
    check = level_two_check(actor)
    check_services.record_judgement(check, agrees=True, actor=actor)
    check_services.revise_judgement(check, agrees=False, own_level=3, reason="Known to police now", actor=actor)
    check.refresh_from_db()
    with pytest.raises(services.EarlyHelpError, match="not an early help level"):
        services.start_from_check(actor, check)
    assert not Episode.objects.exists()


def test_someone_elses_check_and_another_partnerships_check_are_refused(acting):
    actor = acting(Role.PRACTITIONER)
    with pytest.raises(services.EarlyHelpError, match="check you can see"):
        services.start_from_check(actor, level_two_check(acting(Role.PRACTITIONER)))
    elsewhere = CheckFactory(actor=actor, framework_id=OTHER, inputs={"indicators": ["edu-l2-1"]})
    with pytest.raises(services.EarlyHelpError, match="another partnership"):
        services.start_from_check(actor, elsewhere)
    assert not Episode.objects.exists()


def test_a_document_without_an_early_help_assessment_starts_none(acting):
    actor = acting(Role.PRACTITIONER, partnership="tiny")
    with pytest.raises(services.EarlyHelpError, match="names no early help assessment"):
        services.start_from_check(actor, level_two_check(actor))


def referral(**fields: Any) -> SimpleNamespace:
    """A stand-in with the fields of referrals.Referral that early help reads (its family's household, the outcome)."""
    values = {
        "pk": 1,
        "public_id": "R-123",
        "partnership": OWN,
        "child_first_name": "Ava",
        "child_last_name": "Jones",
        "date_of_birth": date(2019, 2, 3),
        "indicator_ids": ["edu-l2-1", "no-such-indicator"],
        "referrer_level": 2,
        "outcome_code": "early-help",
        "family": SimpleNamespace(household=[{"name": "Sam Jones", "relationship": "father"}, {"name": " "}]),
    }
    return SimpleNamespace(**{**values, **fields})


def test_starting_from_a_front_door_decision_carries_the_child_and_household(acting):
    actor = acting()
    episode = services.start_from_front_door(actor, referral())
    assert (episode.source, episode.source_reference, episode.needs) == ("front-door", "R-123", ["edu-l2-1"])
    people = [(m.kind, m.first_name, m.last_name, m.relationship) for m in episode.family.all()]
    assert people == [("adult", "Sam", "Jones", "father"), ("child", "Ava", "Jones", "")]
    with pytest.raises(services.EarlyHelpError, match="already been started"):
        services.start_from_front_door(actor, referral())


def test_the_front_doors_own_decision_wins_over_the_referrals_outcome(acting):
    decided = SimpleNamespace(decided_at=timezone.now(), outcome_code="assessment-s17")
    with pytest.raises(services.EarlyHelpError, match="not decided early help"):
        services.start_from_front_door(acting(), referral(triage=decided))
    undecided = SimpleNamespace(decided_at=None, outcome_code="")
    assert services.start_from_front_door(acting(), referral(triage=undecided)).source == "front-door"


@pytest.mark.parametrize(
    ("fields", "message"),
    [({"outcome_code": "assessment-s17"}, "not decided early help"), ({"partnership": OTHER}, "another partnership")],
)
def test_a_front_door_referral_not_decided_early_help_or_elsewhere_is_refused(acting, fields, message):
    with pytest.raises(services.EarlyHelpError, match=message):
        services.start_from_front_door(acting(), referral(**fields))
    assert not Episode.objects.exists()


def test_a_failed_audit_write_stores_nothing(acting, monkeypatch):
    actor = acting(Role.PRACTITIONER)
    check = level_two_check(actor)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr(services, "record", broken)
    with pytest.raises(RuntimeError):
        services.start_from_check(actor, check)
    assert not Episode.objects.exists()


# --- the draft assessment ------------------------------------------------------------------------


def test_the_draft_saves_section_by_section_and_submits_only_when_complete(acting):
    actor = acting()
    episode = EpisodeFactory(actor=actor, submitted=False)
    with pytest.raises(services.EarlyHelpError, match="family's voice") as refused:
        services.submit(actor, episode)
    assert refused.value.field == "voice"  # the first thing missing
    with pytest.raises(services.EarlyHelpError, match="not an indicator"):
        services.save_section(actor, episode, "needs", {"needs": ["made-up"]})
    with pytest.raises(services.EarlyHelpError, match="at least one need"):
        services.save_section(actor, episode, "needs", {"strengths": ["family-p-1"]})
    episode.refresh_from_db()
    assert episode.needs == ["edu-l2-1"]  # the refused saves stored nothing
    services.save_section(actor, episode, "needs", {"needs": ["edu-l2-1", "edu-l3-1"], "strengths": ["family-p-1"]})
    services.save_section(actor, episode, "voice", {"family_voice": "  Mornings are hard.  "})
    episode.refresh_from_db()
    assert episode.sections_done == ["needs", "voice"] and episode.family_voice == "Mornings are hard."
    with pytest.raises(services.EarlyHelpError, match="consent"):
        services.submit(actor, episode)
    adult = episode.family.get(kind="adult")
    services.record_consent(
        actor, episode, given_by=adult, to_what="Assessment", share_with=["School"], shares_with_team=True
    )
    services.submit(actor, episode)
    episode.refresh_from_db()
    assert episode.status == Status.OPEN and episode.submitted_at is not None
    with pytest.raises(services.EarlyHelpError, match="while the episode is open"):
        services.submit(actor, episode)


def test_bad_family_member_input_is_refused(acting):
    actor = acting()
    episode = EpisodeFactory(actor=actor, submitted=False)
    for fields, field in (
        ({"kind": "pet", "first_name": "A", "last_name": "B"}, "kind"),
        ({"kind": "child", "first_name": " ", "last_name": "B"}, "first_name"),
        ({"kind": "child", "first_name": "A", "last_name": "B", "date_of_birth": date(2999, 1, 1)}, "date_of_birth"),
    ):
        with pytest.raises(services.EarlyHelpError) as refused:
            services.add_family_member(actor, episode, **fields)
        assert refused.value.field == field
    assert episode.family.count() == 2


def test_consent_is_recorded_as_data_and_refused_without_what_or_from_outside_the_family(acting):
    actor = acting()
    episode = EpisodeFactory(actor=actor)
    stranger = EpisodeFactory(actor=actor).family.first()
    with pytest.raises(services.EarlyHelpError, match="member of this family"):
        services.record_consent(actor, episode, given_by=stranger, to_what="x", share_with=[], shares_with_team=False)
    parent = episode.family.get(kind="adult")
    with pytest.raises(services.EarlyHelpError, match="consented to"):
        services.record_consent(actor, episode, given_by=parent, to_what=" ", share_with=[], shares_with_team=False)
    with pytest.raises(services.EarlyHelpError, match="future"):
        services.record_consent(
            actor,
            episode,
            given_by=parent,
            to_what="x",
            share_with=[],
            shares_with_team=False,
            given_at=timezone.now() + timedelta(days=1),
        )
    consent = episode.consents.get()
    assert (str(consent.given_by), consent.share_with, consent.shares_with_team) == (
        "Pat Smith",
        ["School", "Health visiting"],
        True,
    )
    assert consent.recorded_by == actor.user and consent.withdrawn_at is None


# --- consent and membership decide who sees the family -------------------------------------------


def test_withdrawing_consent_cuts_members_off_from_then_on_and_the_lead_keeps_the_record(acting):
    lead = acting()
    member = acting(Role.PRACTITIONER)
    episode = EpisodeFactory(actor=lead)
    services.add_team_member(lead, episode, expected_version=version(episode), user=member.user, agency="School")
    assert Episode.objects.visible_to(member).filter(pk=episode.pk).exists()
    consent = episode.consents.get()
    services.withdraw_consent(lead, consent, note="Mother withdrew consent by phone")
    assert not Episode.objects.visible_to(member).filter(pk=episode.pk).exists()
    assert Episode.objects.visible_to(lead).filter(pk=episode.pk).exists()
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and consent.withdrawal_recorded_by == lead.user
    assert "earlyhelp.consent_withdrawal_recorded" in verbs(episode)
    with pytest.raises(Refused):
        services.add_family_member(member, episode, kind="child", first_name="A", last_name="B")
    with pytest.raises(services.EarlyHelpError, match="already withdrawn"):
        services.withdraw_consent(lead, consent)


def test_consent_can_still_be_withdrawn_once_the_episode_is_closed_and_it_cuts_members_off_the_closed_record(acting):
    """Consent may be withdrawn at any time (UK GDPR article 7(3)): a closed record stays shared with the team
    only while consent covering the team is current, so a withdrawal after closure must still be possible."""
    lead, member = acting(), acting(Role.PRACTITIONER)
    episode = EpisodeFactory(actor=lead)
    services.add_team_member(lead, episode, expected_version=version(episode), user=member.user, agency="School")
    consent = episode.consents.get()
    services.close(lead, episode, code="needs-met")
    assert Episode.objects.visible_to(member).filter(pk=episode.pk).exists()
    services.withdraw_consent(lead, consent, note="Mother asked by phone")
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and consent.withdrawal_note == "Mother asked by phone"
    assert not Episode.objects.visible_to(member).filter(pk=episode.pk).exists()
    assert Episode.objects.visible_to(lead).filter(pk=episode.pk).exists()


def test_consent_can_be_withdrawn_from_a_draft_and_an_open_episode(acting):
    lead = acting()
    for submitted in (False, True):
        episode = EpisodeFactory(actor=lead, submitted=submitted)
        parent = episode.family.get(kind="adult")
        consent = services.record_consent(
            lead, episode, given_by=parent, to_what="The assessment", share_with=[], shares_with_team=True
        )
        services.withdraw_consent(lead, consent)
        consent.refresh_from_db()
        assert consent.withdrawn_at is not None


def test_consent_not_covering_the_team_shows_the_family_to_no_member(acting):
    lead, member = acting(), acting(Role.PRACTITIONER)
    episode = EpisodeFactory(actor=lead)
    services.withdraw_consent(lead, episode.consents.get())
    services.record_consent(
        lead,
        episode,
        given_by=episode.family.get(kind="adult"),
        to_what="Assessment only",
        share_with=[],
        shares_with_team=False,
    )
    services.add_team_member(lead, episode, expected_version=version(episode), user=member.user, agency="School")
    assert not Episode.objects.visible_to(member).exists()


def test_a_member_who_leaves_no_longer_sees_the_family(acting):
    lead, member = acting(), acting(Role.PRACTITIONER)
    episode = EpisodeFactory(actor=lead)
    joined = services.add_team_member(
        lead, episode, expected_version=version(episode), user=member.user, agency="School"
    )
    services.remove_team_member(lead, joined, expected_version=version(episode))
    assert not Episode.objects.visible_to(member).exists()
    with pytest.raises(services.EarlyHelpError, match="already left"):
        services.remove_team_member(lead, joined, expected_version=version(episode))


def test_another_partnerships_people_never_see_the_family(acting):
    lead = acting()
    episode = EpisodeFactory(actor=lead)
    outsider = acting(Role.EARLY_HELP, partnership=OTHER)
    with pytest.raises(services.EarlyHelpError, match="no role in the partnership"):
        services.add_team_member(lead, episode, expected_version=version(episode), user=outsider.user, agency="X")
    assert not Episode.objects.visible_to(outsider).exists()
    assert not Episode.objects.visible_to(Actor(user=lead.user, partnership=OTHER, role=Role.EARLY_HELP)).exists()


# --- the team and the plan -------------------------------------------------------------------------


def test_external_members_without_accounts_own_actions_and_the_lead_need_not_be_a_social_worker(acting):
    lead = acting()
    episode = EpisodeFactory(actor=lead)
    nurse = services.add_team_member(
        lead, episode, expected_version=version(episode), name="Jo Bloggs", agency="School nursing"
    )
    due = timezone.localdate() + timedelta(days=14)
    action = services.add_action(
        lead, episode, expected_version=version(episode), description="Morning routine chart", owner=nurse, due_date=due
    )
    assert (action.owner.user, action.owner.name, action.due_date) == (None, "Jo Bloggs", due)
    teacher = acting(Role.PRACTITIONER)
    services.change_lead(lead, episode, user=teacher.user, expected_version=version(episode))
    episode.refresh_from_db()
    assert episode.lead_professional == teacher.user
    front_door = acting(Role.FRONT_DOOR_WORKER)
    with pytest.raises(services.EarlyHelpError, match="practitioner of the partnership"):
        services.change_lead(teacher, episode, user=front_door.user, expected_version=version(episode))


def test_plan_input_is_checked(acting):
    lead = acting()
    episode = EpisodeFactory(actor=lead)
    member = services.add_team_member(lead, episode, expected_version=version(episode), name="Jo", agency="School")
    today = timezone.localdate()
    for fields, field in (
        ({"description": " ", "owner": member, "due_date": today}, "description"),
        ({"description": "x", "owner": member, "due_date": today - timedelta(days=1)}, "due_date"),
    ):
        with pytest.raises(services.EarlyHelpError) as refused:
            services.add_action(lead, episode, expected_version=version(episode), **fields)
        assert refused.value.field == field
    with pytest.raises(services.EarlyHelpError, match="agency"):
        services.add_team_member(lead, episode, expected_version=version(episode), name="Jo", agency="")
    assert not PlanAction.objects.exists()


def test_two_people_editing_the_plan_never_overwrite_each_other(acting):
    lead = acting()
    episode = EpisodeFactory(actor=lead)
    member = services.add_team_member(lead, episode, expected_version=version(episode), name="Jo", agency="School")
    seen = Episode.objects.get(pk=episode.pk).version  # both open the plan at this version
    first = services.add_action(
        lead, episode, expected_version=seen, description="First", owner=member, due_date=timezone.localdate()
    )
    with pytest.raises(services.PlanConflict, match="Someone else changed") as refused:
        services.add_action(
            lead, episode, expected_version=seen, description="Second", owner=member, due_date=timezone.localdate()
        )
    assert refused.value.field == "version"
    with pytest.raises(services.PlanConflict):
        services.update_action(lead, first, expected_version=seen, progress="overwrite", done=True)
    assert list(PlanAction.objects.values_list("description", "progress")) == [("First", "")]
    services.update_action(lead, first, expected_version=seen + 1, progress="Going well", done=False)
    assert PlanAction.objects.get().progress == "Going well"


# --- reviews and their clocks -----------------------------------------------------------------------


def test_the_first_review_is_due_on_the_documents_interval_from_a_known_date(acting):
    loaded = services.framework_for(OWN)
    clock = clocks.review_clock(loaded, None, 1)
    assert (clock.basis, clock.text) == ("document", "The first review should take place within 12 weeks.")
    start = datetime(2026, 12, 4, 10, 30, tzinfo=UK)
    assert clock.due(loaded, start) == datetime(2027, 2, 26, 10, 30, tzinfo=UK)


def test_where_the_document_gives_no_number_the_partnerships_setting_is_used_and_shown_as_its_own(acting):
    loaded = services.framework_for(OWN)
    silent = clocks.review_clock(loaded, None, 2)
    assert silent.basis == "none" and not silent.runs
    assert silent.text.startswith("The document does not say") and "Reviews should take place regularly." in silent.text
    admin = acting(Role.PARTNERSHIP_ADMIN)
    setting = services.change_settings(admin, review_interval="6 weeks", step_down_response="2 working days")
    clock = clocks.review_clock(loaded, setting, 2)
    assert (clock.basis, clock.text) == ("partnership", "The partnership's setting: each later review within 6 weeks.")
    assert clock.due(loaded, datetime(2027, 1, 4, 9, 0, tzinfo=UK)) == datetime(2027, 2, 15, 9, 0, tzinfo=UK)
    # Working days skip Christmas Day and the Boxing Day substitute (Monday 28 December 2026).
    step_down = clocks.step_down_clock(setting)
    assert step_down.due(loaded, datetime(2026, 12, 24, 10, 0, tzinfo=UK)) == datetime(2026, 12, 30, 10, 0, tzinfo=UK)


def test_settings_are_the_admins_and_bad_intervals_are_refused(acting):
    with pytest.raises(Refused):
        services.change_settings(acting(Role.EARLY_HELP), review_interval="6 weeks")
    admin = acting(Role.PARTNERSHIP_ADMIN)
    with pytest.raises(services.EarlyHelpError, match="cannot read") as refused:
        services.change_settings(admin, review_interval="soonish")
    assert refused.value.field == "review_interval"
    with pytest.raises(services.EarlyHelpError, match="no setting"):
        services.change_settings(admin, colour="blue")


def test_submitting_starts_the_first_review_clock_with_its_jobs(acting):
    episode = EpisodeFactory(actor=acting())
    review = episode.reviews.get()
    assert review.number == 1 and review.clock_basis == "document"
    assert review.due_at == clocks.review_clock(services.framework_for(OWN), None, 1).due(
        services.framework_for(OWN), episode.submitted_at
    )
    paths = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    assert paths == ["continuum.apps.earlyhelp.tasks.review_overdue", "continuum.apps.earlyhelp.tasks.review_reminder"]


def test_a_document_silent_on_reviews_starts_no_clock(acting):
    episode = EpisodeFactory(actor=acting(partnership=QUIET))
    assert episode.status == Status.OPEN and not episode.reviews.exists()
    assert not DBTaskResult.objects.exists()
    clock = clocks.review_clock(services.framework_for(QUIET), None, 1)
    assert clock.basis == "none" and clock.text.startswith("The document does not say when this review is due")


def test_a_review_records_progress_and_the_level_now_and_schedules_the_next(acting):
    lead = acting()
    services.change_settings(acting(Role.PARTNERSHIP_ADMIN), review_interval="6 weeks")
    episode = EpisodeFactory(actor=lead)
    member = services.add_team_member(lead, episode, expected_version=version(episode), name="Jo", agency="School")
    action = services.add_action(
        lead,
        episode,
        expected_version=version(episode),
        description="Chart",
        owner=member,
        due_date=timezone.localdate(),
    )
    review = episode.reviews.get()
    with pytest.raises(services.EarlyHelpError, match="every action"):
        services.record_review(lead, review, progress={}, summary="", selection={"indicators": ["edu-l2-1"]})
    with pytest.raises(services.EarlyHelpError, match="could not be worked out"):
        services.record_review(
            lead, review, progress={str(action.pk): "ok"}, summary="", selection={"indicators": ["nope"]}
        )
    held = services.record_review(
        lead,
        review,
        progress={str(action.pk): "Chart used most days"},
        summary="Better",
        selection={"indicators": ["edu-l2-1", "edu-l3-1"], "protective": []},
    )
    assert (held.level_now, held.level_now_name, held.held_by) == (3, "Child in Need", lead.user)
    assert held.result["framework"]["id"] == OWN
    assert PlanAction.objects.get().progress == "Chart used most days"
    following = episode.reviews.get(number=2)
    assert following.clock_basis == "partnership" and following.due_at == held.held_at.astimezone(UK) + timedelta(
        weeks=6
    )
    with pytest.raises(services.EarlyHelpError, match="already been held"):
        services.record_review(lead, held, progress={str(action.pk): "x"}, summary="", selection={})


@pytest.mark.django_db(transaction=True)
def test_the_worker_reminds_then_escalates_an_unheld_review_and_leaves_a_held_one(acting):
    lead = acting()
    late, held = EpisodeFactory(actor=lead), EpisodeFactory(actor=lead)
    # Time passes: both reviews' dates and their jobs are now in the past.
    past = timezone.now() - timedelta(days=1)
    Review.objects.update(due_at=past)
    DBTaskResult.objects.update(run_after=past - timedelta(days=1))
    with transaction.atomic():
        Review.objects.filter(episode=held).update(held_at=past, held_by=lead.user, level_now=2)
    run(batch=True, interval=0.1)
    late_review, held_review = Review.objects.get(episode=late), Review.objects.get(episode=held)
    assert late_review.reminded_at is not None and late_review.escalated_at is not None
    assert held_review.reminded_at is None and held_review.escalated_at is None
    assert verbs(late)[-2:] == ["earlyhelp.review_reminded", "earlyhelp.review_escalated"]
    assert for_target(late).last().actor == "system:worker"


@pytest.mark.django_db(transaction=True)
def test_a_review_job_run_before_its_time_does_nothing(acting):
    episode = EpisodeFactory(actor=acting())
    DBTaskResult.objects.filter(task_path__endswith="review_overdue").update(
        run_after=timezone.now() - timedelta(days=1)
    )
    run(batch=True, interval=0.1)
    assert Review.objects.get(episode=episode).escalated_at is None  # still due in 12 weeks


# --- closure and step-up --------------------------------------------------------------------------


def test_closure_takes_a_reason_from_the_code_list_and_other_needs_words(acting):
    lead = acting()
    episode = EpisodeFactory(actor=lead)
    for code, text, field in (("finished", "", "code"), ("step-up", "", "code"), ("other", " ", "text")):
        with pytest.raises(services.EarlyHelpError) as refused:
            services.close(lead, episode, code=code, text=text)
        assert refused.value.field == field
    assert Episode.objects.get(pk=episode.pk).status == Status.OPEN
    services.close(lead, episode, code="other", text="Family chose a private service")
    episode.refresh_from_db()
    assert episode.status == Status.CLOSED and episode.closure_export == "Other: Family chose a private service"
    assert recorded(for_target(episode).last()) == {"from": "open", "to": "closed", "code": "other"}
    with pytest.raises(services.EarlyHelpError, match="closed"):
        services.close(lead, episode, code="needs-met")


def test_a_team_member_may_not_close_a_family_they_cannot_see(acting):
    episode = EpisodeFactory(actor=acting())
    with pytest.raises(Refused):
        services.close(acting(), episode, code="needs-met")


def test_step_up_carries_the_assessment_plan_and_history_and_nothing_is_lost(acting, monkeypatch):
    lead = acting()
    episode = EpisodeFactory(actor=lead)
    member = services.add_team_member(lead, episode, expected_version=version(episode), name="Jo", agency="School")
    services.add_action(
        lead,
        episode,
        expected_version=version(episode),
        description="Chart",
        owner=member,
        due_date=timezone.localdate(),
    )
    received: dict[str, Any] = {}

    def receive_step_up(actor: Actor, *, episode: Episode, package: dict[str, Any], reason: str) -> list[Any]:
        received.update(package=package, reason=reason)
        return [SimpleNamespace(public_id="R-9")]

    monkeypatch.setattr(services, "_front_door_sender", lambda: receive_step_up)
    with pytest.raises(services.EarlyHelpError, match="why"):
        services.step_up(lead, episode, reason=" ")
    stepped = services.step_up(lead, episode, reason="Attendance has fallen to 60%")
    episode.refresh_from_db()
    assert (episode.status, episode.closure_code) == (Status.CLOSED, "step-up")
    assert stepped.referral_ids == ["R-9"] and received["reason"] == "Attendance has fallen to 60%"
    package = received["package"]
    assert package == stepped.package
    names = sorted(p["first_name"] for p in package["assessment"]["family"])
    assert len(names) == 2 and names == sorted(episode.family.values_list("first_name", flat=True))
    assert package["assessment"]["family_voice"] == "We want help with mornings."
    assert package["assessment"]["consents"][0]["share_with"] == ["School", "Health visiting"]
    assert package["plan"] == [
        {
            "description": "Chart",
            "owner": "Jo (School)",
            "due_date": timezone.localdate().isoformat(),
            "progress": "",
            "done": False,
        }
    ]
    assert [r["number"] for r in package["reviews"]] == [1]
    assert [e["verb"] for e in package["history"]] == verbs(episode)[: len(package["history"])]
    assert "earlyhelp.submitted" in [e["verb"] for e in package["history"]]
    assert verbs(episode)[-2:] == ["earlyhelp.closed", "earlyhelp.step_up_recorded"]
    with pytest.raises(services.EarlyHelpError):
        services.step_up(lead, episode, reason="again")


def test_step_up_reaches_the_front_door_as_one_referral_per_child_carrying_the_record(acting):
    from continuum.apps.referrals.models import Channel, Referral

    lead = acting()
    episode = EpisodeFactory(actor=lead)
    stepped = services.step_up(lead, episode, reason="Needs social care")
    referrals = list(Referral.objects.filter(public_id__in=stepped.referral_ids))
    children = episode.family.filter(kind="child")
    assert len(referrals) == children.count() >= 1
    for referral in referrals:
        assert referral.channel == Channel.STEP_UP and referral.concerns == "Needs social care"
        assert referral.carried == stepped.package  # the assessment, plan, reviews and history travel with it
        assert referral.referral_source == "5D" and referral.partnership == episode.partnership
    assert {r.child_first_name for r in referrals} == set(children.values_list("first_name", flat=True))


def _undated_family(lead: Actor) -> tuple[Episode, FamilyMember, FamilyMember]:
    """An open episode whose child has no date of birth (as the family page allows) and a baby recorded with none."""
    episode = EpisodeFactory(actor=lead)
    older = episode.family.get(kind="child")
    FamilyMember.objects.filter(pk=older.pk).update(date_of_birth=None)
    baby = FamilyMember.objects.create(episode=episode, kind="child", first_name="Baby", last_name="Smith")
    older.refresh_from_db()
    return episode, older, baby


def test_a_child_without_a_date_of_birth_is_dated_at_step_up_instead_of_a_dead_end(acting):
    from continuum.apps.referrals.models import Referral

    lead = acting()
    episode, older, baby = _undated_family(lead)
    assert services.undated_children(episode) == [older, baby]
    before = verbs(episode)
    with pytest.raises(services.EarlyHelpError) as refused:
        services.step_up(lead, episode, reason="Needs social care")
    assert refused.value.field == f"dob_{older.pk}" and str(refused.value).startswith(
        f"Enter the date of birth of {older}"
    )
    episode.refresh_from_db()
    assert episode.status == Status.OPEN and not StepUp.objects.exists() and not Referral.objects.exists()
    assert verbs(episode) == before
    due = timezone.localdate() + timedelta(days=60)
    dates = {older.pk: (date(2016, 2, 3), False), baby.pk: (due, True)}
    stepped = services.step_up(lead, episode, reason="Needs social care", dates=dates)
    older.refresh_from_db()
    baby.refresh_from_db()
    assert older.date_of_birth == date(2016, 2, 3) and baby.date_of_birth is None  # a due date is not a birth
    referrals = {r.child_first_name: r for r in Referral.objects.filter(public_id__in=stepped.referral_ids)}
    assert referrals[older.first_name].date_of_birth == date(2016, 2, 3)
    assert (referrals["Baby"].date_of_birth, referrals["Baby"].unborn_due_date) == (None, due)
    event = for_target(episode).filter(verb="earlyhelp.step_up_recorded").get()
    assert event.payload["dated_children"] == {str(older.pk): {"unborn": False}, str(baby.pk): {"unborn": True}}


@pytest.mark.parametrize(
    ("born", "unborn", "says"),
    [
        (timedelta(days=1), False, "must be in the past; if not yet born, tick"),
        (timedelta(days=-1), True, "due date of Baby Smith must be today or later"),
        (timedelta(days=300), True, "within the next 42 weeks"),
    ],
)
def test_a_step_up_date_that_cannot_be_is_refused_and_nothing_is_stored(acting, born, unborn, says):
    from continuum.apps.referrals.models import Referral

    lead = acting()
    episode, older, baby = _undated_family(lead)
    today = timezone.localdate()
    dates = {older.pk: (date(2016, 2, 3), False), baby.pk: (today + born, unborn)}
    with pytest.raises(services.EarlyHelpError, match=says) as refused:
        services.step_up(lead, episode, reason="Needs social care", dates=dates)
    assert refused.value.field == f"dob_{baby.pk}"
    older.refresh_from_db()
    assert older.date_of_birth is None, "the first child's date is not kept from a step-up that failed"
    assert not StepUp.objects.exists() and not Referral.objects.exists()


# --- step-down --------------------------------------------------------------------------------------


FAMILY = [
    {"kind": "child", "first_name": "Mo", "last_name": "Ali", "date_of_birth": "2017-09-01"},
    {"kind": "adult", "first_name": "Sara", "last_name": "Ali", "relationship": "mother"},
]


def step_down(actor: Actor, **fields: Any) -> StepDown:
    values = {
        "origin": "social-care",
        "source_reference": "CIN-42",
        "family": FAMILY,
        "reason": "Child in need plan ended; support with routines",
        "needs": ["edu-l2-1"],
        "history": [{"at": "2026-10-01", "what": "Child in need plan"}],
    }
    return services.request_step_down(actor, **{**values, **fields})


def test_a_step_down_accepted_starts_an_assessment_with_everything_handed_over(acting):
    services.change_settings(acting(Role.PARTNERSHIP_ADMIN), step_down_response="2 working days")
    social_worker, team = acting(Role.FRONT_DOOR_WORKER), acting(Role.EARLY_HELP)
    handed = step_down(social_worker)
    assert handed.respond_by == clocks.step_down_clock(services.partnership_settings(OWN)).due(
        services.framework_for(OWN), handed.requested_at
    )
    assert handed.clock_basis == "partnership"
    episode = services.accept_step_down(team, handed)
    handed.refresh_from_db()
    assert (handed.state, handed.episode, handed.answered_by) == ("accepted", episode, team.user)
    assert (episode.source, episode.source_reference, episode.needs, episode.lead_professional) == (
        "step-down",
        handed.public_id,
        ["edu-l2-1"],
        team.user,
    )
    assert [(m.first_name, m.date_of_birth) for m in episode.family.order_by("first_name")] == [
        ("Mo", date(2017, 9, 1)),
        ("Sara", None),
    ]
    assert verbs(handed) == ["earlyhelp.step_down_requested", "earlyhelp.step_down_accepted"]
    with pytest.raises(services.EarlyHelpError, match="already been answered"):
        services.refuse_step_down(team, handed, reason="late")


def test_a_step_down_refused_needs_a_reason_and_only_the_receiving_team_answers(acting):
    requester = acting(Role.FRONT_DOOR_MANAGER)
    handed = step_down(requester)
    assert handed.respond_by is None and handed.clock_text.startswith("The document does not say")
    with pytest.raises(Refused):
        services.accept_step_down(requester, handed)
    with pytest.raises(Refused):
        services.accept_step_down(acting(Role.EARLY_HELP, partnership=OTHER), handed)
    team = acting(Role.EARLY_HELP)
    with pytest.raises(services.EarlyHelpError, match="why"):
        services.refuse_step_down(team, handed, reason=" ")
    services.refuse_step_down(team, handed, reason="Needs remain at Level 3")
    handed.refresh_from_db()
    assert (handed.state, handed.refusal_reason) == ("refused", "Needs remain at Level 3")
    assert not Episode.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"origin": "school"}, "origin"),
        ({"source_reference": ""}, "source_reference"),
        ({"family": [FAMILY[1]]}, "family"),
        ({"reason": ""}, "reason"),
    ],
)
def test_bad_step_down_input_stores_nothing(acting, fields, field):
    with pytest.raises(services.EarlyHelpError) as refused:
        step_down(acting(Role.FRONT_DOOR_WORKER), **fields)
    assert refused.value.field == field
    assert not StepDown.objects.exists()


def test_a_practitioner_may_not_step_a_child_down(acting):
    with pytest.raises(Refused):
        step_down(acting(Role.PRACTITIONER))


@pytest.mark.django_db(transaction=True)
def test_an_unanswered_step_down_escalates_on_the_job_queue(acting):
    services.change_settings(acting(Role.PARTNERSHIP_ADMIN), step_down_response="2 working days")
    waiting, answered = step_down(acting(Role.FRONT_DOOR_WORKER)), step_down(acting(Role.FRONT_DOOR_WORKER))
    services.refuse_step_down(acting(Role.EARLY_HELP), answered, reason="Not ours")
    past = timezone.now() - timedelta(hours=1)
    StepDown.objects.update(respond_by=past)
    DBTaskResult.objects.update(run_after=past)
    run(batch=True, interval=0.1)
    waiting.refresh_from_db()
    answered.refresh_from_db()
    assert waiting.escalated_at is not None and answered.escalated_at is None
    assert verbs(waiting)[-1] == "earlyhelp.step_down_escalated"


def test_a_round_trip_step_up_then_down_keeps_the_family(acting):
    """Early help → front door (step-up package) → back down to early help: the same family arrives."""
    lead = acting()
    episode = EpisodeFactory(actor=lead)
    package = services.step_up(lead, episode, reason="Escalating concerns").package
    family = [
        {k: p[k] for k in ("kind", "first_name", "last_name", "date_of_birth", "relationship")}
        for p in package["assessment"]["family"]
    ]
    handed = step_down(
        acting(Role.FRONT_DOOR_WORKER),
        origin="front-door",
        source_reference="R-9",
        family=family,
        needs=package["assessment"]["needs"],
    )
    again = services.accept_step_down(acting(Role.EARLY_HELP), handed)
    before = sorted((m["first_name"], m["date_of_birth"]) for m in family)
    after = sorted((m.first_name, m.date_of_birth.isoformat() if m.date_of_birth else None) for m in again.family.all())
    assert before == after and again.needs == episode.needs


@pytest.mark.parametrize(
    ("framework_id", "basis", "words"),
    [
        ("bedford-borough", "document", "The first review should take place no longer than 12 weeks"),
        ("bury", "none", "Regular reviews will monitor the progress of the plan"),
        ("central-bedfordshire", "none", "review the Early Help Plan on a regular basis"),
        ("luton", "none", "The document does not say when this review is due"),
        ("cambridgeshire-peterborough", "none", "The document does not say when this review is due"),
    ],
)
def test_the_seed_documents_first_review_clocks(framework_id, basis, words):
    """Bedford Borough gives 12 weeks; the others say "regular" or nothing: no clock until the partnership sets one."""
    from continuum.frameworks import default_registry

    loaded = default_registry().get(framework_id)
    clock = clocks.review_clock(loaded, None, 1)
    assert clock.basis == basis and words in clock.text
    if basis == "document":
        start = datetime(2027, 1, 4, 9, 0, tzinfo=UK)
        assert clock.due(loaded, start) == datetime(2027, 3, 29, 9, 0, tzinfo=UK)
    else:
        assert clock.text.startswith("The document does not say") and not clock.runs


def test_a_step_ups_event_names_only_the_children_it_dated(acting):
    """The event named every id the caller sent a date for, an already-dated child or another family's
    included; it names only the children of this family that had no date and were given one."""
    lead = acting()
    episode, older, baby = _undated_family(lead)
    FamilyMember.objects.filter(pk=older.pk).update(date_of_birth=date(2015, 5, 6))
    elsewhere = EpisodeFactory(actor=lead).family.get(kind="child")
    due = timezone.localdate() + timedelta(days=30)
    dates = {older.pk: (date(2016, 2, 3), False), baby.pk: (due, True), elsewhere.pk: (date(2017, 1, 1), False)}
    services.step_up(lead, episode, reason="Needs social care", dates=dates)
    event = for_target(episode).filter(verb="earlyhelp.step_up_recorded").get()
    assert event.payload["dated_children"] == {str(baby.pk): {"unborn": True}}
    older.refresh_from_db()
    elsewhere.refresh_from_db()
    assert older.date_of_birth == date(2015, 5, 6) and elsewhere.date_of_birth != date(2017, 1, 1)
