"""The front door's services: each change, its audit event, its refusals, and the clocks they start."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from continuum.apps.accounts.actor import Role
from continuum.apps.accounts.permissions import Refused
from continuum.apps.audit import queries as audit
from continuum.apps.frontdoor import services
from continuum.apps.frontdoor.models import AgencyKind, Match, State, Triage
from continuum.apps.jobs.worker import run
from continuum.calendar import Calendar, Within

from .conftest import CB, CP, LUTON, person
from .factories import ReferralFactory, triage

pytestmark = pytest.mark.django_db(transaction=True)


def verbs(target: Any) -> list[str]:
    return list(audit.for_target(target).values_list("verb", flat=True))


def frontdoor_results() -> list[Any]:
    """What the front door's jobs returned (the worker also runs the periodic session sweep)."""
    jobs = DBTaskResult.objects.filter(task_path__startswith="continuum.apps.frontdoor.")
    return list(jobs.values_list("return_value", flat=True))


def complete_rationale(t: Triage, **changes: Any) -> services.Rationale:
    values: dict[str, Any] = {
        "indicators": {i: "confirmed" for i in t.referral.indicator_ids},
        "added": [],
        "information": "School and health visitor spoken to.",
        "consent_basis": "obtained",
        "consent_detail": "Mother, by phone",
        "level": t.referral.referrer_level,
        "level_reason": "",
    }
    values.update(changes)
    return services.Rationale(**values)


# -- opening -------------------------------------------------------------------------------


def test_opening_copies_the_stored_deadline_and_sets_the_amber_point_in_working_time():
    received = timezone.now() - timedelta(hours=1)
    t = triage(received_at=received)
    assert t.due_at == t.referral.decision_due
    calendar = Calendar.for_framework(services.framework_of(CB))
    total = calendar.working_minutes(received, t.due_at)
    assert calendar.working_minutes(t.amber_at, t.due_at) == pytest.approx(total * 0.25, abs=1)
    assert t.clock == "l3-csc-decision"
    assert verbs(t) == ["frontdoor.opened"]
    jobs = DBTaskResult.objects.values_list("task_path", flat=True)
    assert sorted(jobs) == ["continuum.apps.frontdoor.tasks.escalate", "continuum.apps.frontdoor.tasks.remind"]


def test_a_framework_without_a_decision_clock_opens_with_no_deadline_and_no_jobs():
    t = triage(partnership=LUTON)
    assert t.due_at is None and t.amber_at is None and t.clock == ""
    assert not DBTaskResult.objects.exists()
    assert audit.for_target(t).get().payload["clock"] == "the document does not say"


def test_open_new_opens_each_waiting_referral_once():
    ReferralFactory.create_batch(3)
    ReferralFactory(partnership=LUTON)
    assert services.open_new(CB) == 3
    assert services.open_new(CB) == 0
    assert Triage.objects.filter(partnership=CB).count() == 3


# -- claiming ------------------------------------------------------------------------------


def test_a_worker_claims_an_unclaimed_contact(worker):
    t = services.claim(worker, triage())
    assert (t.state, t.claimed_by) == (State.CLAIMED, worker.user)
    assert verbs(t)[-1] == "frontdoor.claimed"


def test_claiming_a_claimed_contact_is_refused_naming_who_and_when(worker):
    t = services.claim(worker, triage())
    other = person(Role.FRONT_DOOR_WORKER)
    with pytest.raises(services.FrontDoorError, match=r"Already claimed by Wren Walker at \d\d:\d\d"):
        services.claim(other, t)
    assert Triage.objects.get(pk=t.pk).claimed_by == worker.user


def test_another_partnerships_worker_cannot_claim():
    outsider = person(Role.FRONT_DOOR_WORKER, partnership=LUTON)
    with pytest.raises(Refused):
        services.claim(outsider, triage())


def test_a_practitioner_cannot_claim():
    with pytest.raises(Refused):
        services.claim(person(Role.PRACTITIONER), triage())


def test_claim_next_takes_the_earliest_deadline(worker):
    later = triage(received_at=timezone.now() - timedelta(minutes=5))
    sooner = triage(received_at=timezone.now() - timedelta(hours=3))
    assert services.claim_next(worker) == sooner
    assert services.claim_next(worker) == later
    assert services.claim_next(worker) is None


def test_a_failed_audit_write_stores_no_claim(worker, monkeypatch):
    t = triage()

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "record", broken)
    with pytest.raises(RuntimeError):
        services.claim(worker, t)
    assert Triage.objects.get(pk=t.pk).claimed_by is None


def test_a_manager_reassigns_and_a_worker_cannot(worker, manager):
    t = services.claim(worker, triage())
    colleague = person(Role.FRONT_DOOR_WORKER, first_name="Cal")
    with pytest.raises(Refused):
        services.reassign(worker, t, colleague.user)
    t = services.reassign(manager, t, colleague.user)
    assert t.claimed_by == colleague.user
    assert verbs(t)[-1] == "frontdoor.reassigned"
    outsider = person(Role.FRONT_DOOR_WORKER, partnership=LUTON)
    with pytest.raises(services.FrontDoorError, match="not a front-door worker or manager in this partnership"):
        services.reassign(manager, t, outsider.user)


def test_working_on_a_contact_needs_the_claim(worker):
    t = triage()
    with pytest.raises(services.FrontDoorError, match="Claim this contact"):
        services.grade(worker, t, "red")
    services.claim(worker, t)
    other = person(Role.FRONT_DOOR_WORKER)
    with pytest.raises(services.FrontDoorError, match="Wren Walker claimed this contact"):
        services.grade(other, t, "red")


# -- triage --------------------------------------------------------------------------------


def test_grading_red_resets_the_decision_deadline_to_the_grades_clock(worker):
    received = timezone.now() - timedelta(minutes=30)
    t = services.claim(worker, triage(received_at=received))
    t = services.grade(worker, t, "red")
    calendar = Calendar.for_framework(services.framework_of(CB))
    assert t.due_at == calendar.due(received, Within(4, "hours"))
    assert t.clock == "mash-red-decision"
    event = audit.for_target(t).get(verb="frontdoor.graded")
    assert event.payload["due_before"] != event.payload["due_at"]
    with pytest.raises(services.FrontDoorError, match="it has: red, amber, green"):
        services.grade(worker, t, "purple")


def test_agency_checks_each_have_their_own_clock_and_answer(worker):
    t = services.claim(worker, triage())
    check = services.request_check(worker, t, "police", "Any call-outs?")
    assert check.due_at is not None and check.clock == "mash-information-requests"
    with pytest.raises(services.FrontDoorError, match="already been asked"):
        services.request_check(worker, t, "police")
    with pytest.raises(services.FrontDoorError, match="Enter what Police said"):
        services.answer_check(worker, check, "  ")
    check = services.answer_check(worker, check, "Two call-outs in May.")
    assert check.answered_at is not None
    assert verbs(t)[-2:] == ["frontdoor.requested", "frontdoor.answered"]


def test_an_agency_check_has_no_clock_where_the_document_gives_none():
    luton_worker = person(Role.FRONT_DOOR_WORKER, partnership=LUTON)
    t = services.claim(luton_worker, triage(partnership=LUTON))
    assert services.request_check(luton_worker, t, "health").due_at is None


def test_a_partnership_adds_its_own_agencies():
    AgencyKind.objects.create(partnership=CB, code="housing", name="Housing")
    assert ("housing", "Housing") in services.agencies(CB)
    assert ("housing", "Housing") not in services.agencies(LUTON)


def test_a_contact_within_the_window_with_the_same_nhs_number_is_a_re_referral():
    first = ReferralFactory(nhs_number="9434765919", received_at=timezone.now() - timedelta(days=40))
    t = triage(nhs_number="9434765919", child_first_name="Other")
    assert (t.earlier, t.match, t.match_confirmed) == (first, Match.NHS, True)
    assert first.public_id in t.open_case


def test_a_contact_before_the_window_is_not_a_re_referral():
    ReferralFactory(nhs_number="9434765919", received_at=timezone.now() - timedelta(days=120))  # CB: 3 months
    t = triage(nhs_number="9434765919")
    assert t.earlier is None and t.match == Match.NONE


def test_the_default_window_is_twelve_months_where_the_document_gives_none():
    ReferralFactory(partnership=LUTON, nhs_number="9434765919", received_at=timezone.now() - timedelta(days=300))
    t = triage(partnership=LUTON, nhs_number="9434765919")
    assert t.match == Match.NHS


def test_a_name_and_birth_match_must_be_confirmed_before_deciding(worker):
    born = timezone.now().date() - timedelta(days=3000)
    ReferralFactory(child_first_name="Ada", child_last_name="Lane", date_of_birth=born)
    t = services.claim(worker, triage(child_first_name="ada", child_last_name="LANE", date_of_birth=born))
    assert t.match == Match.NAME_DOB and t.match_confirmed is None
    with pytest.raises(services.DecisionError) as refused:
        services.decide(worker, t, outcome="0", police=False, rationale=complete_rationale(t))
    assert set(refused.value.missing) == {"same_child"}
    t = services.confirm_match(worker, t, same_child=False)
    assert t.match_confirmed is False
    services.decide(worker, t, outcome="0", police=False, rationale=complete_rationale(t))


# -- the decision --------------------------------------------------------------------------


def test_deciding_without_a_rationale_is_refused_saying_what_is_missing(worker):
    t = services.claim(worker, triage(indicator_ids=["dev-l2-01"]))
    empty = services.Rationale({}, [], "", "", "", None, "")
    with pytest.raises(services.DecisionError) as refused:
        services.decide(worker, t, outcome="", police=False, rationale=empty)
    assert set(refused.value.missing) == {"outcome", "indicators", "information", "consent_basis", "level"}
    assert "confirm or reject each referred indicator (1 not done)" in str(refused.value)
    assert Triage.objects.get(pk=t.pk).state == State.CLAIMED


def test_a_level_other_than_the_referrers_needs_a_reason(worker):
    t = services.claim(worker, triage())
    with pytest.raises(services.DecisionError) as refused:
        services.decide(worker, t, outcome="0", police=False, rationale=complete_rationale(t, level=4))
    assert set(refused.value.missing) == {"level_reason"}


def test_a_complete_decision_is_stored_in_the_documents_words_with_police_alongside(worker):
    t = services.claim(worker, triage(indicator_ids=["dev-l2-01"]))
    choices = services.outcome_choices(services.framework_of(CB))
    s47 = next(c for c in choices if c.code == "strategy-s47")
    rationale = complete_rationale(
        t, indicators={"dev-l2-01": "rejected"}, added=["dev-l2-01"], level=4, level_reason="x"
    )
    t = services.decide(worker, t, outcome=s47.key, police=False, rationale=rationale)
    assert (t.state, t.outcome_code, t.outcome_name, t.police) == (State.DECIDED, "strategy-s47", s47.name, True)
    assert t.rationale["indicators"] == {"dev-l2-01": "rejected"} and t.frontdoor_level == 4
    assert t.feedback_due is None  # Central Bedfordshire gives no feedback clock
    event = audit.for_target(t).get(verb="frontdoor.decided")
    assert event.payload["outcome"] == "strategy-s47" and event.payload["rationale"]["level"] == 4


def test_a_document_without_outcomes_offers_the_canonical_ones():
    choices = services.outcome_choices(services.framework_of("bedford-borough"))
    assert [c.code for c in choices][:2] == ["nfa", "advice-signpost"] and all(c.national for c in choices)


# -- feedback to the referrer --------------------------------------------------------------


def test_feedback_has_its_own_clock_and_reaches_the_referrer(settings, tmp_path: Path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    cp_worker = person(Role.FRONT_DOOR_WORKER, partnership=CP)
    t = services.claim(cp_worker, triage(partnership=CP))
    t = services.decide(cp_worker, t, outcome="1", police=False, rationale=complete_rationale(t))
    calendar = Calendar.for_framework(services.framework_of(CP))
    assert t.feedback_due == calendar.due(t.decided_at, "1 working day") and t.feedback_clock == "l3-referrer-updated"
    with pytest.raises(services.FrontDoorError, match="Say why it is not appropriate"):
        services.send_feedback(cp_worker, t, shared=False, text="")
    t = services.send_feedback(cp_worker, t, shared=True, text="An assessment will start.")
    referral = t.referral
    referral.refresh_from_db()
    assert referral.outcome_code == t.outcome_code and referral.outcome_text == "An assessment will start."
    with pytest.raises(services.FrontDoorError, match="already told"):
        services.send_feedback(cp_worker, t, shared=True, text="again")
    run(batch=True, interval=0.1)
    written = "".join(p.read_text() for p in tmp_path.iterdir())
    assert "An assessment will start." in written and "referrer@example.org" in written


# -- the clocks run themselves (the real worker) ---------------------------------------------


def test_an_overdue_decision_is_reminded_and_escalated_to_the_managers(worker, manager):
    t = services.claim(worker, triage(received_at=timezone.now() - timedelta(days=5)))
    assert t.due_at < timezone.now()
    run(batch=True, interval=0.1)
    t.refresh_from_db()
    assert t.reminded_at is not None and t.escalated_at is not None
    assert sorted(verbs(t)[-2:]) == ["frontdoor.escalated", "frontdoor.reminded"]
    to = {tuple(m.to) for m in mail.outbox}
    assert (worker.user.email,) in to and (manager.user.email,) in to
    assert set(frontdoor_results()) == {"reminded", "escalated"}


def test_a_decided_contact_is_not_escalated(worker, manager):
    t = services.claim(worker, triage(received_at=timezone.now() - timedelta(days=5)))
    services.decide(worker, t, outcome="0", police=False, rationale=complete_rationale(t))
    run(batch=True, interval=0.1)
    assert set(frontdoor_results()) == {"done"}
    assert not mail.outbox


def test_jobs_for_a_deadline_a_grade_replaced_do_nothing(worker):
    t = services.claim(worker, triage(received_at=timezone.now() - timedelta(days=5)))
    services.grade(worker, t, "red")  # a new deadline, with its own jobs; the old ones are stale
    run(batch=True, interval=0.1)
    results = frontdoor_results()
    assert results.count("stale") == 2 and results.count("escalated") == 1


def test_an_unanswered_agency_check_is_escalated_after_its_deadline(worker, manager):
    t = services.claim(worker, triage())
    check = services.request_check(worker, t, "health")
    type(check).objects.filter(pk=check.pk).update(due_at=timezone.now() - timedelta(hours=1))
    check.refresh_from_db()
    from continuum.apps.frontdoor import tasks

    tasks.escalate.enqueue("agency-check", check.pk, check.due_at.isoformat())
    run(batch=True, interval=0.1)
    check.refresh_from_db()
    assert check.escalated_at is not None
    assert any(m.to == [manager.user.email] for m in mail.outbox)
