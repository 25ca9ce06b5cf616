"""``assess``: from a selection of indicators and facts to a recommended level of need.

The engine suggests; a person decides. Its invariants, tested by property:

* the highest selected concern sets the floor; rules only raise; protective factors are
  reported and never lower a level (so never below a statutory trigger);
* immediate danger is reported first;
* the same framework and input give the same output.

Everything partnership-specific comes from the framework data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from continuum.engine.result import Assessment, FrameworkHeader, IndicatorView, Prompt, RuleView, TraceStep, Unanswered
from continuum.frameworks.loader import LoadedFramework
from continuum.frameworks.schema import Condition, Fact, Framework, Indicator, Level, Rule, Tier

ENGINE_VERSION = "1"
_TRIGGER_KINDS = ("immediate-danger", "statutory-trigger")


class AssessmentInputError(ValueError):
    """The selection names something the framework does not have."""


@dataclass(frozen=True)
class Selection:
    """What the practitioner told us: indicators (concerns or protective), key facts, age."""

    indicators: tuple[str, ...] = ()
    protective: tuple[str, ...] = ()
    facts: Mapping[str, bool] = field(default_factory=dict)
    age_years: float | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Selection:
        """Build from JSON-like input, checking its shape."""
        indicators = data.get("indicators") or []
        protective = data.get("protective") or []
        facts = data.get("facts") or {}
        age = data.get("age_years")
        if not isinstance(indicators, list) or not all(isinstance(i, str) for i in indicators):
            raise AssessmentInputError("'indicators' must be a list of indicator ids (strings)")
        if not isinstance(protective, list) or not all(isinstance(i, str) for i in protective):
            raise AssessmentInputError("'protective' must be a list of indicator ids (strings)")
        if not isinstance(facts, dict) or not all(isinstance(v, bool) for v in facts.values()):
            raise AssessmentInputError("'facts' must map fact names to true or false")
        if age is not None and (isinstance(age, bool) or not isinstance(age, int | float) or not 0 <= age < 26):
            raise AssessmentInputError("'age_years' must be a number from 0 to 25")
        return cls(tuple(indicators), tuple(protective), dict(facts), age)


@dataclass(frozen=True)
class _Compiled:
    """A framework indexed for fast, repeated assessment."""

    loaded: LoadedFramework
    indicators: dict[str, Indicator]
    levels: dict[int, Level]
    lowest: int
    domain_names: dict[str, str]
    concern_domains: tuple[str, ...]
    position: dict[str, int]
    what_to_do: dict[int, dict[str, Any]]
    header: FrameworkHeader


def _source(ref: Any) -> dict[str, Any] | None:
    return None if ref is None else ref.model_dump(mode="json", exclude_none=True)


def _what_to_do(fw: Framework, level: Level) -> dict[str, Any]:
    contacts = {c.id: c for c in fw.contacts}
    return {
        "actions": list(level.actions),
        "response": list(level.response),
        "assessment": level.assessment,
        "lead": level.lead,
        "contacts": [contacts[c].model_dump(mode="json", exclude_none=True) for c in level.contacts],
        "consent": level.consent.model_dump(mode="json", exclude_none=True) if level.consent else None,
        "timescales": [t.model_dump(mode="json", exclude_none=True) for t in level.timescales],
    }


@lru_cache(maxsize=64)
def _compile(loaded: LoadedFramework) -> _Compiled:
    fw = loaded.framework
    levels = {level.number: level for level in fw.levels}
    used_domains = {i.domain for i in fw.indicators if not i.protective}
    return _Compiled(
        loaded=loaded,
        indicators={i.id: i for i in fw.indicators},
        levels=levels,
        lowest=min(levels),
        domain_names={d.id: d.name for d in fw.domains},
        concern_domains=tuple(d.id for d in fw.domains if d.id in used_domains),
        position={i.id: n for n, i in enumerate(fw.indicators)},
        what_to_do={n: _what_to_do(fw, level) for n, level in levels.items()},
        header={"id": fw.id, "name": fw.name, "version": fw.version, "hash": loaded.content_hash},
    )


@dataclass(frozen=True)
class _State:
    selected: frozenset[str]
    concerns: tuple[Indicator, ...]
    facts: Mapping[str, bool]
    age: float | None


def holds(condition: Condition, state: _State) -> bool:
    """Evaluate a rule's condition against a selection."""
    if condition.any_of is not None:
        return any(i in state.selected for i in condition.any_of)
    if condition.all_of is not None:
        return all(i in state.selected for i in condition.all_of)
    if condition.at_least is not None:
        return _count(condition, state) >= condition.at_least.count
    if condition.fact is not None:
        return bool(state.facts.get(condition.fact.value))
    if condition.age_under is not None:
        return state.age is not None and state.age < condition.age_under
    if condition.age_at_least is not None:
        return state.age is not None and state.age >= condition.age_at_least
    if condition.any is not None:
        return any(holds(c, state) for c in condition.any)
    if condition.all is not None:
        return all(holds(c, state) for c in condition.all)
    if condition.not_ is not None:
        return not holds(condition.not_, state)
    raise AssertionError("a validated condition has exactly one key")


def _count(condition: Condition, state: _State) -> int:
    spec = condition.at_least
    assert spec is not None
    levels = {i.id: _counted_level(i, state) for i in state.concerns}  # the level each counts at
    matching = [
        i
        for i in state.concerns
        if (spec.level is None or levels[i.id] == spec.level)
        and (spec.min_level is None or levels[i.id] >= spec.min_level)
        and (spec.domains is None or i.domain in spec.domains)
        and (spec.tags is None or any(t in spec.tags for t in i.tags))
        and (spec.ids is None or i.id in spec.ids)
    ]
    return len({i.domain for i in matching}) if spec.distinct_domains else len(matching)


def _indicator_view(indicator: Indicator, domain_names: Mapping[str, str]) -> IndicatorView:
    return {
        "indicator": indicator.id,
        "text": indicator.text,
        "level": indicator.level,
        "domain": indicator.domain,
        "domain_name": domain_names.get(indicator.domain, indicator.domain),
        "source": _source(indicator.source),
    }


def _rule_view(rule: Rule, outcome: str) -> RuleView:
    return {
        "rule": rule.id,
        "kind": rule.kind,
        "name": rule.name,
        "text": rule.text,
        "effect": rule.then.model_dump(mode="json", exclude_none=True, exclude_defaults=True),
        "outcome": outcome,
        "prompt": rule.then.prompt,
        "source": _source(rule.source),
    }


def _check_selection(compiled: _Compiled, selection: Selection) -> None:
    unknown = [i for i in (*selection.indicators, *selection.protective) if i not in compiled.indicators]
    if unknown:
        raise AssessmentInputError(
            f"unknown indicator id(s) for framework {compiled.header['id']!r}: {', '.join(sorted(set(unknown)))}"
        )
    known_facts = {f.value for f in Fact}
    bad_facts = [f for f in selection.facts if f not in known_facts]
    if bad_facts:
        raise AssessmentInputError(
            f"unknown fact(s): {', '.join(sorted(bad_facts))}; known: {', '.join(sorted(known_facts))}"
        )


def assess(loaded: LoadedFramework, selection: Selection | Mapping[str, Any]) -> Assessment:
    """Recommend a level of need for a selection, with reasons and what to do now."""
    if not isinstance(selection, Selection):
        selection = Selection.from_mapping(selection)
    compiled = _compile(loaded)
    _check_selection(compiled, selection)
    fw = loaded.framework
    chosen = sorted(set(selection.indicators) | set(selection.protective), key=compiled.position.__getitem__)
    picked = [compiled.indicators[i] for i in chosen]
    concerns = tuple(i for i in picked if not i.protective)
    protective = [i for i in picked if i.protective]
    state = _State(frozenset(chosen), concerns, selection.facts, selection.age_years)
    trace: list[TraceStep] = []

    # 1. The highest selected concern sets the floor; a sign printed in a row about a specific
    #    situation counts at that row's level only when the situation is recorded.
    counts_at = {i.id: _counted_level(i, state) for i in concerns}
    for indicator in concerns:
        if counts_at[indicator.id] != indicator.level:
            trace.append(
                {
                    "step": "context",
                    "detail": (
                        f"{indicator.id} is printed at level {indicator.level} in a row about a specific situation, "
                        f"which was not recorded: it counts at level {counts_at[indicator.id]}"
                    ),
                    "level": counts_at[indicator.id],
                }
            )
    level = max(counts_at.values(), default=compiled.lowest)
    trace.append(
        {
            "step": "floor",
            "detail": (
                f"highest selected concern is at level {level}"
                if concerns
                else f"no concern selected; starting at the lowest level, {level}"
            ),
            "level": level,
        }
    )

    # 2. Rules, in the framework's order: triggers and accumulation only raise.
    rules_fired: list[RuleView] = []
    fired: list[Rule] = []
    danger_rules: list[Rule] = []
    for rule in fw.rules:
        if not holds(rule.when, state):
            continue
        fired.append(rule)
        effect = rule.then
        outcome = "held"
        if effect.immediate_danger:
            danger_rules.append(rule)
            outcome = "immediate danger"
        if effect.raise_to is not None:
            if effect.raise_to > level:
                trace.append({"step": "raise", "rule": rule.id, "detail": f"raised {level} → {effect.raise_to}"})
                outcome = f"raised level {level} to {effect.raise_to}"
                level = effect.raise_to
            else:
                outcome = f"level already {level}; at least {effect.raise_to} required"
        elif effect.consider is not None:
            outcome = f"consider level {effect.consider}" if effect.consider > level else f"level already {level}"
        if rule.kind != "tier-split":
            rules_fired.append(_rule_view(rule, outcome))
            trace.append({"step": "rule", "rule": rule.id, "detail": outcome})
        else:
            trace.append({"step": "tier-rule", "rule": rule.id, "detail": f"held: tier {effect.tier}"})

    # 3. The tier, where the level spans more than one.
    chosen_level = compiled.levels[level]
    tier, tier_basis = _resolve_tier(chosen_level, fired, state)
    trace.append({"step": "tier", "detail": tier_basis, "tier": tier.value})

    if protective:
        trace.append(
            {
                "step": "protective",
                "detail": f"{len(protective)} protective factor(s) reported; they never lower the level",
            }
        )

    answered = {i.domain for i in picked}
    unanswered: list[Unanswered] = [
        {"domain": d, "name": compiled.domain_names[d]} for d in compiled.concern_domains if d not in answered
    ]
    prompts: list[Prompt] = [
        {"rule": r.id, "consider": r.then.consider, "prompt": r.then.prompt or ""}
        for r in fired
        if r.kind != "tier-split" and r.then.consider is not None and r.then.consider > level
    ]
    prompts += [
        {"rule": i.id, "consider": i.level, "prompt": i.context.prompt}
        for i in concerns
        if i.context is not None and counts_at[i.id] != i.level and i.level > level
    ]
    decisive = [_indicator_view(i, compiled.domain_names) for i in concerns]
    for view in decisive:
        if counts_at[view["indicator"]] != view["level"]:
            view["counts_at"] = counts_at[view["indicator"]]
        view["decisive"] = counts_at[view["indicator"]] == level
    decisive.sort(key=lambda d: (-d.get("counts_at", d["level"]), compiled.position[d["indicator"]]))
    todo = compiled.what_to_do[level]
    consent = _consent(todo["consent"], [r for r in fired if r.then.consent_exception])
    danger = fw.immediate_danger
    return {
        "framework": compiled.header.copy(),
        "immediate_danger": {
            "applies": bool(danger_rules),
            "rules": [r.id for r in danger_rules],
            "text": danger.text,
            "actions": list(danger.actions),
            "source": _source(danger.source),
        },
        "recommended_level": {
            "number": chosen_level.number,
            "name": chosen_level.name,
            "tiers": [tier.value],
            "level_tiers": [t.value for t in chosen_level.tiers],
            "tier_basis": tier_basis,
            "description": chosen_level.description,
        },
        "input": {
            "indicators": [i.id for i in concerns],
            "protective": [i.id for i in protective],
            "facts": {k: v for k, v in sorted(selection.facts.items())},
            "age_years": selection.age_years,
        },
        "drivers": decisive,
        "rules_fired": rules_fired,
        "prompts": prompts,
        "protective_factors": [_indicator_view(i, compiled.domain_names) for i in protective],
        "unanswered": unanswered,
        "actions": ([*danger.actions] if danger_rules else []) + todo["actions"],
        "response": todo["response"],
        "assessment": todo["assessment"],
        "lead": todo["lead"],
        "contacts": todo["contacts"],
        "consent": consent,
        "timescales": todo["timescales"],
        "trace": trace,
        "engine_version": ENGINE_VERSION,
    }


def _counted_level(indicator: Indicator, state: _State) -> int:
    context = indicator.context
    if context is None or holds(context.when, state):
        return indicator.level
    return context.otherwise


def _consent(level_consent: dict[str, Any] | None, exceptions: list[Rule]) -> dict[str, Any] | None:
    """The level's consent rule, or, where a rule names a consent exception, that rule's words:
    parents are not told first."""
    if not exceptions:
        return level_consent
    consent = dict(level_consent or {})
    consent["parents_told_first"] = False
    consent["exception_applies"] = True
    consent["exception_rules"] = [
        {"rule": r.id, "name": r.name, "text": r.text, "source": _source(r.source)} for r in exceptions
    ]
    return consent


def _resolve_tier(level: Level, fired: Iterable[Rule], state: _State) -> tuple[Tier, str]:
    if len(level.tiers) == 1:
        return level.tiers[0], f"level {level.number} maps to {level.tiers[0].value}"
    fired = list(fired)
    for rule in fired:
        if rule.kind in _TRIGGER_KINDS and rule.then.tier in level.tiers:
            return rule.then.tier, f"{rule.then.tier.value} because rule {rule.id} fired"
    split = level.tier_split
    assert split is not None  # the schema requires one when a level spans tiers
    fired_ids = {r.id: r for r in fired}
    for rule_id in split.rules:
        held = fired_ids.get(rule_id)
        if held is not None and held.then.tier is not None:
            return held.then.tier, f"{held.then.tier.value} because rule {held.id} held"
    return split.default, f"{split.default.value}: the level's default tier (no tier rule held)"
