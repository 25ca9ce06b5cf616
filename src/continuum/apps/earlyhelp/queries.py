"""Reading early help, always through ``visible_to(actor)``: a family's record (logged), the caseload, reviews due."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.apps import apps
from django.db.models import F, Min, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.accounts.permissions import require
from continuum.apps.earlyhelp.models import Episode, Review, Source, Status, StepDown
from continuum.apps.earlyhelp.services import note_viewed


def family_record(actor: Actor, public_id: str, *, purpose: str = "page", action: str | None = None) -> Episode:
    """The episode behind ``public_id`` if the actor may see it (else 404) and, when a view names ``action``,
    do that to it (else 403), written to the access log only then: a refused request leaves nothing behind,
    the access log included. A view names its action here before anything else it does with the request
    (a form sent again, what was posted); the services ask again."""
    episode = get_object_or_404(Episode.objects.visible_to(actor), public_id=public_id)
    if action is not None:
        require(actor, action, episode)
    note_viewed(actor, episode, what=purpose)
    return episode


def caseload(actor: Actor) -> QuerySet[Episode]:
    """The lead professional's open and draft episodes, the next review due first (none last)."""
    if actor.user is None:
        return Episode.objects.none()
    return (
        Episode.objects.visible_to(actor)
        .filter(lead_professional=actor.user, status__in=(Status.DRAFT, Status.OPEN))
        .annotate(next_review=Min("reviews__due_at", filter=Q(reviews__held_at__isnull=True)))
        .order_by(F("next_review").asc(nulls_last=True), "started_at")
    )


def reviews_due(actor: Actor, *, before: datetime | None = None) -> QuerySet[Review]:
    """Reviews not yet held on the lead professional's open episodes, due before ``before`` (default: all), soonest first."""
    if actor.user is None:
        return Review.objects.none()
    found = Review.objects.visible_to(actor).filter(
        held_at__isnull=True, episode__status=Status.OPEN, episode__lead_professional=actor.user
    )
    if before is not None:
        found = found.filter(due_at__lt=before)
    return found.select_related("episode").order_by("due_at")


def step_downs_waiting(actor: Actor) -> QuerySet[StepDown]:
    """Step-downs waiting for an answer, the first due first (no deadline last)."""
    return (
        StepDown.objects.visible_to(actor).filter(state=StepDown.State.REQUESTED).order_by("respond_by", "requested_at")
    )


def _front_door_queryset(actor: Actor) -> Any | None:
    if not (apps.is_installed("continuum.apps.referrals") and apps.is_installed("continuum.apps.frontdoor")):
        return None
    if actor.user is None or actor.role != Role.EARLY_HELP or not actor.partnership:
        return None
    referral_model = apps.get_model("referrals", "Referral")
    started = Episode.objects.filter(partnership=actor.partnership, source=Source.FRONT_DOOR).values("source_reference")
    return referral_model.objects.filter(
        partnership=actor.partnership, triage__decided_at__isnull=False, triage__outcome_code="early-help"
    ).exclude(public_id__in=started)


def front_door_decisions(actor: Actor, *, limit: int = 200) -> list[Any]:
    """Referrals of the actor's partnership the front door decided are early help, with no assessment started yet.

    Empty where the referrals and front-door apps are not installed (the decision lives on ``frontdoor.Triage``).
    """
    found = _front_door_queryset(actor)
    return [] if found is None else list(found.order_by("triage__decided_at")[:limit])


def front_door_referral(actor: Actor, public_id: str) -> Any:
    """One referral of :func:`front_door_decisions` (else 404)."""
    found = _front_door_queryset(actor)
    referral = found.filter(public_id=public_id).first() if found is not None else None
    if referral is None:
        raise Http404("no such decision waiting for early help")
    return referral


def is_overdue(due_at: datetime | None) -> bool:
    return due_at is not None and due_at < timezone.now()
