"""The escalations' jobs: a stage's reminder and its overdue flag, enqueued when the stage's clock starts.

Each job re-reads the stage and does nothing unless the stage is still the escalation's current one
and still open (a response, a move on or a resolution since it was enqueued makes it moot), so a
job never needs cancelling. The reminder is emailed to the person who raised it; the overdue flag
also to the partnership's front-door managers (who chair escalations day to day). Emails name the
escalation by its reference and never carry a child's details; they are sent once the flag is stored.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.accounts.models import Membership
from continuum.apps.audit.services import record
from continuum.apps.escalations import events
from continuum.apps.escalations.models import Stage, Status


def _live_stage(stage_id: int) -> Stage | None:
    stage = Stage.objects.select_for_update().select_related("escalation").filter(pk=stage_id).first()
    if stage is None or stage.ended or stage.escalation.status != Status.OPEN:
        return None
    if stage.escalation.current_stage != stage.number:
        return None
    return stage


def _tell(stage: Stage, subject: str, recipients: Iterable[str]) -> None:
    """Email ``recipients`` about ``stage`` after the caller's transaction commits."""
    to = sorted({address for address in recipients if address})
    if not to:
        return
    escalation = stage.escalation
    due = timezone.localtime(stage.due_at).strftime("%d %B %Y %H:%M") if stage.due_at else "no deadline"
    body = (
        f"Professional disagreement {escalation.public_id}, stage {stage.number}: due {due}.\n"
        f"Open /escalations/{escalation.public_id}/ in Continuum to record the response, the resolution "
        "or the move to the next stage."
    )
    transaction.on_commit(lambda: send_mail(subject, body, None, to))


def _managers(partnership: str) -> list[str]:
    return list(
        Membership.objects.filter(partnership=partnership, role=Role.FRONT_DOOR_MANAGER).values_list(
            "user__email", flat=True
        )
    )


@task()
def remind_stage(stage_id: int) -> str:
    """The stage's deadline is near and it has no response yet: record the reminder."""
    with transaction.atomic():
        stage = _live_stage(stage_id)
        if stage is None or stage.response or stage.reminded_at is not None:
            return "moot"
        stage.reminded_at = timezone.now()
        stage.save(update_fields=["reminded_at"])
        escalation = stage.escalation
        record(
            events.REMINDED,
            target=escalation,
            actor=Actor.for_system("worker", escalation.partnership),
            payload={"stage": stage.number, "due": stage.due_at.isoformat() if stage.due_at else None},
        )
        _tell(stage, f"Escalation {escalation.public_id}: stage {stage.number} is due soon", [escalation.owner.email])
    return "reminded"


@task()
def flag_overdue_stage(stage_id: int) -> str:
    """The stage's deadline passed with the disagreement unresolved: flag it for the register and its managers."""
    with transaction.atomic():
        stage = _live_stage(stage_id)
        if stage is None or stage.overdue_at is not None:
            return "moot"
        now = timezone.now()
        if stage.due_at is None or now < stage.due_at:
            return "not due"
        stage.overdue_at = now
        stage.save(update_fields=["overdue_at"])
        escalation = stage.escalation
        record(
            events.OVERDUE,
            target=escalation,
            actor=Actor.for_system("worker", escalation.partnership),
            payload={"stage": stage.number, "due": stage.due_at.isoformat() if stage.due_at else None},
        )
        _tell(
            stage,
            f"Escalation {escalation.public_id}: stage {stage.number} is overdue",
            [escalation.owner.email, *_managers(escalation.partnership)],
        )
    return "flagged"
