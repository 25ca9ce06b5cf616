"""Escalation services: every move, every refusal, the clocks against known dates, and the jobs through the real worker.

Central Bedfordshire's document gives five stages (the first two a working week each, the third
"without delay", the last two no timescale); Cambridgeshire and Peterborough's gives none and links
out to its procedure.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from django_tasks_db.models import DBTaskResult

from continuum.apps.accounts.actor import Role
from continuum.apps.accounts.permissions import Refused
from continuum.apps.audit.queries import events as audit_events
from continuum.apps.audit.queries import for_target, recorded
from continuum.apps.escalations import events, services
from continuum.apps.escalations.models import Basis, Escalation, PartnershipProcedure, Stage, StageEnd, Status
from continuum.apps.escalations.subjects import kind_of
from continuum.apps.jobs.worker import run
from continuum.calendar import UK

from .conftest import STAGED, UNSTAGED
from .factories import EscalationFactory, acting, stored_check

pytestmark = pytest.mark.django_db

CHECK = kind_of("check")


def uk(*args: int) -> datetime:
    return datetime(*args, tzinfo=UK)


def verbs(escalation: Escalation) -> list[str]:
    return list(for_target(escalation).values_list("verb", flat=True))


def stage(escalation: Escalation, number: int) -> Stage:
    return Stage.objects.get(escalation=escalation, number=number)


# -- raising -------------------------------------------------------------------------------------


def test_raising_stores_the_documents_stages_and_starts_stage_one_with_its_clock_over_easter():
    escalation = EscalationFactory()
    assert escalation.basis == Basis.DOCUMENT
    assert escalation.stage_count == 5
    assert (escalation.status, escalation.current_stage) == (Status.OPEN, 1)
    assert escalation.subject_kind == "check"
    assert escalation.subject_decision.startswith("Recommended level 1 (")  # the check, not yet judged
    first = stage(escalation, 1)
    assert first.who == "The professionals involved"
    assert first.within == "5 working days"
    # Thursday 2 April 2026 10:00 + a working week, skipping Good Friday and Easter Monday.
    assert first.due_at == uk(2026, 4, 13, 10, 0)
    assert first.remind_at == uk(2026, 4, 10, 10, 0)
    assert verbs(escalation) == [events.RAISED.name]
    payload = audit_events().get(verb=events.RAISED.name).payload
    assert payload["basis"] == "document" and payload["stages"] == 5 and payload["stage"] == 1
    assert DBTaskResult.objects.count() == 2  # the reminder and the overdue flag


def test_where_the_document_gives_no_stages_the_escalation_says_so_and_runs_no_clock():
    escalation = EscalationFactory(partnership=UNSTAGED)
    assert escalation.basis == Basis.NONE
    assert escalation.stage_count == 0
    first = stage(escalation, 1)
    assert (first.who, first.within, first.due_at) == ("", "", None)
    assert not DBTaskResult.objects.exists()
    where = services.current_procedure(UNSTAGED).where
    assert any(c.get("url", "").startswith("http") for c in where.contacts)  # where the procedure lives
    assert where.statements


@pytest.mark.parametrize(
    ("field", "values"),
    [("concern", {"concern": "  "}), ("other_party", {"other_party": ""})],
)
def test_raising_without_the_concern_or_the_other_party_is_refused_and_stores_nothing(field, values):
    with pytest.raises(services.EscalationError) as refused:
        EscalationFactory(**values)
    assert refused.value.field == field
    assert not Escalation.objects.exists() and not Stage.objects.exists()
    assert not audit_events().filter(verb=events.RAISED.name).exists()


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.PARTNERSHIP_ADMIN])
def test_roles_that_are_not_a_party_may_not_raise(role):
    subject = stored_check(acting(Role.PRACTITIONER))
    with pytest.raises(Refused):
        EscalationFactory(actor=acting(role), subject=subject)


def test_a_decision_the_actor_cannot_see_cannot_be_escalated():
    unsent = stored_check(acting(Role.PRACTITIONER), sent=False)  # the front door never saw it
    with pytest.raises(Refused, match="not within"):
        EscalationFactory(subject=unsent)


def test_a_decision_of_another_partnership_cannot_be_escalated_here():
    owner = acting(Role.PRACTITIONER, STAGED)
    theirs = stored_check(owner, UNSTAGED)  # a check against the other partnership's framework
    # the owner sees their own check, but acts in a partnership that is not the check's
    with pytest.raises(Refused, match="another partnership"):
        EscalationFactory(actor=owner, subject=theirs)


def test_the_practitioner_may_escalate_their_own_check():
    owner = acting(Role.PRACTITIONER)
    escalation = EscalationFactory(actor=owner, subject=stored_check(owner, sent=False))
    assert escalation.owner == owner.user


# -- the stages ----------------------------------------------------------------------------------


def test_respond_then_resolve_closes_the_escalation_with_its_outcome():
    escalation = EscalationFactory()
    worker = acting(Role.FRONT_DOOR_MANAGER)
    services.respond(worker, escalation, response="We met and agreed the level was too low", now=uk(2026, 4, 7, 9))
    services.resolve(worker, escalation, outcome="The level was raised to 3", now=uk(2026, 4, 7, 12))
    escalation.refresh_from_db()
    assert (escalation.status, escalation.outcome) == (Status.RESOLVED, "The level was raised to 3")
    assert escalation.closed_at == uk(2026, 4, 7, 12)
    first = stage(escalation, 1)
    assert (first.ended, first.responded_by) == (StageEnd.RESOLVED, worker.user)
    assert verbs(escalation) == [events.RAISED.name, events.RESPONDED.name, events.RESOLVED.name]
    resolved = audit_events().get(verb=events.RESOLVED.name)
    assert recorded(resolved) == {"from": "open", "to": "resolved", "stage": 1}
    assert resolved.role == Role.FRONT_DOOR_MANAGER


def test_resolving_before_the_response_is_refused():
    escalation = EscalationFactory()
    with pytest.raises(services.EscalationError, match="response") as refused:
        services.resolve(acting(Role.FRONT_DOOR_WORKER), escalation, outcome="Agreed")
    assert refused.value.field == "outcome"
    assert Escalation.objects.get().status == Status.OPEN


def test_a_stage_has_one_response():
    escalation = EscalationFactory()
    services.respond(acting(Role.FRONT_DOOR_WORKER), escalation, response="First answer")
    with pytest.raises(services.EscalationError, match="already recorded"):
        services.respond(acting(Role.FRONT_DOOR_WORKER), escalation, response="Second answer")
    assert stage(escalation, 1).response == "First answer"


def test_an_empty_response_is_refused():
    escalation = EscalationFactory()
    with pytest.raises(services.EscalationError) as refused:
        services.respond(acting(Role.FRONT_DOOR_WORKER), escalation, response=" ")
    assert refused.value.field == "response"


def test_moving_on_needs_the_response_or_the_deadline_passed():
    escalation = EscalationFactory()
    party = acting(Role.FRONT_DOOR_WORKER)
    with pytest.raises(services.EscalationError, match="response at this stage first"):
        services.escalate(party, escalation, reason="No answer yet", now=uk(2026, 4, 13, 9, 59))
    following = services.escalate(party, escalation, reason="No answer in a working week", now=uk(2026, 4, 13, 10))
    assert following.number == 2
    assert following.who.startswith("A children’s social care team manager")
    assert following.due_at == uk(2026, 4, 20, 10, 0)  # a further working week
    escalation.refresh_from_db()
    assert escalation.current_stage == 2
    assert stage(escalation, 1).ended == StageEnd.ESCALATED
    moved = audit_events().get(verb=events.ESCALATED.name)
    assert moved.payload["from"] == 1 and moved.payload["to"] == 2 and moved.payload["without_response"] is True


def test_a_stage_without_a_timescale_has_no_deadline_and_the_last_stage_cannot_move_on():
    escalation = EscalationFactory()
    party = acting(Role.FRONT_DOOR_WORKER)
    for number in range(1, 5):
        services.respond(party, escalation, response=f"Not agreed at stage {number}")
        following = services.escalate(party, escalation, reason="Still not agreed")
        if following.number == 3:
            assert following.due_at is None and following.within == ""  # "without delay": no number given
    escalation.refresh_from_db()
    assert escalation.current_stage == 5 and not escalation.has_next_stage
    services.respond(party, escalation, response="The board will review")
    with pytest.raises(services.EscalationError, match="last stage"):
        services.escalate(party, escalation, reason="Further")
    assert DBTaskResult.objects.count() == 4  # reminder and overdue for stages 1 and 2 only


def test_with_no_stages_there_is_no_next_stage_but_it_can_be_resolved():
    escalation = EscalationFactory(partnership=UNSTAGED)
    party = acting(Role.FRONT_DOOR_WORKER, UNSTAGED)
    services.respond(party, escalation, response="Discussed under the Resolving Professional Difference process")
    with pytest.raises(services.EscalationError, match="stages are not recorded here"):
        services.escalate(party, escalation, reason="Move on")
    services.resolve(party, escalation, outcome="Agreed")
    assert Escalation.objects.get().status == Status.RESOLVED


def test_only_the_person_who_raised_it_may_withdraw_it():
    raiser = acting(Role.FRONT_DOOR_WORKER)
    escalation = EscalationFactory(actor=raiser)
    with pytest.raises(Refused):
        services.withdraw(acting(Role.FRONT_DOOR_MANAGER), escalation, reason="Not mine")
    with pytest.raises(services.EscalationError) as refused:
        services.withdraw(raiser, escalation, reason="")
    assert refused.value.field == "withdraw_reason"
    services.withdraw(raiser, escalation, reason="Resolved informally")
    escalation.refresh_from_db()
    assert (escalation.status, stage(escalation, 1).ended) == (Status.WITHDRAWN, StageEnd.WITHDRAWN)
    assert verbs(escalation)[-1] == events.WITHDRAWN.name


@pytest.mark.parametrize("move", ["respond", "escalate", "resolve", "withdraw"])
def test_a_closed_escalation_does_not_move(move):
    raiser = acting(Role.FRONT_DOOR_WORKER)
    escalation = EscalationFactory(actor=raiser)
    services.withdraw(raiser, escalation, reason="Resolved informally")
    keyword = {"respond": "response", "escalate": "reason", "resolve": "outcome", "withdraw": "reason"}[move]
    with pytest.raises(services.EscalationError, match="already withdrawn"):
        getattr(services, move)(raiser, escalation, **{keyword: "text"})


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.PARTNERSHIP_ADMIN, Role.EARLY_HELP])
def test_people_outside_the_disagreement_may_not_move_it(role):
    escalation = EscalationFactory()
    with pytest.raises(Refused):
        services.respond(acting(role), escalation, response="An answer")
    assert stage(escalation, 1).response == ""


@pytest.mark.parametrize(
    ("move", "keyword"),
    [("respond", "response"), ("escalate", "reason"), ("resolve", "outcome"), ("withdraw", "reason")],
)
def test_who_may_move_it_is_asked_before_the_text(move, keyword):
    """Someone who may not move it is refused (403) whatever text they give, not told the text is missing."""
    escalation = EscalationFactory()
    who = acting(Role.PARTNERSHIP_ADMIN) if move != "withdraw" else acting(Role.FRONT_DOOR_MANAGER)
    with pytest.raises(Refused):
        getattr(services, move)(who, escalation, **{keyword: " "})
    assert stage(escalation, 1).response == "" and verbs(escalation) == [events.RAISED.name]


def test_the_front_door_of_another_partnership_may_not_move_it():
    escalation = EscalationFactory()
    with pytest.raises(Refused):
        services.respond(acting(Role.FRONT_DOOR_MANAGER, UNSTAGED), escalation, response="An answer")


def test_a_failed_audit_write_stores_nothing(monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "record", fail)
    with pytest.raises(RuntimeError):
        EscalationFactory()
    assert not Escalation.objects.exists() and not Stage.objects.exists()
    assert not DBTaskResult.objects.exists()  # the jobs went with the change


def test_a_failed_audit_write_leaves_the_stage_unanswered(monkeypatch):
    escalation = EscalationFactory()
    monkeypatch.setattr(services, "record", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("down")))
    with pytest.raises(RuntimeError):
        services.respond(acting(Role.FRONT_DOOR_WORKER), escalation, response="An answer")
    assert stage(escalation, 1).response == ""


# -- the partnership's procedure -----------------------------------------------------------------

STAGES = [
    {"who": "The practitioners involved", "how": "a conversation", "within": "2 working days"},
    {"who": "Their line managers", "how": "", "within": ""},
    {"who": "", "how": "", "within": ""},  # an empty row is ignored
]


def test_the_partnership_admin_records_stages_where_the_document_gives_none_and_new_escalations_follow_them():
    admin = acting(Role.PARTNERSHIP_ADMIN, UNSTAGED)
    setting = services.set_procedure(
        admin, name="Resolving Professional Difference", url="https://example.org/rpd", stages=STAGES
    )
    assert setting.stages == STAGES[:2]
    event = audit_events().get(verb=events.PROCEDURE_RECORDED.name)
    assert event.payload["stages"] == STAGES[:2] and event.role == Role.PARTNERSHIP_ADMIN
    escalation = EscalationFactory(partnership=UNSTAGED)
    assert escalation.basis == Basis.PARTNERSHIP and escalation.stage_count == 2
    assert escalation.procedure["url"] == "https://example.org/rpd"
    assert stage(escalation, 1).due_at == datetime(2026, 4, 8, 10, 0, tzinfo=UK)  # 2 working days after Easter


def test_an_escalation_keeps_the_stages_it_was_raised_under():
    escalation = EscalationFactory(partnership=UNSTAGED)
    services.set_procedure(acting(Role.PARTNERSHIP_ADMIN, UNSTAGED), name="RPD", url="", stages=STAGES)
    escalation.refresh_from_db()
    assert escalation.basis == Basis.NONE and escalation.stage_count == 0


def test_the_documents_stages_cannot_be_replaced_by_a_setting():
    with pytest.raises(services.EscalationError, match="used as written"):
        services.set_procedure(acting(Role.PARTNERSHIP_ADMIN, STAGED), name="Ours", url="", stages=STAGES)
    assert not PartnershipProcedure.objects.exists()


@pytest.mark.parametrize(
    ("name", "stages", "field"),
    [
        ("", STAGES, "name"),
        ("RPD", [{"who": "", "how": "talk", "within": ""}], "stage-1-who"),
        ("RPD", [{"who": "Managers", "how": "", "within": "soon"}], "stage-1-within"),
        ("RPD", [{"who": "", "how": "", "within": ""}], "stage-1-who"),
    ],
)
def test_a_procedure_with_a_missing_or_unreadable_part_is_refused(name, stages, field):
    with pytest.raises(services.EscalationError) as refused:
        services.set_procedure(acting(Role.PARTNERSHIP_ADMIN, UNSTAGED), name=name, url="", stages=stages)
    assert refused.value.field == field
    assert not PartnershipProcedure.objects.exists()


@pytest.mark.parametrize("role", [Role.FRONT_DOOR_MANAGER, Role.PRACTITIONER, Role.AUDITOR])
def test_only_the_partnership_admin_sets_the_procedure(role):
    with pytest.raises(Refused):
        services.set_procedure(acting(role, UNSTAGED), name="RPD", url="", stages=STAGES)


# -- the jobs, through the real worker --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_worker_reminds_and_flags_an_unanswered_stage_once_its_times_have_passed(mailoutbox):
    raiser = acting(Role.FRONT_DOOR_WORKER)
    manager = acting(Role.FRONT_DOOR_MANAGER)
    acting(Role.FRONT_DOOR_MANAGER, UNSTAGED)  # another partnership's manager is not told
    escalation = EscalationFactory(actor=raiser)  # raised 2 April 2026: reminder and deadline are in the past now
    run(batch=True, interval=0.1)
    assert [(m.subject.split(": ")[1], m.to) for m in mailoutbox] == [
        ("stage 1 is due soon", [raiser.user.email]),
        ("stage 1 is overdue", sorted([raiser.user.email, manager.user.email])),
    ]
    assert escalation.concern not in mailoutbox[1].body and escalation.public_id in mailoutbox[1].body
    first = stage(escalation, 1)
    assert first.reminded_at is not None and first.overdue_at is not None
    assert verbs(escalation) == [events.RAISED.name, events.REMINDED.name, events.OVERDUE.name]
    flagged = audit_events().get(verb=events.OVERDUE.name)
    assert flagged.actor == "system:worker" and flagged.payload["stage"] == 1


@pytest.mark.django_db(transaction=True)
def test_the_jobs_of_a_stage_that_moved_on_do_nothing(mailoutbox):
    escalation = EscalationFactory()
    party = acting(Role.FRONT_DOOR_WORKER)
    services.respond(party, escalation, response="Agreed")
    services.resolve(party, escalation, outcome="Agreed")
    run(batch=True, interval=0.1)
    assert stage(escalation, 1).overdue_at is None and stage(escalation, 1).reminded_at is None
    assert not mailoutbox
    assert sorted(
        DBTaskResult.objects.filter(task_path__contains="escalations").values_list("return_value", flat=True)
    ) == [
        "moot",
        "moot",
    ]


@pytest.mark.django_db(transaction=True)
def test_the_jobs_wait_for_the_stages_times():
    escalation = EscalationFactory(now=None)  # raised now: its reminder and deadline are days away
    run(batch=True, interval=0.1)
    assert stage(escalation, 1).reminded_at is None and stage(escalation, 1).overdue_at is None
    assert DBTaskResult.objects.filter(task_path__contains="escalations", status="READY").count() == 2


# -- other kinds of decision ---------------------------------------------------------------------


def test_the_referrer_escalates_the_front_doors_outcome_of_their_referral():
    from continuum.apps.referrals.services import record_outcome_for_referrer
    from tests.apps.referrals.factories import sent_referral

    referrer = acting(Role.PRACTITIONER)
    referral = sent_referral(referrer, STAGED, level=4)
    kind = kind_of("referral")
    assert kind is not None
    with pytest.raises(services.EscalationError, match="no decision yet"):
        services.raise_escalation(referrer, kind, referral, concern="Too low", other_party="The Hub")
    record_outcome_for_referrer(
        acting(Role.FRONT_DOOR_WORKER),
        referral,
        outcome_code="advice-signpost",
        text="Advice and signposting to universal services",
        shared=True,
    )
    referral.refresh_from_db()
    escalation = services.raise_escalation(
        referrer, kind, referral, concern="The family needs more than advice", other_party="The Hub's team manager"
    )
    assert escalation.subject_kind == "referral" and escalation.subject_reference == referral.public_id
    assert escalation.subject_decision == "Front door outcome: Advice and signposting to universal services"
    assert escalation.basis == Basis.DOCUMENT and escalation.stage_count == 5
    # the front door of the partnership sees it; another practitioner does not
    assert Escalation.objects.visible_to(acting(Role.FRONT_DOOR_MANAGER)).get() == escalation
    assert not Escalation.objects.visible_to(acting(Role.PRACTITIONER)).exists()


def test_every_kind_whose_app_is_installed_is_offered_and_names_a_real_model():
    from continuum.apps.escalations.subjects import KINDS, offered

    for kind in offered().values():
        model = kind.model_class()
        assert hasattr(model._default_manager, "visible_to"), kind.model
        model._default_manager.filter(**{kind.lookup: "x"}).exists()  # the lookup is a real one
    assert {"check", "referral"} <= set(offered())
    assert len({kind.key for kind in KINDS}) == len(KINDS)
