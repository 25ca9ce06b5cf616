"""Applying the retention policy: anonymise casework past its date, purge sessions, trim the access log.

Each record is anonymised in its own transaction with its ``retention.anonymised`` event and a
:class:`~continuum.apps.retention.models.Disposal` row (so it is done once). Nothing is done to
a record before its retention date (:mod:`continuum.apps.retention.policy`), and no casework
row is ever deleted: the decision (levels, codes, dates, who decided) stays; names, birth days
(the year is kept), contact details, addresses and free text go. A decision's own words (a
judgement's reason, an episode's closure, an escalation's outcome and its stages' responses, a
front-door rationale) are the decision record, written once (ADR 0018): they stay as recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from continuum.apps.accounts.actor import Actor
from continuum.apps.audit.retention import trim_access_log
from continuum.apps.audit.services import record
from continuum.apps.checks.models import Check, LowerView
from continuum.apps.earlyhelp.models import Consent, Episode, FamilyMember, PlanAction, Review, StepUp
from continuum.apps.escalations.models import Escalation
from continuum.apps.escalations.models import Status as EscalationStatus
from continuum.apps.frontdoor.models import AgencyCheck
from continuum.apps.govuk.models import Submission
from continuum.apps.referrals.models import Family, Referral
from continuum.apps.retention import events, policy
from continuum.apps.retention.models import Disposal

log = logging.getLogger("continuum.retention")

# What a required text field holds once its words are removed (an empty one stays empty).
REMOVED = "[removed under the retention policy]"


@dataclass
class Summary:
    anonymised: dict[str, int] = field(default_factory=dict)
    sessions: int = 0
    access_events_trimmed: int = 0
    checkpoint: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "anonymised": dict(sorted(self.anonymised.items())),
            "sessions": self.sessions,
            "access_events_trimmed": self.access_events_trimmed,
            "checkpoint": self.checkpoint,
        }


def _label(instance: models.Model) -> str:
    return instance._meta.label_lower


def _disposed(model: type[models.Model]) -> set[str]:
    return set(Disposal.objects.filter(model=model._meta.label_lower).values_list("object_id", flat=True))


def _done(instance: models.Model) -> bool:
    return Disposal.objects.filter(model=_label(instance), object_id=str(instance.pk)).exists()


def _year_only(day: date | None) -> date | None:
    return day.replace(month=1, day=1) if day is not None else None


def _open_escalation(instance: models.Model) -> bool:
    kind = ContentType.objects.get_for_model(type(instance))
    return Escalation.objects.filter(
        subject_type=kind, subject_id=str(instance.pk), status=EscalationStatus.OPEN
    ).exists()


def _dispose(kind: str, instance: models.Model, due: date, now: datetime, partnership: str, removed: list[str]) -> None:
    """The record's Disposal and its audit event (inside the caller's transaction, after the change)."""
    reference = str(getattr(instance, "public_id", "") or "")
    Disposal.objects.create(
        kind=kind,
        model=_label(instance),
        object_id=str(instance.pk),
        reference=reference,
        retention_date=due,
        done_at=now,
    )
    record(
        events.ANONYMISED,
        target=instance,
        actor=Actor.for_system("retention", partnership or None),
        payload={"kind": kind, "retention_date": due.isoformat(), "removed": sorted(removed)},
    )


def _blank_check(check: Check) -> list[str]:
    inputs = dict(check.inputs or {})
    inputs["text"] = ""
    inputs["rejected_text"] = []
    # The judgement and its reason are the decision record (ADR 0018: written once): they stay.
    Check.objects.filter(pk=check.pk).update(inputs=inputs)
    LowerView.objects.filter(stored_check=check).update(reason=REMOVED)
    return ["inputs.text", "inputs.rejected_text", "lower_views.reason"]


def anonymise_check(check: Check, due: date, now: datetime, kind: str = "check") -> None:
    with transaction.atomic():
        check = Check.objects.select_for_update().get(pk=check.pk)
        if _done(check):
            return
        removed = _blank_check(check)
        _dispose(kind, check, due, now, check.sent_to_partnership or check.framework_id, removed)


def anonymise_referral(referral: Referral, due: date, now: datetime) -> None:
    """The child's identity, the contact details and the words go; the front-door decision's codes and dates stay."""
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if _done(referral):
            return
        Referral.objects.filter(pk=referral.pk).update(
            child_first_name="",
            child_last_name="",
            date_of_birth=_year_only(referral.date_of_birth),
            unborn_due_date=_year_only(referral.unborn_due_date),
            nhs_number="",
            school_or_setting="",
            referrer_phone="",
            referrer_email="",
            what_done_so_far=REMOVED,
            concerns="",
            carried={},
            consent_detail={},
            outcome_text="",
            outcome_not_shared_reason="",
        )
        AgencyCheck.objects.filter(triage__referral=referral).update(question="", response="")
        removed = [
            "child's names",
            "date_of_birth (year kept)",
            "nhs_number",
            "school_or_setting",
            "referrer's phone and email",
            "what_done_so_far",
            "concerns",
            "carried",
            "consent_detail",
            "outcome_text",
            "agency checks' questions and responses",
        ]
        _dispose("referral", referral, due, now, referral.partnership, removed)
        if referral.stored_check_id is not None:
            check = Check.objects.select_for_update().get(pk=referral.stored_check_id)
            if not _done(check):
                _dispose("check", check, due, now, referral.partnership, _blank_check(check))
        family = Family.objects.select_for_update().get(pk=referral.family_id)
        others = Referral.objects.filter(family=family).exclude(pk=referral.pk).values_list("pk", flat=True)
        if {str(pk) for pk in others} <= _disposed(Referral) and not _done(family):
            Family.objects.filter(pk=family.pk).update(address="", postcode="", household=[], languages="")
            _dispose("family", family, due, now, family.partnership, ["address", "postcode", "household", "languages"])


def anonymise_episode(episode: Episode, due: date, now: datetime) -> None:
    with transaction.atomic():
        episode = Episode.objects.select_for_update().get(pk=episode.pk)
        if _done(episode):
            return
        # The closure (status, date, code, words) is the decision record (ADR 0018): it stays.
        Episode.objects.filter(pk=episode.pk).update(strengths_text="", family_voice="")
        for member in FamilyMember.objects.filter(episode=episode):
            FamilyMember.objects.filter(pk=member.pk).update(
                first_name="", last_name="", date_of_birth=_year_only(member.date_of_birth)
            )
        Consent.objects.filter(episode=episode).update(to_what=REMOVED, withdrawal_note="")
        PlanAction.objects.filter(episode=episode).update(description=REMOVED, progress="")
        Review.objects.filter(episode=episode).update(summary="", progress={}, selection={})
        StepUp.objects.filter(episode=episode).update(reason=REMOVED, package={})
        removed = [
            "family's names",
            "dates of birth (year kept)",
            "strengths_text",
            "family_voice",
            "consents' words",
            "plan actions' words",
            "reviews' words and selections",
            "step-up's reason and package",
        ]
        _dispose("episode", episode, due, now, episode.partnership, removed)
        if episode.check_ref_id is not None:
            check = Check.objects.select_for_update().get(pk=episode.check_ref_id)
            if not _done(check):
                _dispose("check", check, due, now, episode.partnership, _blank_check(check))


def anonymise_escalation(escalation: Escalation, due: date, now: datetime) -> None:
    with transaction.atomic():
        escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
        if _done(escalation):
            return
        # The outcome and the stages' responses and reasons are decision records (ADR 0018): they stay.
        Escalation.objects.filter(pk=escalation.pk).update(
            subject_decision=REMOVED, concern=REMOVED, desired_outcome=""
        )
        removed = ["subject_decision", "concern", "desired_outcome"]
        _dispose("escalation", escalation, due, now, escalation.partnership, removed)


# --- What is due --------------------------------------------------------------------------------


def due_referrals(today: date, periods: policy.Periods) -> Iterator[tuple[Referral, date]]:
    earliest = policy.years_after(today, -periods.case_years_after_closure)
    done = _disposed(Referral)
    candidates = Referral.objects.filter(received_at__date__lte=earliest).annotate(decided=Max("triage__decided_at"))
    for referral in candidates.order_by("pk").iterator():
        if str(referral.pk) in done:
            continue
        born = referral.date_of_birth or referral.unborn_due_date
        # The case's last decision: the front door's, or the outcome recorded on the referral.
        moments = [referral.received_at, referral.outcome_recorded_at, referral.decided]  # type: ignore[attr-defined]
        closed = max(moment for moment in moments if moment is not None)
        due = policy.case_date([born] if born else [], closed, periods)
        if due <= today and not _open_escalation(referral):
            yield referral, due


def due_episodes(today: date, periods: policy.Periods) -> Iterator[tuple[Episode, date]]:
    earliest = policy.years_after(today, -periods.case_years_after_closure)
    done = _disposed(Episode)
    for episode in Episode.objects.filter(closed_at__date__lte=earliest).order_by("pk").iterator():
        if str(episode.pk) in done or episode.closed_at is None:
            continue
        births = [
            born
            for born in FamilyMember.objects.filter(episode=episode, kind=FamilyMember.Kind.CHILD).values_list(
                "date_of_birth", flat=True
            )
            if born is not None
        ]
        due = policy.case_date(births, episode.closed_at, periods)
        if due <= today and not _open_escalation(episode):
            yield episode, due


def due_checks(today: date, periods: policy.Periods) -> Iterator[tuple[Check, date]]:
    """Checks that went no further: a referral's or an episode's check follows its case."""
    earliest = policy.years_after(today, -periods.check_years)
    done = _disposed(Check)
    casework = Check.objects.filter(models.Q(referrals__isnull=False) | models.Q(early_help__isnull=False))
    candidates = Check.objects.filter(created_at__date__lte=earliest).exclude(pk__in=casework.values("pk"))
    for check in candidates.order_by("pk").iterator():
        if str(check.pk) in done:
            continue
        due = policy.check_date(check.created_at, periods)
        if due <= today and not _open_escalation(check):
            yield check, due


def due_escalations(today: date, periods: policy.Periods) -> Iterator[tuple[Escalation, date]]:
    """Closed escalations, once their subject has been anonymised (never before its own date)."""
    earliest = policy.years_after(today, -periods.case_years_after_closure)
    done = _disposed(Escalation)
    closed = Escalation.objects.exclude(status=EscalationStatus.OPEN).filter(closed_at__date__lte=earliest)
    for escalation in closed.select_related("subject_type").order_by("pk").iterator():
        if str(escalation.pk) in done or escalation.closed_at is None:
            continue
        subject = Disposal.objects.filter(
            model=f"{escalation.subject_type.app_label}.{escalation.subject_type.model}",
            object_id=escalation.subject_id,
        ).first()
        if subject is None:  # its subject is not past its own date yet
            continue
        due = policy.escalation_date(escalation.closed_at, subject.retention_date, periods)
        if due <= today:
            yield escalation, due


def purge_sessions(now: datetime) -> int:
    """Delete expired sessions (a check in progress, a sign-in): they are not records and leave no event."""
    deleted, _ = Session.objects.filter(expire_date__lt=now).delete()
    return int(deleted)


def purge_submissions(now: datetime | None = None, *, days: int | None = None) -> int:
    """Delete the submissions ledger's rows (form tokens, API Idempotency-Keys) older than ``days``
    (``CONTINUUM_SUBMISSION_TOKEN_DAYS``), in one transaction with one ``retention.submissions_purged``
    event naming how many and the cut-off. The records they made are not touched; a run that finds
    nothing to delete changes nothing and records nothing. Returns how many rows were deleted."""
    now = now or timezone.now()
    days = settings.CONTINUUM_SUBMISSION_TOKEN_DAYS if days is None else days
    if days < 1:
        raise ValueError(f"submission tokens are kept at least a day, not {days}")
    cutoff = now - timedelta(days=days)
    with transaction.atomic():
        old = Submission.objects.filter(submitted_at__lt=cutoff)
        newest = old.order_by("-submitted_at", "-pk").first()
        if newest is None:
            return 0
        deleted, _ = old.delete()
        record(
            events.SUBMISSIONS_PURGED,
            target=newest,  # the newest row deleted: the event names the cut's edge, the row is gone
            actor=Actor.for_system("retention"),
            payload={"deleted": int(deleted), "days": days, "before": cutoff.isoformat()},
        )
    log.info("retention: deleted %d submission token(s) older than %d days", deleted, days)
    return int(deleted)


def apply(now: datetime | None = None) -> Summary:
    """Apply the whole policy once (the daily job). Casework first, then sessions, then the access log."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    periods = policy.Periods.configured()
    summary = Summary()
    kinds: list[tuple[str, Callable[..., Iterator[tuple[Any, date]]], Callable[[Any, date, datetime], None]]] = [
        ("referral", due_referrals, anonymise_referral),
        ("episode", due_episodes, anonymise_episode),
        ("check", due_checks, anonymise_check),
        ("escalation", due_escalations, anonymise_escalation),
    ]
    for kind, due, anonymise in kinds:
        found = list(due(today, periods))
        for instance, on in found:
            anonymise(instance, on, now)
        summary.anonymised[kind] = len(found)
    summary.sessions = purge_sessions(now)
    trimmed = trim_access_log(now - timedelta(days=periods.access_log_days))
    if trimmed is not None:
        summary.checkpoint, summary.access_events_trimmed = trimmed
    log.info("retention: %s", summary.as_json())
    return summary
