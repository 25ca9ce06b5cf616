"""Replay a stored recommendation under the current framework and say what changed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from continuum.engine.assess import assess
from continuum.frameworks.loader import LoadedFramework


def _names(items: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {item[key]: item for item in items}


def _level(result: Mapping[str, Any]) -> str:
    level = result["recommended_level"]
    return f"{level['number']} ({level['name']}, {', '.join(level['tiers'])})"


def compare(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[dict[str, str]]:
    """Differences between two recommendations that a person would care about, most important first."""
    changes: list[dict[str, str]] = []
    fb, fa = before["framework"], after["framework"]
    if fb.get("hash") != fa.get("hash"):
        changes.append(
            _change("framework", f"framework {fb['id']} {fb.get('version')} → {fa['id']} {fa.get('version')}")
        )
    if before["immediate_danger"]["applies"] != after["immediate_danger"]["applies"]:
        now = "now applies" if after["immediate_danger"]["applies"] else "no longer applies"
        changes.append(_change("immediate danger", f"immediate danger {now}"))
    if _level(before) != _level(after):
        changes.append(_change("level", f"recommended level {_level(before)} → {_level(after)}"))
    changes += _compare_reasons(before, after)
    changes += _compare_contacts(before["contacts"], after["contacts"])
    changes += _compare_timescales(before["timescales"], after["timescales"])
    if before.get("consent") != after.get("consent"):
        old_rule = (before.get("consent") or {}).get("rule")
        new_rule = (after.get("consent") or {}).get("rule")
        text = f"consent rule {old_rule} → {new_rule}" if old_rule != new_rule else "consent wording changed"
        changes.append(_change("consent", text))
    if before.get("actions") != after.get("actions"):
        changes.append(_change("actions", "what to do now changed"))
    return changes


def _change(what: str, text: str) -> dict[str, str]:
    return {"what": what, "change": text}


def _compare_reasons(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[dict[str, str]]:
    changes = []
    for key, label, ident in (
        ("drivers", "driver", "indicator"),
        ("rules_fired", "rule", "rule"),
        ("protective_factors", "protective factor", "indicator"),
    ):
        old, new = _names(before[key], ident), _names(after[key], ident)
        changes += [_change(label, f"{label} {name} no longer applies") for name in sorted(old.keys() - new.keys())]
        changes += [_change(label, f"{label} {name} now applies") for name in sorted(new.keys() - old.keys())]
        for name in sorted(old.keys() & new.keys()):
            o, n = old[name], new[name]
            if o.get("text") != n.get("text"):
                changes.append(_change(label, f"{label} {name}: wording changed"))
            if o.get("level") != n.get("level"):
                changes.append(_change(label, f"{label} {name}: level {o.get('level')} → {n.get('level')}"))
            if o.get("outcome") != n.get("outcome"):
                changes.append(_change(label, f"{label} {name}: {o.get('outcome')} → {n.get('outcome')}"))
    return changes


def _compare_contacts(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[dict[str, str]]:
    old, new = _names(before, "id"), _names(after, "id")
    changes = [_change("contact", f"contact {old[n]['name']} removed") for n in sorted(old.keys() - new.keys())]
    changes += [_change("contact", f"contact {new[n]['name']} added") for n in sorted(new.keys() - old.keys())]
    for name in sorted(old.keys() & new.keys()):
        for field in ("phone", "email", "hours", "out_of_hours"):
            if old[name].get(field) != new[name].get(field):
                changes.append(_change("contact", f"contact {new[name]['name']}: {field.replace('_', ' ')} changed"))
    return changes


def _compare_timescales(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[dict[str, str]]:
    old, new = _names(before, "id"), _names(after, "id")
    changes = [_change("timescale", f"timescale {old[n]['what']} removed") for n in sorted(old.keys() - new.keys())]
    changes += [_change("timescale", f"timescale {new[n]['what']} added") for n in sorted(new.keys() - old.keys())]
    for name in sorted(old.keys() & new.keys()):
        if old[name].get("within") != new[name].get("within"):
            text = f"timescale {new[name]['what']}: {_within(old[name])} → {_within(new[name])}"
            changes.append(_change("timescale", text))
    return changes


def _within(timescale: Mapping[str, Any]) -> str:
    within = timescale.get("within")
    return f"{within['value']:g} {within['unit']}" if within else "no number given"


def replay(
    loaded: LoadedFramework, stored_input: Mapping[str, Any], stored_result: Mapping[str, Any]
) -> dict[str, Any]:
    """Re-run a stored input under ``loaded``; indicators it no longer has are dropped and reported."""
    known = {i.id for i in loaded.framework.indicators}
    selection = dict(stored_input)
    dropped: list[str] = []
    for key in ("indicators", "protective"):
        ids = list(selection.get(key) or [])
        dropped += [i for i in ids if i not in known]
        selection[key] = [i for i in ids if i in known]
    result = assess(loaded, selection)
    changes = compare(stored_result, result)
    for indicator_id in dropped:
        changes.insert(0, {"what": "indicator", "change": f"indicator {indicator_id} is no longer in the framework"})
    return {"result": result, "changes": changes, "dropped_indicators": dropped, "same": not changes}
