"""The front door's jobs: reminders before a deadline, escalation after it, the referrer's email.

Each is enqueued (``run_after``) in the transaction that starts its clock, and re-checks the
state when it runs: it does nothing if the thing is done, or if the deadline it was made for
is no longer the one in force (a grade re-set it, and enqueued its own jobs).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

log = logging.getLogger("continuum.frontdoor")

KINDS = ("decision", "agency-check", "feedback")


def _subject(kind: str, reference: str, stage: str) -> str:
    what = {"decision": "decision", "agency-check": "agency check", "feedback": "feedback to the referrer"}[kind]
    return f"{stage}: {what} for contact {reference}"


def _load(kind: str, pk: int) -> tuple[Any, Any, datetime | None, bool] | None:
    """``(triage, the object, its deadline, done)`` locked for update, or ``None`` if it no longer exists."""
    from continuum.apps.frontdoor.models import AgencyCheck, State, Triage

    if kind == "agency-check":
        check = (
            AgencyCheck.objects.select_for_update(of=("self",)).select_related("triage__referral").filter(pk=pk).first()
        )
        if check is None:
            return None
        return check.triage, check, check.due_at, check.answered_at is not None
    triage = (
        Triage.objects.select_for_update(of=("self",)).select_related("referral", "claimed_by").filter(pk=pk).first()
    )
    if triage is None:
        return None
    if kind == "decision":
        return triage, triage, triage.due_at, triage.state == State.DECIDED
    return triage, triage, triage.feedback_due, triage.feedback_sent_at is not None


def _run(kind: str, pk: int, due: str, *, escalate: bool) -> str:
    from continuum.apps.accounts.actor import Actor, Role
    from continuum.apps.audit.services import record
    from continuum.apps.frontdoor import events, services

    if kind not in KINDS:
        raise ValueError(f"unknown clock {kind!r}")
    with transaction.atomic():
        loaded = _load(kind, pk)
        if loaded is None:
            return "gone"
        triage, thing, due_at, done = loaded
        if done:
            return "done"
        if due_at is None or due_at.isoformat() != due:
            return "stale"  # the deadline was re-set; the new one has its own jobs
        stamp = "escalated_at" if escalate else "reminded_at"
        stamped = kind == "decision" or (kind == "agency-check" and escalate)  # feedback: the job runs once
        if stamped and getattr(thing, stamp) is not None:
            return "already"
        if escalate:
            to = services.recipients(triage.partnership, [Role.FRONT_DOOR_MANAGER])
        elif triage.claimed_by is not None and triage.claimed_by.email:
            to = [triage.claimed_by.email]
        else:
            to = services.recipients(triage.partnership, [Role.FRONT_DOOR_WORKER])
        if stamped:
            setattr(thing, stamp, timezone.now())
            thing.save(update_fields=[stamp])
        stage = "Overdue" if escalate else "Due soon"
        record(
            events.ESCALATED if escalate else events.REMINDED,
            target=triage,
            actor=Actor.for_system("worker", triage.partnership),
            payload={"clock": kind, "due_at": due, "to": to},
        )
        if to:
            body = (
                f"Contact {triage.public_id}: the {kind.replace('-', ' ')} is due at {due}.\n"
                "Open the front door queue in Continuum to see it."
            )
            transaction.on_commit(lambda: send_mail(_subject(kind, triage.public_id, stage), body, None, to))
    return "escalated" if escalate else "reminded"


@task()
def remind(kind: str, pk: int, due: str) -> str:
    """Before the deadline (at the amber point): remind whoever has the contact (everyone, if nobody claimed it)."""
    return _run(kind, pk, due, escalate=False)


@task()
def escalate(kind: str, pk: int, due: str) -> str:
    """At the deadline, if it is not done: tell the partnership's front-door managers."""
    return _run(kind, pk, due, escalate=True)


@task()
def email_referrer(pk: int, changed: bool = False) -> str:
    """Email the referrer the outcome (or why it is not shared), as written on the referral.

    ``changed``: the front door changed its decision after telling them (a revision); the email says
    so, with the outcome in force where it is shared, and only that it changed where it is not.
    """
    from continuum.apps.frontdoor.models import Triage

    triage = Triage.objects.select_related("referral").get(pk=pk)
    referral = triage.referral
    if not referral.referrer_email:
        log.info("referral %s has no referrer email: the outcome is on their page only", referral.public_id)
        return "no-email"
    if changed:
        subject, body = _changed(triage, referral)
        send_mail(subject, body, None, [referral.referrer_email])
        return "sent"
    if triage.feedback_shared:
        body = f"The outcome of your referral {referral.public_id}:\n\n{referral.outcome_text}\n"
    else:
        body = (
            f"Your referral {referral.public_id} has been decided. It is not appropriate to share the outcome:\n\n"
            f"{referral.outcome_not_shared_reason}\n"
        )
    send_mail(f"Your referral {referral.public_id}", body, None, [referral.referrer_email])
    return "sent"


def _changed(triage: Any, referral: Any) -> tuple[str, str]:
    """The email of a changed decision: the outcome in force if it is shared, else only that it changed."""
    from continuum.apps.frontdoor.services import spoken_time

    when = spoken_time(referral.outcome_changed_at or timezone.now())
    subject = f"Your referral {referral.public_id}: the outcome has changed"
    if triage.feedback_shared:
        body = (
            f"The front door changed its decision on your referral {referral.public_id} at {when}.\n\n"
            f"The outcome now:\n\n{referral.outcome_text}\n\n"
            "This replaces the outcome you were told before.\n"
        )
    else:
        subject = f"Your referral {referral.public_id}: the decision has changed"
        body = (
            f"The front door changed its decision on your referral {referral.public_id} at {when}. "
            "It is still not appropriate to share the outcome:\n\n"
            f"{referral.outcome_not_shared_reason}\n"
        )
    return subject, body
