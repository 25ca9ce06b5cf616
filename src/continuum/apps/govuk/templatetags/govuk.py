"""``{% load govuk %}``: small presentation filters any page may need."""

from __future__ import annotations

import re
from typing import Any

from django import template

register = template.Library()


@register.filter
def tel(value: str) -> str:
    """A ``tel:`` link target from a phone number as printed."""
    digits = re.sub(r"[^\d+]", "", str(value))
    return f"tel:{digits}"


@register.filter
def get_item(mapping: dict[Any, Any] | None, key: Any) -> Any:
    """``mapping[key]`` in a template (``""`` when absent)."""
    if not mapping:
        return ""
    return mapping.get(key, "")
