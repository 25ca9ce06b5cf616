"""Template filters for showing framework vocabulary (generic; never a partnership's content)."""

from __future__ import annotations

import re
from typing import Any

from django import template

from continuum.frameworks.schema import fact_label as _fact_label

register = template.Library()

TIER_LABELS = {
    "universal": "Universal",
    "early-help": "Early help",
    "child-in-need": "Child in need (section 17)",
    "child-protection": "Child protection (section 47)",
    "looked-after": "Looked after",
}

CONSENT_LABELS = {
    "required": "Consent is required",
    "seek-unless-risk": "Seek consent, unless that would put the child at greater risk",
    "inform": "Consent is not needed, but tell the family unless that would put the child at greater risk",
    "not-required": "Consent is not required where a child is at risk of significant harm",
}

UNITS = {
    "minutes": ("minute", "minutes"),
    "hours": ("hour", "hours"),
    "working-hours": ("working hour", "working hours"),
    "days": ("day", "days"),
    "working-days": ("working day", "working days"),
    "weeks": ("week", "weeks"),
    "months": ("month", "months"),
}


@register.filter
def tier_label(value: str) -> str:
    return TIER_LABELS.get(value, str(value).replace("-", " ").capitalize())


@register.filter
def consent_label(value: str) -> str:
    return CONSENT_LABELS.get(value, str(value).replace("-", " ").capitalize())


@register.filter
def within(value: dict[str, Any] | None) -> str:
    """A timescale's amount in words: ``{"value": 1, "unit": "working-days"}`` → "1 working day"."""
    if not value:
        return "No fixed time given"
    amount = value.get("value")
    singular, plural = UNITS.get(value.get("unit", ""), (value.get("unit", ""), value.get("unit", "")))
    number = f"{amount:g}" if isinstance(amount, int | float) else str(amount)
    return f"Within {number} {singular if amount == 1 else plural}"


@register.filter
def tel(value: str) -> str:
    """A ``tel:`` link target from a phone number as printed."""
    digits = re.sub(r"[^\d+]", "", str(value))
    return f"tel:{digits}"


@register.filter
def fact_label(value: str) -> str:
    return _fact_label(value)[0]


@register.filter
def fact_hint(value: str) -> str:
    return _fact_label(value)[1]


@register.filter
def lines_label(source: dict[str, Any] | None) -> str:
    """ "line 12", "lines 12 to 14", "lines 3, 7"."""
    lines = sorted(set((source or {}).get("lines") or []))
    if not lines:
        return ""
    if len(lines) == 1:
        return f"line {lines[0]}"
    runs: list[list[int]] = []
    for line in lines:
        if runs and line == runs[-1][-1] + 1:
            runs[-1].append(line)
        else:
            runs.append([line])
    parts = [f"{run[0]}" if len(run) == 1 else f"{run[0]} to {run[-1]}" for run in runs]
    return "lines " + ", ".join(parts)


@register.filter
def age_label(age: dict[str, Any] | None) -> str:
    age = age or {}
    years, months = age.get("years"), age.get("months")
    if years is None and months is None:
        return "Not given"
    parts = []
    if years is not None:
        parts.append(f"{years} year{'s' if years != 1 else ''}")
    if months:
        parts.append(f"{months} month{'s' if months != 1 else ''}")
    return " ".join(parts) or "0 years"


@register.filter
def get_item(mapping: dict[Any, Any] | None, key: Any) -> Any:
    """``mapping[key]`` in a template (``""`` when absent)."""
    if not mapping:
        return ""
    return mapping.get(key, "")
