"""The casework apps in the API: early help episodes and escalations, read through their apps' queries.

Reads only, for now: lists are summaries (no names or free text, so not logged as views); a
record's full view goes through the app's query, which scopes by ``visible_to`` and writes the
access log (purpose ``api``) before anything is shown. Changes stay on the pages until their
services' forms are mirrored here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from continuum.apps.accounts.permissions import require
from continuum.apps.api.auth import actor_of
from continuum.apps.api.errors import responses
from continuum.apps.earlyhelp import queries as earlyhelp_queries
from continuum.apps.earlyhelp.models import Episode
from continuum.apps.escalations import queries as escalation_queries
from continuum.apps.escalations.models import Escalation

READ = responses(401, 403, 404, 422, 503)
LIST_MAX = 500

# --- early help ---------------------------------------------------------------------------------


class ReviewOut(Schema):
    number: int
    due_at: datetime
    held_at: datetime | None
    level_now: int | None


class EpisodeSummary(Schema):
    id: str
    partnership: str
    status: str
    source: str
    assessment_name: str
    level_at_start: int | None
    started_at: datetime
    submitted_at: datetime | None
    closed_at: datetime | None
    closure_code: str


class FamilyMemberOut(Schema):
    kind: str
    first_name: str
    last_name: str
    date_of_birth: date | None
    relationship: str


class TeamMemberOut(Schema):
    name: str
    agency: str
    joined_at: datetime
    left_at: datetime | None


class PlanActionOut(Schema):
    description: str
    due_date: date
    done: bool


class EpisodeOut(EpisodeSummary):
    framework_version: str
    needs: list[str]
    strengths: list[str]
    family: list[FamilyMemberOut]
    team: list[TeamMemberOut]
    actions: list[PlanActionOut]
    reviews: list[ReviewOut]


def _episode_summary(e: Episode) -> dict[str, Any]:
    return {
        "id": e.public_id,
        "partnership": e.partnership,
        "status": e.status,
        "source": e.source,
        "assessment_name": e.assessment_name,
        "level_at_start": e.level_at_start,
        "started_at": e.started_at,
        "submitted_at": e.submitted_at,
        "closed_at": e.closed_at,
        "closure_code": e.closure_code,
    }


earlyhelp = Router(tags=["early help"])


@earlyhelp.get("/episodes", response={200: list[EpisodeSummary], **READ}, summary="Early help episodes")
def list_episodes(request: HttpRequest) -> list[dict[str, Any]]:
    """The episodes the token's person leads or is on the team of (under current consent), newest first."""
    actor = actor_of(request)
    require(actor, "earlyhelp.view")
    found = Episode.objects.visible_to(actor).order_by("-started_at")[:LIST_MAX]
    return [_episode_summary(e) for e in found]


@earlyhelp.get("/episodes/{episode_id}", response={200: EpisodeOut, **READ}, summary="One family's early help")
def show_episode(request: HttpRequest, episode_id: str) -> dict[str, Any]:
    """The family's early help record (the family, team, plan and reviews); the read is logged."""
    actor = actor_of(request)
    require(actor, "earlyhelp.view")
    e = earlyhelp_queries.family_record(actor, episode_id, purpose="api")
    return {
        **_episode_summary(e),
        "framework_version": e.framework_version,
        "needs": list(e.needs or []),
        "strengths": list(e.strengths or []),
        "family": [vars_of(m, FamilyMemberOut) for m in e.family.all()],
        "team": [vars_of(m, TeamMemberOut) for m in e.team.all()],
        "actions": [vars_of(a, PlanActionOut) for a in e.actions.all()],
        "reviews": [vars_of(r, ReviewOut) for r in e.reviews.order_by("number")],
    }


def vars_of(record: Any, schema: type[Schema]) -> dict[str, Any]:
    return {name: getattr(record, name) for name in schema.model_fields}


# --- escalations --------------------------------------------------------------------------------


class StageOut(Schema):
    number: int
    who: str
    how: str
    within: str
    started_at: datetime
    due_at: datetime | None
    response: str
    responded_at: datetime | None
    ended: str
    ended_at: datetime | None
    reason: str


class EscalationSummary(Schema):
    id: str
    partnership: str
    status: str
    current_stage: int
    subject_kind: str
    subject_reference: str
    raised_at: datetime
    closed_at: datetime | None


class EscalationOut(EscalationSummary):
    framework_version: str
    raised_role: str
    subject_decision: str
    concern: str
    other_party: str
    desired_outcome: str
    basis: str
    outcome: str
    stages: list[StageOut]


def _escalation_summary(e: Escalation) -> dict[str, Any]:
    return {
        "id": e.public_id,
        "partnership": e.partnership,
        "status": e.status,
        "current_stage": e.current_stage,
        "subject_kind": e.subject_kind,
        "subject_reference": e.subject_reference,
        "raised_at": e.raised_at,
        "closed_at": e.closed_at,
    }


escalations = Router(tags=["escalations"])


@escalations.get("", response={200: list[EscalationSummary], **READ}, summary="Escalations")
def list_escalations(request: HttpRequest) -> list[dict[str, Any]]:
    """Those the token's person raised, and (front door and partnership admins) their partnership's; newest first."""
    actor = actor_of(request)
    found = Escalation.objects.visible_to(actor).order_by("-raised_at")[:LIST_MAX]
    return [_escalation_summary(e) for e in found]


@escalations.get("/{escalation_id}", response={200: EscalationOut, **READ}, summary="One escalation")
def show_escalation(request: HttpRequest, escalation_id: str) -> dict[str, Any]:
    """The disagreement, its stages, responses and outcome; the read is logged."""
    e = escalation_queries.escalation_for(actor_of(request), escalation_id, purpose="api")
    detail = {
        name: getattr(e, name) for name in EscalationOut.model_fields if name not in EscalationSummary.model_fields
    }
    detail["stages"] = [vars_of(s, StageOut) for s in e.stages.all()]
    return {**_escalation_summary(e), **detail}
