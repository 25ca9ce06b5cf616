"""Shape frameworks and stored checks for the templates (pure functions; no state changes)."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from continuum.apps.checks.models import Check
from continuum.apps.partnerships.citations import quote
from continuum.frameworks import LoadedFramework
from continuum.frameworks.schema import Indicator


def level_names(loaded: LoadedFramework) -> dict[int, str]:
    return {level.number: level.name for level in loaded.framework.levels}


def domain_names(loaded: LoadedFramework) -> dict[str, str]:
    return {domain.id: domain.name for domain in loaded.framework.domains}


def indicator_item(
    indicator: Indicator, loaded: LoadedFramework, *, checked: bool, prefix: str = "i"
) -> dict[str, Any]:
    levels, domains = level_names(loaded), domain_names(loaded)
    return {
        "id": indicator.id,
        "html_id": f"{prefix}-{indicator.id}",
        "text": indicator.text,
        "value": indicator.id,  # as GOV.UK components name them
        "label": indicator.text,
        "level": indicator.level,
        "level_name": levels.get(indicator.level, str(indicator.level)),
        "domain": indicator.domain,
        "domain_name": domains.get(indicator.domain, indicator.domain),
        "protective": indicator.protective,
        "checked": checked,
    }


def _words(text: str) -> list[str]:
    return re.findall(r"[\w’']+", text.lower())


def search(loaded: LoadedFramework, *, q: str = "", domain: str = "", level: str = "") -> list[Indicator]:
    """Concern indicators matching every search word (in their text or area), in a domain and level."""
    domains = domain_names(loaded)
    words = _words(q)
    found = []
    for indicator in loaded.framework.indicators:
        if indicator.protective:
            continue
        if domain and indicator.domain != domain:
            continue
        if level and str(indicator.level) != level:
            continue
        haystack = f"{indicator.text} {domains.get(indicator.domain, '')}".lower()
        if all(word in haystack for word in words):
            found.append(indicator)
    return found


@dataclass(frozen=True)
class Group:
    heading: str
    subgroups: list[tuple[str, list[dict[str, Any]]]]


def grouped(items: list[dict[str, Any]]) -> list[Group]:
    """Items by area, then by level (lowest first), keeping the framework's order within each."""
    groups: dict[str, dict[int, list[dict[str, Any]]]] = {}
    names: dict[int, str] = {}
    for item in items:
        groups.setdefault(item["domain_name"], {}).setdefault(item["level"], []).append(item)
        names[item["level"]] = item["level_name"]
    return [
        Group(domain, [(names[number], by_level[number]) for number in sorted(by_level)])
        for domain, by_level in groups.items()
    ]


def domain_summary(loaded: LoadedFramework, selected: set[str]) -> list[dict[str, Any]]:
    """Each area with how many concern indicators it has and how many are selected."""
    counts: dict[str, list[int]] = {}
    for indicator in loaded.framework.indicators:
        if indicator.protective:
            continue
        count = counts.setdefault(indicator.domain, [0, 0])
        count[0] += 1
        count[1] += indicator.id in selected
    return [
        {"id": d.id, "name": d.name, "total": counts[d.id][0], "selected": counts[d.id][1]}
        for d in loaded.framework.domains
        if d.id in counts
    ]


def _quote_all(items: list[dict[str, Any]], cites: dict[str, str]) -> None:
    for item in items:
        item["quote"] = quote(cites, item.get("source"))


def present_result(result: dict[str, Any], citations: dict[str, Any]) -> dict[str, Any]:
    """The engine's result with the source document's words beside everything that cites it."""
    out = copy.deepcopy(result)
    cites = citations.get("lines", {})
    for key in ("drivers", "protective_factors", "rules_fired", "contacts", "timescales"):
        _quote_all(out.get(key) or [], cites)
    out["immediate_danger"]["quote"] = quote(cites, out["immediate_danger"].get("source"))
    consent = out.get("consent")
    if consent:
        consent["quote"] = quote(cites, consent.get("source"))
        _quote_all(consent.get("exceptions") or [], cites)
    out["level_quote"] = quote(cites, {"lines": citations.get("level_source", [])})
    out["level_source"] = {"lines": citations.get("level_source", [])}
    levels = {lv["number"]: lv["name"] for lv in citations.get("levels", [])}
    for prompt in out.get("prompts") or []:
        prompt["level_name"] = levels.get(prompt.get("consider"), str(prompt.get("consider")))
    for driver in out.get("drivers") or []:
        driver["level_name"] = levels.get(driver.get("level"), str(driver.get("level")))
    return out


def present_inputs(check: Check) -> dict[str, Any]:
    """What the practitioner told us, in words, for the report and the check page."""
    inputs = check.inputs
    return {
        "text": inputs.get("text") or "",
        "facts": [name for name, value in (inputs.get("facts") or {}).items() if value],
        "age": inputs.get("age") or {},
        "rejected": inputs.get("rejected_text") or [],
        "matching_mode": inputs.get("matching_mode"),
    }


def level_choices(check: Check) -> list[tuple[int, str]]:
    return [(lv["number"], lv["name"]) for lv in check.citations.get("levels", [])]
