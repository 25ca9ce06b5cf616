"""What a disagreement can be about: one registry entry per kind of decision.

An escalation names its subject generically (a content type and an object id, see ADR), so a
new kind of decision plugs in with one :class:`SubjectKind` line in :data:`KINDS` and no
migration. Kinds are named by model label, never imported: this app sits beside ``frontdoor``
and ``earlyhelp`` in the app layers and must not import them. A kind whose app is not installed
is simply not offered.

Each kind says how to find the record from the reference people see (``lookup``), which
partnership it belongs to, and what the decision was, in words stored with the escalation when
it is raised (so the register reads without touching the subject again), or that there is no decision
yet to disagree with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class SubjectKind:
    key: str  # in URLs and stored with the escalation
    model: str  # "app_label.ModelName"
    noun: str  # what people call it
    lookup: str  # the queryset lookup of the reference people see, e.g. "public_id"
    partnership: Callable[[Any], str]
    decision: Callable[[Any], str | None]  # the decision in words; None while there is none to disagree with

    @property
    def installed(self) -> bool:
        return apps.is_installed(f"continuum.apps.{self.model.split('.', 1)[0]}")

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def reference(self, record: Any) -> str:
        value = record
        for part in self.lookup.split("__"):
            value = getattr(value, part)
        return str(value)


def _check_level(check: Any) -> str:
    level = check.level_in_force  # the latest change of mind, else the first judgement (ADR 0018)
    if level is None:
        return f"Recommended level {check.recommended_level} ({check.recommended_level_name}); not yet judged"
    if level == check.recommended_level:
        return f"Level {level} ({check.recommended_level_name}), agreeing with the recommendation"
    return f"Level {level}, recorded in place of the recommended level {check.recommended_level}"


def _referral_outcome(referral: Any) -> str | None:
    """The front door's outcome as written back to the referral (``None`` until it is decided)."""
    if not referral.outcome_code:
        return None
    return f"Front door outcome: {referral.outcome_text or referral.outcome_code}"


def _front_door_decision(triage: Any) -> str | None:
    if not triage.outcome_code:
        return None
    decision = triage.latest_revision or triage  # the latest change, else the decision as first recorded (ADR 0018)
    police = " (with police action)" if decision.police else ""
    return f"Front door decision: {decision.outcome_name or decision.outcome_code}{police}"


def _step_down(step_down: Any) -> str | None:
    if step_down.state == "refused":
        return f"Step-down to early help refused: {step_down.refusal_reason}"
    if step_down.state == "accepted":
        return "Step-down to early help accepted"
    return f"Step-down to early help asked for: {step_down.reason}"


def _closure(episode: Any) -> str | None:
    if not episode.closure_code:
        return None
    return f"Early help closed: {episode.closure_export}"


def _own(record: Any) -> str:
    return str(record.partnership)


# One line per kind of decision. Another kind plugs in here with its model label.
KINDS: tuple[SubjectKind, ...] = (
    SubjectKind(
        "check",
        "checks.Check",
        "stored check",
        "public_id",
        lambda c: c.sent_to_partnership or c.framework_id,
        _check_level,
    ),
    SubjectKind("referral", "referrals.Referral", "referral", "public_id", _own, _referral_outcome),
    SubjectKind(
        "front-door-decision",
        "frontdoor.Triage",
        "front-door decision",
        "referral__public_id",
        _own,
        _front_door_decision,
    ),
    SubjectKind("step-down", "earlyhelp.StepDown", "step-down", "public_id", _own, _step_down),
    SubjectKind("early-help-closure", "earlyhelp.Episode", "early help closure", "public_id", _own, _closure),
)


def offered() -> dict[str, SubjectKind]:
    """The kinds whose apps are installed, by key."""
    return {kind.key: kind for kind in KINDS if kind.installed}


def kind_of(key: str) -> SubjectKind | None:
    return offered().get(key)
