"""The referrer's pages: the confirmation with the references, their referrals sent, one referral."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from continuum.apps.accounts.permissions import action_required, can
from continuum.apps.audit.services import record_access
from continuum.apps.referrals import events, presenters, queries
from continuum.apps.referrals.models import Referral


def _found(request: HttpRequest, public_id: str) -> Referral:
    referral = queries.by_reference(request.actor, public_id)  # type: ignore[attr-defined]
    if referral is None:
        raise Http404("No referral you can see has this reference")
    return referral


@action_required("referrals.view_sent")
def sent(request: HttpRequest, public_id: str) -> HttpResponse:
    """The confirmation: the references (one per child) and what happens next."""
    referral = _found(request, public_id)
    family = queries.family_of(request.actor, referral)  # type: ignore[attr-defined]
    with transaction.atomic():
        for each in family:
            record_access(request.actor, each, purpose="confirmation", verb=events.VIEWED)  # type: ignore[attr-defined]
    return render(
        request,
        "referrals/sent.html",
        {"referrals": family, "next": presenters.what_happens_next(referral.partnership)},
    )


@action_required("referrals.view_sent")
def mine(request: HttpRequest) -> HttpResponse:
    """Referrals you have sent: reference, child, date, status, and the outcome when shared."""
    referrals = list(queries.sent_by(request.actor)[:200])  # type: ignore[attr-defined]
    with transaction.atomic():
        for referral in referrals:
            record_access(request.actor, referral, purpose="list of referrals sent", verb=events.VIEWED)  # type: ignore[attr-defined]
    return render(request, "referrals/mine.html", {"referrals": referrals})


@action_required("referrals.view")
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """One referral as its referrer (or the front door) sees it."""
    referral = _found(request, public_id)
    if not can(request.actor, "referrals.view", referral):  # type: ignore[attr-defined]
        raise Http404("No referral you can see has this reference")
    record_access(request.actor, referral, purpose="page", verb=events.VIEWED)  # type: ignore[attr-defined]
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "siblings": [r for r in queries.family_of(request.actor, referral) if r.pk != referral.pk],  # type: ignore[attr-defined]
            "next": presenters.what_happens_next(referral.partnership),
            "is_referrer": referral.referrer_id == getattr(request.user, "pk", None),
        },
    )
