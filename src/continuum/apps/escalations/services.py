"""The only code that changes escalations. Each change and its audit event share one transaction.

Every function takes the :class:`Actor`, checks the role table (``permissions.require``) first,
before the text it was given (so a person who may not is refused whatever they sent), locks
the escalation, checks the move against :data:`~continuum.apps.escalations.models.TRANSITIONS`
and the stage's state, changes it, writes the audit event and, when a stage's clock starts,
enqueues its reminder and overdue jobs, all in one transaction. ``now`` is for clocks against
known dates in tests and imports; pages pass nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from continuum.apps.accounts.actor import Actor
from continuum.apps.accounts.permissions import Refused, require
from continuum.apps.audit.services import record
from continuum.apps.escalations import events, procedure, tasks
from continuum.apps.escalations.models import (
    TRANSITIONS,
    Escalation,
    OutcomeRevision,
    PartnershipProcedure,
    RegisterExport,
    Stage,
    StageEnd,
    Status,
)
from continuum.apps.escalations.subjects import SubjectKind
from continuum.apps.govuk.text import clean_text, has_visible_text
from continuum.apps.partnerships.catalogue import catalogue
from continuum.calendar import CalendarError, Within
from continuum.frameworks import LoadedFramework

MAX_STAGES = 8


class EscalationError(ValueError):
    """A change the rules do not allow: the message is for people, ``field`` the form field it is about."""

    def __init__(self, message: str, *, field: str = "__all__"):
        super().__init__(message)
        self.field = field


def _framework(partnership: str) -> LoadedFramework:
    loaded = catalogue().get(partnership)
    if loaded is None:
        raise EscalationError(f"{partnership} is not a partnership on offer")
    return loaded


def _required(value: str, field: str, message: str) -> str:
    """``value`` cleaned of control and bidirectional-override characters; refused when nothing visible is left."""
    value = clean_text(value or "").strip()
    if not has_visible_text(value):
        raise EscalationError(message, field=field)
    return value


def current_procedure(partnership: str) -> procedure.Procedure:
    """The stages an escalation raised now in ``partnership`` would follow, and where the procedure lives."""
    loaded = _framework(partnership)
    return procedure.procedure_for(loaded, PartnershipProcedure.objects.filter(partnership=partnership).first())


def _start_stage(escalation: Escalation, number: int, start: datetime, loaded: LoadedFramework) -> Stage:
    """Stage ``number``'s row with its clock stored once, and its reminder and overdue jobs enqueued."""
    rules = escalation.stage_rules
    rule = procedure.StageRule(**rules[number - 1]) if rules else None
    due = rule.due(loaded, start) if rule else None
    remind = rule.reminder(loaded, start) if rule else None
    stage = Stage.objects.create(
        escalation=escalation,
        number=number,
        who=rule.who if rule else "",
        how=rule.how if rule else "",
        within=rule.within if rule else "",
        started_at=start,
        due_at=due,
        remind_at=remind,
    )
    if remind is not None:
        tasks.remind_stage.using(run_after=remind).enqueue(stage.pk)
    if due is not None:
        tasks.flag_overdue_stage.using(run_after=due).enqueue(stage.pk)
    return stage


def require_raise(actor: Actor, kind: SubjectKind, subject: models.Model) -> None:
    """Raise :class:`Refused` unless ``actor`` may raise a disagreement about ``subject``: their role raises, they
    can see it, and it is their partnership's. Asked before anything else (the raise page asks it too)."""
    require(actor, "escalations.raise")
    manager: Any = type(subject)._default_manager
    if not manager.visible_to(actor).filter(pk=subject.pk).exists():
        raise Refused(actor, "escalations.raise", f"the {kind.noun} is not within the actor's partnership and role")
    if kind.partnership(subject) != actor.partnership:
        raise Refused(actor, "escalations.raise", f"the {kind.noun} belongs to another partnership")


def raise_escalation(
    actor: Actor,
    kind: SubjectKind,
    subject: models.Model,
    *,
    concern: str,
    other_party: str,
    desired_outcome: str = "",
    now: datetime | None = None,
) -> Escalation:
    """``actor`` disagrees with ``subject``'s decision: store it with the procedure's stages and start stage 1."""
    require_raise(actor, kind, subject)
    partnership = kind.partnership(subject)
    decision = kind.decision(subject)
    if decision is None:
        raise EscalationError(f"The {kind.noun} has no decision yet to disagree with")
    concern = _required(concern, "concern", "Say what you disagree with and why")
    other_party = _required(other_party, "other_party", "Say who you disagree with (their role and agency)")
    loaded = _framework(partnership)
    start = now or timezone.now()
    with transaction.atomic():
        rules = procedure.procedure_for(loaded, PartnershipProcedure.objects.filter(partnership=partnership).first())
        escalation = Escalation.objects.create(
            partnership=partnership,
            framework_version=loaded.framework.version,
            framework_hash=loaded.content_hash,
            subject_type=ContentType.objects.get_for_model(subject),
            subject_id=str(subject.pk),
            subject_kind=kind.key,
            subject_reference=kind.reference(subject),
            subject_decision=decision,
            owner=actor.user,
            raised_role=str(actor.role),
            raised_at=start,
            concern=concern,
            other_party=other_party,
            desired_outcome=clean_text(desired_outcome or "").strip(),
            basis=rules.basis,
            procedure=rules.snapshot(),
        )
        stage = _start_stage(escalation, 1, start, loaded)
        record(
            events.RAISED,
            target=escalation,
            actor=actor,
            payload={
                "subject": {"kind": kind.key, "reference": escalation.subject_reference},
                "basis": escalation.basis,
                "stages": escalation.stage_count,
                "stage": 1,
                "due": stage.due_at.isoformat() if stage.due_at else None,
            },
        )
    return escalation


def _locked(escalation: Escalation) -> tuple[Escalation, Stage]:
    """Inside a transaction: the escalation (locked) and its current stage, once it is open.

    The move's caller has asked ``permissions.require`` first, before it reads the text it was given, so
    a person who may not move it is refused (``Refused``, a 403) whatever they sent."""
    locked = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if locked.status != Status.OPEN:
        raise EscalationError(f"This escalation is already {locked.get_status_display().lower()}")
    stage = Stage.objects.select_for_update().get(escalation=locked, number=locked.current_stage)
    return locked, stage


def _transition(escalation: Escalation, to: str) -> Any:
    verb = TRANSITIONS.get((escalation.status, to))
    if verb is None:  # pragma: no cover - _locked refuses every escalation that is not open
        raise EscalationError(f"An escalation cannot go from {escalation.status} to {to}")
    return verb


def respond(actor: Actor, escalation: Escalation, *, response: str, now: datetime | None = None) -> Stage:
    """Record the response at the current stage (once per stage)."""
    require(actor, "escalations.respond", escalation)
    text = _required(response, "response", "Enter the response at this stage")
    with transaction.atomic():
        locked, stage = _locked(escalation)
        if stage.response:
            raise EscalationError("The response at this stage is already recorded", field="response")
        stage.response, stage.responded_at, stage.responded_by = text, now or timezone.now(), actor.user
        stage.save(update_fields=["response", "responded_at", "responded_by"])
        record(events.RESPONDED, target=locked, actor=actor, payload={"stage": stage.number})
    return stage


def escalate(actor: Actor, escalation: Escalation, *, reason: str, now: datetime | None = None) -> Stage:
    """Move to the procedure's next stage: after the response at this stage, or once its deadline has passed."""
    require(actor, "escalations.escalate", escalation)
    text = _required(reason, "reason", "Say why the disagreement moves to the next stage")
    moment = now or timezone.now()
    with transaction.atomic():
        locked, stage = _locked(escalation)
        if not locked.stage_count:
            raise EscalationError(
                "The procedure's stages are not recorded here, so there is no next stage to move to: "
                "follow the procedure where it is published"
            )
        if not locked.has_next_stage:
            raise EscalationError("This is the procedure's last stage: record the resolution")
        overdue = stage.due_at is not None and moment >= stage.due_at
        if not stage.response and not overdue:
            raise EscalationError(
                "Record the response at this stage first (a stage without a response moves on once its "
                "deadline has passed)",
                field="reason",
            )
        verb = _transition(locked, Status.OPEN)
        stage.ended, stage.ended_at, stage.reason = StageEnd.ESCALATED, moment, text
        stage.save(update_fields=["ended", "ended_at", "reason"])
        locked.current_stage = stage.number + 1
        locked.save(update_fields=["current_stage"])
        following = _start_stage(locked, locked.current_stage, moment, _framework(locked.partnership))
        record(
            verb,
            target=locked,
            actor=actor,
            payload={
                "from": stage.number,
                "to": following.number,
                "without_response": not stage.response,
                "due": following.due_at.isoformat() if following.due_at else None,
            },
        )
    return following


def _close(actor: Actor, escalation: Escalation, to: str, end: str, text: str, moment: datetime) -> Escalation:
    with transaction.atomic():
        locked, stage = _locked(escalation)
        if to == Status.RESOLVED and not stage.response:
            raise EscalationError("Record the response at this stage before the resolution", field="outcome")
        verb = _transition(locked, to)
        stage.ended, stage.ended_at, stage.reason = end, moment, text
        stage.save(update_fields=["ended", "ended_at", "reason"])
        locked.status, locked.outcome, locked.closed_at = to, text, moment
        locked.save(update_fields=["status", "outcome", "closed_at"])
        record(verb, target=locked, actor=actor, payload={"from": Status.OPEN, "to": to, "stage": stage.number})
    return locked


def resolve(actor: Actor, escalation: Escalation, *, outcome: str, now: datetime | None = None) -> Escalation:
    """Record the resolution at the current stage (after its response); the escalation is closed."""
    require(actor, "escalations.resolve", escalation)
    text = _required(outcome, "outcome", "Enter how the disagreement was resolved")
    return _close(actor, escalation, Status.RESOLVED, StageEnd.RESOLVED, text, now or timezone.now())


def withdraw(actor: Actor, escalation: Escalation, *, reason: str, now: datetime | None = None) -> Escalation:
    """The person who raised it withdraws it, saying why."""
    require(actor, "escalations.withdraw", escalation)
    text = _required(reason, "withdraw_reason", "Say why you are withdrawing the escalation")
    return _close(actor, escalation, Status.WITHDRAWN, StageEnd.WITHDRAWN, text, now or timezone.now())


def revise_outcome(
    actor: Actor, escalation: Escalation, *, outcome: str, reason: str, now: datetime | None = None
) -> OutcomeRevision:
    """A change to a resolved escalation's outcome: a new entry beside it by a named, signed-in person, with why.

    The outcome as first recorded stays as it is (the database refuses to change it); the latest change
    is the outcome in force (``Escalation.outcome_in_force``)."""
    require(actor, "escalations.resolve", escalation)
    text = _required(outcome, "outcome", "Enter how the disagreement was resolved, now")
    why = _required(reason, "reason", "Enter why the resolution has changed")
    with transaction.atomic():
        locked = Escalation.objects.select_for_update().get(pk=escalation.pk)
        if locked.status != Status.RESOLVED:
            raise EscalationError("Only a resolved escalation's outcome is changed here", field="outcome")
        before = locked.outcome_in_force
        if text == before:
            raise EscalationError("That is the outcome already recorded", field="outcome")
        revision = OutcomeRevision.objects.create(
            escalation=locked, outcome=text, reason=why, recorded_by=actor.user, recorded_at=now or timezone.now()
        )
        record(
            events.OUTCOME_REVISED,
            target=locked,
            actor=actor,
            payload={"revision": revision.pk, "outcome": text, "reason": why, "before": before},
        )
    return revision


def set_procedure(
    actor: Actor, *, name: str, url: str, stages: list[dict[str, str]], now: datetime | None = None
) -> PartnershipProcedure:
    """Record the partnership's own procedure (``stages``: who, how, within) where the document gives none."""
    require(actor, "escalations.set_procedure")
    partnership = actor.partnership or ""
    if procedure.document_stages(_framework(partnership)):
        raise EscalationError("The document gives this partnership's stages; they are used as written")
    name = _required(name, "name", "Enter the procedure's name")
    cleaned: list[dict[str, str]] = []
    for index, stage in enumerate(stages, start=1):
        who, how, within = (stage.get(k, "").strip() for k in ("who", "how", "within"))
        if not (who or how or within):
            continue
        if not who:
            raise EscalationError(f"Stage {index}: say who acts at this stage", field=f"stage-{index}-who")
        if within:
            try:
                within = str(Within.parse(within))
            except CalendarError as exc:
                raise EscalationError(f"Stage {index}: {exc}", field=f"stage-{index}-within") from exc
        cleaned.append({"who": who, "how": how, "within": within})
    if not cleaned:
        raise EscalationError("Enter at least one stage", field="stage-1-who")
    if len(cleaned) > MAX_STAGES:  # pragma: no cover - the form offers MAX_STAGES rows
        raise EscalationError(f"Enter at most {MAX_STAGES} stages")
    with transaction.atomic():
        setting, created = PartnershipProcedure.objects.select_for_update().update_or_create(
            partnership=partnership,
            defaults={
                "name": name,
                "url": (url or "").strip(),
                "stages": cleaned,
                "set_by": actor.user,
                "set_at": now or timezone.now(),
            },
        )
        record(
            events.PROCEDURE_RECORDED,
            target=setting,
            actor=actor,
            payload={"name": name, "url": setting.url, "stages": cleaned, "first": created},
        )
    return setting


def export_register(actor: Actor, filters: dict[str, str], rows: int) -> RegisterExport:
    """Record that ``actor`` exported ``rows`` rows of the register with ``filters``: the export's audit event."""
    require(actor, "escalations.view_register")
    with transaction.atomic():
        export = RegisterExport.objects.create(
            partnership=actor.partnership or "",
            exported_by=actor.user,
            exported_at=timezone.now(),
            filters=filters,
            rows=rows,
        )
        record(events.REGISTER_EXPORTED, target=export, actor=actor, payload={"filters": filters, "rows": rows})
    return export
