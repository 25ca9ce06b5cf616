"""The front door in the API: the queue by deadline, a contact, claiming it and recording the decision.

Through ``frontdoor.queries`` and ``frontdoor.services`` only, as the pages: the queue lists are in
the access log (one event naming every contact listed), a contact's read is logged, a claim is the
service's conditional update (a lost race is 409), a decision is refused field by field (400).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from continuum.apps.accounts.actor import Actor
from continuum.apps.accounts.permissions import require
from continuum.apps.api import idempotency
from continuum.apps.api.auth import actor_of
from continuum.apps.api.errors import ApiError, responses
from continuum.apps.api.schemas import Text
from continuum.apps.api.throttling import LIMITED
from continuum.apps.frontdoor import clocks, queries, services
from continuum.apps.frontdoor.models import Triage

READ = responses(401, 403, 404, 422, 503)
WRITE = responses(400, 401, 403, 404, 409, 422, 429, 503)


class QueueQuery(Schema):
    rag: Literal["", "red", "amber", "green", "none"] = ""
    level: int | None = Field(default=None, ge=0, le=10)
    agency: str = Field(default="", max_length=3, description="The referrer's referral-source code.")
    unclaimed: bool = False
    mine: bool = False
    page: int = Field(default=1, ge=1, le=10_000)


class QueueRow(Schema):
    id: str = Field(description="The referral's reference.")
    state: str
    child_first_name: str
    child_last_name: str
    referrer_level: int | None
    received_at: datetime
    due_at: datetime | None
    rag: str
    time_left: str
    claimed_by: str


class QueuePage(Schema):
    rows: list[QueueRow]
    next_page: int | None


class AgencyCheckOut(Schema):
    agency: str
    agency_name: str
    question: str
    requested_at: datetime
    due_at: datetime | None
    response: str
    answered_at: datetime | None


class ContactOut(Schema):
    id: str
    partnership: str
    state: str
    due_at: datetime | None
    rag: str
    claimed_by: str
    grade: str
    referrer_level: int | None
    indicator_ids: list[str]
    outcome_code: str
    outcome_name: str
    police: bool
    frontdoor_level: int | None
    rationale: dict[str, Any]
    decided_at: datetime | None
    feedback_due: datetime | None
    agency_checks: list[AgencyCheckOut]


class RationaleIn(Schema):
    indicators: dict[Text, Literal["confirmed", "rejected"]] = Field(
        default_factory=dict, description="Each referred indicator id → confirmed or rejected."
    )
    added: list[Text] = Field(default_factory=list, max_length=200)
    information: Text = Field(default="", max_length=10_000)
    consent_basis: Text = Field(default="", max_length=30)
    consent_detail: Text = Field(default="", max_length=5_000)
    level: int | None = Field(default=None, ge=0, le=10)
    level_reason: Text = Field(default="", max_length=5_000)


class DecisionIn(Schema):
    outcome: Text = Field(max_length=100, description="One of the framework's outcome keys (its front door section).")
    police: bool = False
    rationale: RationaleIn


def _person(user: Any) -> str:
    return services.person_name(user) if user is not None else ""


def _contact(actor: Actor, referral_id: str) -> Triage:
    triage = queries.triage_for(actor, referral_id)
    if triage is None:
        raise ApiError(404, "no such contact, or not one your role in your partnership may see", field="referral_id")
    return triage


def _contact_out(triage: Triage) -> dict[str, Any]:
    referral = triage.referral
    return {
        "id": triage.public_id,
        "partnership": triage.partnership,
        "state": triage.state,
        "due_at": triage.due_at,
        "rag": clocks.rag(triage.due_at, triage.amber_at, timezone.now()).value,
        "claimed_by": _person(triage.claimed_by),
        "grade": triage.grade,
        "referrer_level": referral.referrer_level,
        "indicator_ids": list(referral.indicator_ids or []),
        "outcome_code": triage.outcome_code,
        "outcome_name": triage.outcome_name,
        "police": triage.police,
        "frontdoor_level": triage.frontdoor_level,
        "rationale": dict(triage.rationale or {}),
        "decided_at": triage.decided_at,
        "feedback_due": triage.feedback_due,
        "agency_checks": [
            {name: getattr(c, name) for name in AgencyCheckOut.model_fields} for c in triage.agency_checks.all()
        ],
    }


router = Router(tags=["front door"])


@router.get("/queue", response={200: QueuePage, **READ}, summary="The front-door queue")
def queue(request: HttpRequest, filters: Query[QueueQuery]) -> dict[str, Any]:
    """The partnership's open contacts by deadline (none last), with RAG in working time; the listing is logged."""
    actor = actor_of(request)
    require(actor, "frontdoor.view_queue")
    assert actor.partnership is not None  # a token always acts in a partnership
    framework = services.framework_of(actor.partnership)
    services.open_new(actor.partnership, actor=Actor.for_system("frontdoor", actor.partnership))
    wanted = queries.QueueFilters(**filters.model_dump())
    rows, more = queries.page_of(actor, wanted, timezone.now(), framework)
    services.note_listed(actor, [row.triage for row in rows])
    return {
        "rows": [
            {
                "id": row.triage.public_id,
                "state": row.triage.state,
                "child_first_name": row.triage.referral.child_first_name,
                "child_last_name": row.triage.referral.child_last_name,
                "referrer_level": row.triage.referral.referrer_level,
                "received_at": row.triage.referral.received_at,
                "due_at": row.triage.due_at,
                "rag": row.rag.value,
                "time_left": row.time_left,
                "claimed_by": row.claimed_by,
            }
            for row in rows
        ],
        "next_page": wanted.page + 1 if more else None,
    }


@router.get("/contacts/{referral_id}", response={200: ContactOut, **READ}, summary="A contact at the front door")
def contact(request: HttpRequest, referral_id: str) -> dict[str, Any]:
    """The contact's state, deadline, agency checks and decision; the read is logged."""
    actor = actor_of(request)
    require(actor, "frontdoor.view")
    triage = _contact(actor, referral_id)
    require(actor, "frontdoor.view", triage)
    services.note_viewed(actor, triage, what="api")
    return _contact_out(triage)


def _refused(exc: services.FrontDoorError, status: int) -> ApiError:
    return ApiError(status, exc.message, field=exc.field)


@router.post(
    "/contacts/{referral_id}/claim", response={200: ContactOut, **WRITE}, throttle=LIMITED, summary="Claim a contact"
)
def claim(request: HttpRequest, referral_id: str, idempotency_key: idempotency.IdempotencyKey = None) -> dict[str, Any]:
    """Claim the contact for the token's person; if someone else got there first, 409 says who and when.
    With an `Idempotency-Key` this token's claim already used, the contact as it is now (200), claimed once."""
    actor = actor_of(request)
    triage = _contact(actor, referral_id)

    def claim_once() -> Triage:
        try:
            return services.claim(actor, triage)
        except services.FrontDoorError as exc:
            raise _refused(exc, 409) from None

    claimed = idempotency.once(request, idempotency_key, claim_once)
    return _contact_out(queries.triage_for(actor, claimed.public_id) or claimed)


@router.post(
    "/contacts/{referral_id}/decision",
    response={200: ContactOut, **WRITE},
    throttle=LIMITED,
    summary="Record the decision",
)
def decide(
    request: HttpRequest, referral_id: str, payload: DecisionIn, idempotency_key: idempotency.IdempotencyKey = None
) -> dict[str, Any]:
    """The outcome with its structured rationale (each referred indicator confirmed or rejected, information
    gathered, consent basis, the front door's level and why it differs); refused field by field. With an
    `Idempotency-Key` this token's decision already used, the contact as decided (200), decided once."""
    actor = actor_of(request)
    triage = _contact(actor, referral_id)
    rationale = services.Rationale(**payload.rationale.model_dump())

    def decide_once() -> Triage:
        try:
            return services.decide(actor, triage, outcome=payload.outcome, police=payload.police, rationale=rationale)
        except services.DecisionError as exc:
            raise _refused(exc, 400) from None
        except services.FrontDoorError as exc:
            raise _refused(exc, 409) from None

    decided = idempotency.once(request, idempotency_key, decide_once, payload=payload)
    return _contact_out(queries.triage_for(actor, decided.public_id) or decided)
