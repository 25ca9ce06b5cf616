"""What a disagreement can be about: one registry entry per kind of decision.

An escalation names its subject generically (a content type and an object id, see ADR), so a
new kind of decision plugs in with one :class:`SubjectKind` line in :data:`KINDS` and no
migration. Kinds are named by model label, never imported: this app sits beside ``frontdoor``
and ``earlyhelp`` in the app layers and must not import them. A kind whose app is not installed
is simply not offered.

Each kind says how to find the record from the reference people see (``lookup``), which
partnership it belongs to, and what the decision was, in words stored with the escalation when
it is raised (so the register reads without touching the subject again).
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
    lookup: str  # the field of the reference people see
    partnership: Callable[[Any], str]
    decision: Callable[[Any], str]

    @property
    def installed(self) -> bool:
        return apps.is_installed(f"continuum.apps.{self.model.split('.', 1)[0]}")

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def reference(self, record: Any) -> str:
        return str(getattr(record, self.lookup))


def _check_level(check: Any) -> str:
    level = check.decided_level
    if level is None:
        return f"Recommended level {check.recommended_level} ({check.recommended_level_name}); not yet judged"
    if level == check.recommended_level:
        return f"Level {level} ({check.recommended_level_name}), agreeing with the recommendation"
    return f"Level {level}, recorded in place of the recommended level {check.recommended_level}"


def _decision_text(record: Any) -> str:
    """A decision's words from a model that shows them: ``get_outcome_display`` or ``outcome`` or itself."""
    for name in ("get_decision_display", "get_outcome_display", "outcome_text"):
        value = getattr(record, name, None)
        if value:
            return str(value() if callable(value) else value)
    return str(record)


# One line per kind. The front door's decision, the step-down and the early-help closure plug in here
# (with their model labels) as those apps land.
KINDS: tuple[SubjectKind, ...] = (
    SubjectKind(
        "check",
        "checks.Check",
        "stored check",
        "public_id",
        lambda c: c.sent_to_partnership or c.framework_id,
        _check_level,
    ),
    SubjectKind("referral", "referrals.Referral", "referral", "public_id", lambda r: r.partnership, _decision_text),
)


def offered() -> dict[str, SubjectKind]:
    """The kinds whose apps are installed, by key."""
    return {kind.key: kind for kind in KINDS if kind.installed}


def kind_of(key: str) -> SubjectKind | None:
    return offered().get(key)
