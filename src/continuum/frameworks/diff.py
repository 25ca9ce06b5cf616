"""What changed between two versions of a framework."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from continuum.frameworks.schema import Framework

# (collection, the key that identifies an item, what to call one)
_COLLECTIONS = (
    ("levels", "number", "level"),
    ("domains", "id", "domain"),
    ("indicators", "id", "indicator"),
    ("rules", "id", "rule"),
    ("contacts", "id", "contact"),
    ("notes", "id", "note"),
    ("vignettes", "id", "vignette"),
    ("specific_risks", "id", "specific risk"),
)

# The casework sections: each compared field by field (front_door.clocks, early_help.reviews ...).
_SECTIONS = ("front_door", "early_help", "escalation", "information_sharing")


def _dump(item: BaseModel) -> dict[str, Any]:
    return item.model_dump(mode="json", by_alias=True)


def _timescales(fw: Framework) -> dict[str, dict[str, Any]]:
    found = {t.id: _dump(t) | {"level": None} for t in fw.timescales}
    for level in fw.levels:
        found.update({t.id: _dump(t) | {"level": level.number} for t in level.timescales})
    return found


def _compare(kind: str, old: dict[Any, dict[str, Any]], new: dict[Any, dict[str, Any]]) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = []
    for key in sorted(old.keys() - new.keys(), key=str):
        changes.append({"kind": kind, "id": key, "change": "removed", "before": old[key]})
    for key in sorted(new.keys() - old.keys(), key=str):
        changes.append({"kind": kind, "id": key, "change": "added", "after": new[key]})
    for key in sorted(old.keys() & new.keys(), key=str):
        fields = sorted(f for f in old[key].keys() | new[key].keys() if old[key].get(f) != new[key].get(f))
        if kind == "level":
            fields = [f for f in fields if f != "timescales"]  # timescales are compared on their own
        if fields:
            changes.append(
                {
                    "kind": kind,
                    "id": key,
                    "change": "changed",
                    "fields": fields,
                    "before": {f: old[key].get(f) for f in fields},
                    "after": {f: new[key].get(f) for f in fields},
                }
            )
    return changes


def diff(old: Framework, new: Framework) -> list[dict[str, Any]]:
    """Items added, removed or changed, collection by collection (levels first)."""
    changes: list[dict[str, Any]] = []
    top_fields = ("id", "name", "version", "source", "immediate_danger", "office_hours", "retired_ids")
    top_old = {
        f: _dump(getattr(old, f)) if isinstance(getattr(old, f), BaseModel) else getattr(old, f) for f in top_fields
    }
    top_new = {
        f: _dump(getattr(new, f)) if isinstance(getattr(new, f), BaseModel) else getattr(new, f) for f in top_fields
    }
    changes += _compare("framework", {"framework": top_old}, {"framework": top_new})
    for collection, key, kind in _COLLECTIONS:
        before = {getattr(item, key): _dump(item) for item in getattr(old, collection)}
        after = {getattr(item, key): _dump(item) for item in getattr(new, collection)}
        changes += _compare(kind, before, after)
    changes += _compare("timescale", _timescales(old), _timescales(new))
    for section in _SECTIONS:
        before_section, after_section = getattr(old, section), getattr(new, section)
        changes += _compare(
            "section",
            {section: _dump(before_section)} if before_section is not None else {},
            {section: _dump(after_section)} if after_section is not None else {},
        )
    return changes


def describe(change: dict[str, Any]) -> str:
    """One line for a person."""
    head = f"{change['change']:<8} {change['kind']} {change['id']}"
    if change["change"] == "changed":
        parts = []
        for field in change["fields"]:
            before, after = change["before"][field], change["after"][field]
            if isinstance(before, list) or isinstance(after, list):
                parts.append(field)
            else:
                parts.append(f"{field}: {_short(before)} → {_short(after)}")
        return f"{head}: " + "; ".join(parts)
    item = change.get("after") or change.get("before") or {}
    label = item.get("text") or item.get("name") or item.get("what") or ""
    return f"{head}: {_short(label)}" if label else head


def _short(value: Any, width: int = 70) -> str:
    if isinstance(value, dict):
        text = ", ".join(f"{k}={v}" for k, v in value.items() if v is not None)
    else:
        text = f"“{value}”" if isinstance(value, str) else repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"
