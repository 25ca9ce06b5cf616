"""Reads of referrals, always scoped by ``visible_to(actor)``."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from continuum.apps.accounts.actor import Actor
from continuum.apps.referrals.models import Referral, ReferralQuerySet


def sent_by(actor: Actor) -> ReferralQuerySet:
    """The referrals ``actor`` sent (newest first): their own page of referrals sent."""
    if actor.user is None:
        return Referral.objects.none()
    return Referral.objects.visible_to(actor).filter(referrer=actor.user).order_by("-received_at", "pk")


def visible(actor: Actor) -> ReferralQuerySet:
    return Referral.objects.visible_to(actor).select_related("family", "stored_check")


def by_reference(actor: Actor, public_id: str) -> Referral | None:
    return visible(actor).filter(public_id=public_id).first()


def family_of(actor: Actor, referral: Referral) -> list[Referral]:
    """The referral and its siblings the actor may see, in the order they were made."""
    return list(visible(actor).filter(family_id=referral.family_id).order_by("pk"))


def decided_for_export(partnership: str, since: datetime | None = None) -> ReferralQuerySet:
    """A partnership's decided referrals (the outcome recorded), oldest first, for the hand-off export.

    With ``since``: those decided then or later, and those whose decision changed then or later
    (an export since the last one must carry the outcome now in force, not miss it).
    Not scoped by an actor: the command line runs as the operator; the download checks
    ``referrals.export`` first and passes the actor's own partnership.
    """
    found = Referral.objects.filter(partnership=partnership).decided().select_related("family", "stored_check")
    if since is not None:
        found = found.filter(Q(outcome_recorded_at__gte=since) | Q(outcome_changed_at__gte=since))
    return found.order_by("outcome_recorded_at", "pk")
