"""``/api/v1/``: the NinjaAPI, its routers and the endpoints over the apps' services and queries.

Every endpoint but the OpenAPI document and the docs page needs a bearer token; what the token's
role may do comes from ``accounts.permissions`` (the pages' table), and every record is read
through its model's ``visible_to(actor)``, its reads logged as the pages log them.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Router, Status

from continuum.apps.accounts.permissions import require
from continuum.apps.api import idempotency, schemas
from continuum.apps.api.auth import BearerToken, actor_of
from continuum.apps.api.casework import earlyhelp, escalations
from continuum.apps.api.errors import ApiError, install, responses
from continuum.apps.api.frontdoor import router as frontdoor
from continuum.apps.api.referrals import router as referrals
from continuum.apps.api.throttling import LIMITED
from continuum.apps.audit.services import record_access
from continuum.apps.checks import events as check_events
from continuum.apps.checks import services as check_services
from continuum.apps.checks.models import Check
from continuum.apps.partnerships.catalogue import catalogue
from continuum.engine import AssessmentInputError, assess
from continuum.frameworks import LoadedFramework

DESCRIPTION = """\
Continuum's HTTP API, version 1: the partnerships' frameworks, assessment and matching,
and stored checks.

**Authentication.** Every operation needs `Authorization: Bearer <token>`. A token acts as one
person in one role in one partnership (`continuum users token create USERNAME --membership
PARTNERSHIP:ROLE`; it is shown once). What it may do is what that role may do on the pages;
records outside the role's reach are answered 404.

**Errors** always have one shape: `{"error": {"code": "...", "message": "...", "field": "..."}}`
(`field` when the error is about one field of the request). Codes: `bad_request` (400),
`unauthorized` (401), `forbidden` (403), `not_found` (404), `conflict` (409), `invalid` (422),
`rate_limited` (429, with `Retry-After`), `server_error` (500), `unavailable` (503, with `Retry-After`:
the database cannot be reached for a moment; send the call again shortly, a create with the same
`Idempotency-Key`, so that it is stored once even if the first attempt was).

**Idempotency.** Every create (`POST /checks`, `POST /referrals`, the front door's claim and decision)
takes an optional `Idempotency-Key` header (1 to 255 visible ASCII characters, e.g. a UUID): sent again
with the same key, the call answers as the first did (the same status and record) and stores nothing
new. Keys are per token; the same key with a different request is 422.

**Rate limits.** Assess, match and every create are limited per token and per client address.
"""

api = NinjaAPI(
    title="Continuum API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=BearerToken(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install(api)

READ = responses(401, 403, 404, 422, 503)
WRITE = responses(400, 401, 403, 404, 422, 429, 503)


def framework_or_404(framework_id: str) -> LoadedFramework:
    loaded = catalogue().get(framework_id)
    if loaded is None:
        raise ApiError(404, f"no framework {framework_id!r} is offered here", field="framework_id")
    return loaded


def framework_in_body(framework_id: str) -> LoadedFramework:
    loaded = catalogue().get(framework_id)
    if loaded is None:
        raise ApiError(400, f"no framework {framework_id!r} is offered here (GET /frameworks)", field="framework")
    return loaded


def _input_error(exc: AssessmentInputError) -> ApiError:
    return ApiError(400, str(exc.args[0]) if exc.args else str(exc))


# --- frameworks ------------------------------------------------------------------------------

frameworks = Router(tags=["frameworks"])


@frameworks.get("", response={200: list[schemas.FrameworkSummary], **READ}, summary="The frameworks offered")
def list_frameworks(request: HttpRequest) -> list[dict[str, Any]]:
    """The frameworks this service offers (as `continuum frameworks list --json`)."""
    return [
        {
            "id": f.id,
            "name": f.framework.name,
            "version": f.framework.version,
            "hash": f.content_hash,
            "levels": len(f.framework.levels),
            "indicators": len(f.framework.indicators),
        }
        for f in sorted(catalogue().frameworks.values(), key=lambda f: f.id)
    ]


@frameworks.get("/{framework_id}", response={200: schemas.FrameworkOut, **READ}, summary="One whole framework")
def show_framework(request: HttpRequest, framework_id: str) -> dict[str, Any]:
    """The whole framework (as `continuum frameworks show ID --json`): levels, indicators, rules, contacts, …"""
    loaded = framework_or_404(framework_id)
    data = loaded.framework.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["hash"] = loaded.content_hash
    return data


# --- assess and match ------------------------------------------------------------------------

assessment = Router(tags=["assess"])


@assessment.post(
    "/assess", response={200: schemas.AssessmentOut, **WRITE}, throttle=LIMITED, summary="Recommend a level"
)
def assess_selection(request: HttpRequest, payload: schemas.Selection) -> dict[str, Any]:
    """The engine's recommendation for a selection (as `continuum assess --json`); with `text`, the
    indicators the words describe join the selection and are marked in `drivers`. Nothing is stored."""
    require(actor_of(request), "checks.create")
    loaded = framework_in_body(payload.framework)
    selection = payload.model_dump(mode="json", exclude={"framework", "text"})
    try:
        if payload.text is not None and payload.text.strip():
            from continuum.assess_text import assess_text

            return dict(assess_text(loaded, payload.text, selection=selection))
        return dict(assess(loaded, selection))
    except AssessmentInputError as exc:
        raise _input_error(exc) from None


@assessment.post(
    "/match", response={200: schemas.MatchOut, **WRITE}, throttle=LIMITED, summary="Indicators from free text"
)
def match_text(request: HttpRequest, payload: schemas.MatchIn) -> dict[str, Any]:
    """The indicators the words describe, best first (as `continuum match --json`)."""
    require(actor_of(request), "checks.create")
    loaded = framework_in_body(payload.framework)
    if not payload.text.strip():
        raise ApiError(400, "say what you are worried about in words", field="text")
    from continuum.matching import match

    return dict(match(loaded, payload.text, top=payload.top))


# --- checks -------------------------------------------------------------------------------------

checks = Router(tags=["checks"])


def check_out(check: Check) -> dict[str, Any]:
    return {
        "id": check.public_id,
        "created_at": check.created_at,
        "framework": {
            "id": check.framework_id,
            "name": check.framework_name,
            "version": check.framework_version,
            "hash": check.framework_hash,
        },
        "recommended_level": check.recommended_level,
        "recommended_level_name": check.recommended_level_name,
        "immediate_danger": check.immediate_danger,
        "judgement": check.judgement,
        "decided_level": check.decided_level,
        "level_in_force": check.level_in_force,
        "sent_to_partnership": check.sent_to_partnership,
        "sent_at": check.sent_at,
        "result": check.result,
    }


@checks.post("", response={201: schemas.CheckOut, **WRITE}, throttle=LIMITED, summary="Store a check")
def create_check(
    request: HttpRequest, payload: schemas.CheckIn, idempotency_key: idempotency.IdempotencyKey = None
) -> Status[dict[str, Any]]:
    """Assess a selection and store it as the token's person's check (as the pages do), with its audit event.
    With an `Idempotency-Key` already used by this token, the check that key stored, and nothing new."""
    actor = actor_of(request)
    require(actor, "checks.create")
    loaded = framework_in_body(payload.framework)
    inputs = payload.model_dump(mode="json", exclude={"framework"})

    def store() -> Check:
        try:
            return check_services.create_check(loaded, inputs, actor=actor)
        except AssessmentInputError as exc:
            raise _input_error(exc) from None

    check = idempotency.once(request, idempotency_key, store, payload=payload)
    return Status(201, check_out(check))


@checks.get("/{check_id}", response={200: schemas.CheckOut, **READ}, summary="A stored check")
def show_check(request: HttpRequest, check_id: str) -> dict[str, Any]:
    """A check the token's role may see (its person's own; sent ones for the front door); the read is logged."""
    actor = actor_of(request)
    require(actor, "checks.view")
    check = Check.objects.visible_to(actor).filter(public_id=check_id).first()
    if check is None:
        raise ApiError(404, "no such check, or not one your role in your partnership may see", field="check_id")
    require(actor, "checks.view", check)
    record_access(actor, check, purpose="api", verb=check_events.VIEWED)
    return check_out(check)


api.add_router("/frameworks", frameworks)
api.add_router("", assessment)
api.add_router("/checks", checks)

api.add_router("/referrals", referrals)
api.add_router("/front-door", frontdoor)
api.add_router("/early-help", earlyhelp)
api.add_router("/escalations", escalations)
