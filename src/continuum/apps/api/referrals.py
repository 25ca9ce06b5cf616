"""Referrals in the API: send one from a stored check (through ``referrals.services.send_referral``), and
follow its status. Reads go through ``Referral.objects.visible_to``; reading one is logged."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from continuum.apps.accounts.permissions import require
from continuum.apps.api import idempotency
from continuum.apps.api.auth import actor_of
from continuum.apps.api.errors import ApiError, responses
from continuum.apps.api.schemas import Text
from continuum.apps.api.throttling import LIMITED
from continuum.apps.audit.services import record_access
from continuum.apps.checks.models import Check
from continuum.apps.referrals import events, services
from continuum.apps.referrals.models import Referral

READ = responses(401, 403, 404, 422, 503)
WRITE = responses(400, 401, 403, 404, 422, 429, 503)
LIST_MAX = 500


class ChildIn(Schema):
    first_name: Text = Field(min_length=1, max_length=100)
    last_name: Text = Field(min_length=1, max_length=100)
    date_of_birth: date | None = None
    unborn_due_date: date | None = None
    nhs_number: Text = Field(default="", max_length=10)
    gender: Text = Field(default="", max_length=1, description="The CIN census gender code.")
    ethnicity: Text = Field(default="", max_length=100)
    school_or_setting: Text = Field(default="", max_length=200)


class ConsentIn(Schema):
    basis: Text = Field(max_length=20, description="obtained, not-sought or refused-overridden.")
    who: Text = Field(default="", max_length=200)
    when: date | None = None
    shared: Text = Field(default="", max_length=2000)
    reason: Text = Field(default="", max_length=2000)
    exception: Text = Field(default="", max_length=2000)


class ReferralIn(Schema):
    """A referral from the caller's own stored check: one per child, siblings as one family."""

    check: Text = Field(min_length=1, max_length=32, description="The stored check's id (POST /checks).")
    children: list[ChildIn] = Field(min_length=1, max_length=12)
    referrer_name: Text = Field(max_length=200)
    referrer_agency: Text = Field(max_length=200)
    referral_source: Text = Field(max_length=3, description="The CIN census referral source code, e.g. 2A.")
    what_done_so_far: Text = Field(max_length=5000)
    consent: ConsentIn
    address: Text = Field(default="", max_length=500)
    postcode: Text = Field(default="", max_length=10)
    household: list[dict[str, Text]] = Field(default_factory=list, max_length=30)
    languages: Text = Field(default="", max_length=200)
    interpreter_needed: bool = False
    referrer_phone: Text = Field(default="", max_length=40)
    referrer_email: Text = Field(default="", max_length=254)


class ReferralOut(Schema):
    """Where a referral is: received, acknowledged, its deadlines, and the outcome once shared with the referrer."""

    id: str
    partnership: str
    channel: str
    status: str
    child_first_name: str
    child_last_name: str
    referrer_level: int | None
    received_at: datetime
    acknowledged_at: datetime | None
    acknowledge_due: datetime | None
    decision_due: datetime | None
    outcome_decided: bool
    outcome_code: str = Field(description="Empty until the outcome is shared with the referrer.")
    outcome_text: str
    outcome_shared_at: datetime | None


class ReferralSummary(Schema):
    id: str
    partnership: str
    status: str
    received_at: datetime
    decision_due: datetime | None
    outcome_decided: bool


def _out(r: Referral) -> dict[str, Any]:
    shared = r.outcome_shared_at is not None
    return {
        "id": r.public_id,
        "partnership": r.partnership,
        "channel": r.channel,
        "status": r.status,
        "child_first_name": r.child_first_name,
        "child_last_name": r.child_last_name,
        "referrer_level": r.referrer_level,
        "received_at": r.received_at,
        "acknowledged_at": r.acknowledged_at,
        "acknowledge_due": r.acknowledge_due,
        "decision_due": r.decision_due,
        "outcome_decided": bool(r.outcome_code),
        "outcome_code": r.outcome_code if shared else "",
        "outcome_text": r.outcome_text if shared else "",
        "outcome_shared_at": r.outcome_shared_at,
    }


def _field(name: str) -> str | None:
    """The service's form field, as the API's JSON path (``consent_who`` → ``consent.who``)."""
    if not name:
        return None
    return "consent." + name.removeprefix("consent_") if name.startswith("consent_") else name


router = Router(tags=["referrals"])


@router.post("", response={201: list[ReferralOut], **WRITE}, throttle=LIMITED, summary="Send a referral")
def send(
    request: HttpRequest, payload: ReferralIn, idempotency_key: idempotency.IdempotencyKey = None
) -> Status[list[dict[str, Any]]]:
    """Send the caller's stored check to their partnership's front door, one referral per child; the
    consent and level gates are the pages' (a refusal is 400 naming the field). With an `Idempotency-Key`
    already used by this token, the referrals that key sent, and nothing new."""
    actor = actor_of(request)
    require(actor, "referrals.send")
    check = Check.objects.visible_to(actor).filter(public_id=payload.check).first()
    if check is None:
        raise ApiError(400, "no stored check of yours has that id", field="check")
    data = payload.model_dump()
    details = services.Details(
        **{k: v for k, v in data.items() if k not in {"check", "children", "consent"}},
        children=[services.Child(**c) for c in data["children"]],
        consent=services.Consent(**data["consent"]),
    )

    def send_once() -> Referral:
        try:
            return services.send_referral(actor, check, details)[0]
        except services.ReferralError as exc:
            raise ApiError(400, exc.message, field=_field(exc.field)) from None

    first = idempotency.once(request, idempotency_key, send_once, payload=payload)
    made = Referral.objects.filter(family_id=first.family_id).order_by("pk")  # one per child, as sent
    return Status(201, [_out(r) for r in made])


@router.get("", response={200: list[ReferralSummary], **READ}, summary="Referrals")
def list_referrals(request: HttpRequest) -> list[dict[str, Any]]:
    """The caller's own referrals, and (front-door roles) their partnership's; newest first, without names."""
    actor = actor_of(request)
    require(actor, "referrals.view")
    found = Referral.objects.visible_to(actor).order_by("-received_at")[:LIST_MAX]
    return [
        {
            "id": r.public_id,
            "partnership": r.partnership,
            "status": r.status,
            "received_at": r.received_at,
            "decision_due": r.decision_due,
            "outcome_decided": bool(r.outcome_code),
        }
        for r in found
    ]


@router.get("/{referral_id}", response={200: ReferralOut, **READ}, summary="A referral's status")
def status(request: HttpRequest, referral_id: str) -> dict[str, Any]:
    """Where the referral is; the read is logged."""
    actor = actor_of(request)
    require(actor, "referrals.view")
    referral = Referral.objects.visible_to(actor).filter(public_id=referral_id).first()
    if referral is None:
        raise ApiError(404, "no such referral, or not one your role in your partnership may see", field="referral_id")
    require(actor, "referrals.view", referral)
    record_access(actor, referral, purpose="api", verb=events.VIEWED)
    return _out(referral)
