"""``{% load checks %}``: what only the check's pages show."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


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
