"""Early help's jobs on the queue: review reminders, overdue reviews and unanswered step-downs escalated.

Each job re-reads the record and does nothing if the moment has passed (a review already held, a
step-down already answered, an episode closed), so a job never acts on stale state.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from continuum.apps.accounts.actor import Actor
from continuum.apps.audit.services import record
from continuum.apps.earlyhelp import events
from continuum.apps.earlyhelp.models import Review, Status, StepDown

log = logging.getLogger("continuum.earlyhelp")


@task()
def review_reminder(review_id: int) -> bool:
    """Remind the lead professional that a review is coming due (recorded on the review and in the audit)."""
    with transaction.atomic():
        review = Review.objects.select_for_update().select_related("episode").get(pk=review_id)
        if review.held_at is not None or review.reminded_at is not None or review.episode.status != Status.OPEN:
            return False
        review.reminded_at = timezone.now()
        review.save(update_fields=["reminded_at"])
        actor = Actor.for_system("worker", review.episode.partnership)
        record(
            events.REVIEW_REMINDED,
            target=review.episode,
            actor=actor,
            payload={"review": review.number, "due_at": review.due_at.isoformat()},
        )
    return True


@task()
def review_overdue(review_id: int) -> bool:
    """A review still not held at its due date is escalated (flagged on the caseload and in the audit)."""
    with transaction.atomic():
        review = Review.objects.select_for_update().select_related("episode").get(pk=review_id)
        if review.held_at is not None or review.escalated_at is not None or review.episode.status != Status.OPEN:
            return False
        if review.due_at > timezone.now():  # run early by a clock change: leave it for its own time
            return False
        review.escalated_at = timezone.now()
        review.save(update_fields=["escalated_at"])
        actor = Actor.for_system("worker", review.episode.partnership)
        record(
            events.REVIEW_ESCALATED,
            target=review.episode,
            actor=actor,
            payload={"review": review.number, "due_at": review.due_at.isoformat()},
        )
    log.info("early help review %s of %s is overdue", review.number, review.episode.public_id)
    return True


@task()
def step_down_overdue(step_down_id: int) -> bool:
    """A step-down still unanswered at its deadline is escalated, so no child waits unseen between two teams."""
    with transaction.atomic():
        step_down = StepDown.objects.select_for_update().get(pk=step_down_id)
        if step_down.state != StepDown.State.REQUESTED or step_down.escalated_at is not None:
            return False
        if step_down.respond_by is None or step_down.respond_by > timezone.now():
            return False
        step_down.escalated_at = timezone.now()
        step_down.save(update_fields=["escalated_at"])
        actor = Actor.for_system("worker", step_down.partnership)
        record(
            events.STEP_DOWN_ESCALATED,
            target=step_down,
            actor=actor,
            payload={"respond_by": step_down.respond_by.isoformat()},
        )
    return True
