"""The shape of an assessment: what :func:`continuum.engine.assess` returns, as JSON.

This is a contract: the CLI's ``assess --json``, stored checks (and their replay), the web
pages and the decision report all read these keys. Add keys; never rename or remove one
without a new ``ENGINE_VERSION`` and a replay that reads the old shape.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

Source = dict[str, Any]  # a SourceRef as JSON: {"lines": [...], ...}


class FrameworkHeader(TypedDict):
    id: str
    name: str
    version: str
    hash: str  # "sha256:…" of the parsed, normalised content


class ImmediateDanger(TypedDict):
    applies: bool
    rules: list[str]  # the immediate-danger rules that held
    text: str
    actions: list[str]
    source: Source | None


class RecommendedLevel(TypedDict):
    number: int
    name: str
    tiers: list[str]  # the one tier chosen
    level_tiers: list[str]  # every tier the level spans
    tier_basis: str
    description: str


class Input(TypedDict):
    indicators: list[str]
    protective: list[str]
    facts: dict[str, bool]
    age_years: float | None


class IndicatorView(TypedDict):
    indicator: str
    text: str
    level: int
    domain: str
    domain_name: str
    source: Source | None
    decisive: NotRequired[bool]  # drivers only: at the recommended level
    counts_at: NotRequired[int]  # drivers only: the level it counts at, when its row's situation was not recorded
    score: NotRequired[float]  # from free text: the match score
    matched_from_text: NotRequired[bool]


class RuleView(TypedDict):
    rule: str
    kind: str
    name: str
    text: str
    effect: dict[str, Any]
    outcome: str
    prompt: str | None
    source: Source | None


class Prompt(TypedDict):
    rule: str
    consider: int
    prompt: str


class Unanswered(TypedDict):
    domain: str
    name: str


class TraceStep(TypedDict):
    step: str  # floor, raise, rule, tier-rule, tier, protective
    detail: str
    level: NotRequired[int]
    rule: NotRequired[str]
    tier: NotRequired[str]


class Assessment(TypedDict):
    """One recommendation. ``text`` is present only when it was assessed from free text."""

    framework: FrameworkHeader
    immediate_danger: ImmediateDanger
    recommended_level: RecommendedLevel
    input: Input
    drivers: list[IndicatorView]
    rules_fired: list[RuleView]
    prompts: list[Prompt]
    protective_factors: list[IndicatorView]
    unanswered: list[Unanswered]
    actions: list[str]
    response: list[str]
    assessment: str | None
    lead: str | None
    contacts: list[dict[str, Any]]
    consent: dict[str, Any] | None
    timescales: list[dict[str, Any]]
    trace: list[TraceStep]
    engine_version: str
    text: NotRequired[dict[str, Any]]  # see continuum.assess_text


__all__ = [
    "Assessment",
    "FrameworkHeader",
    "ImmediateDanger",
    "IndicatorView",
    "Input",
    "Prompt",
    "RecommendedLevel",
    "RuleView",
    "TraceStep",
    "Unanswered",
]
