"""``{% load escalations %}``: dates as GOV.UK writes them, and the noun of a subject kind."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

from continuum.apps.escalations.subjects import kind_of

register = template.Library()


@register.filter
def when(value: datetime | None) -> str:
    """``4 December 2026 at 6:06pm`` (GOV.UK style: 12-hour clock, lower-case am/pm, no full stops)."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    hour = local.hour % 12 or 12
    time = f"{hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"
    if (local.hour, local.minute) == (12, 0):
        time = "midday"
    return f"{local.day} {local:%B %Y} at {time}"


@register.filter
def subject_noun(key: str) -> str:
    """What people call a subject kind ("stored check"), or the key itself for a kind no longer offered."""
    kind = kind_of(key)
    return kind.noun if kind is not None else key
