"""``{% load govuk %}``: small presentation filters any page may need."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from continuum.apps.govuk import submissions

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


@register.simple_tag
def submission_field() -> SafeString:
    """The hidden ``submission`` field with a fresh token: one per form shown (:mod:`continuum.apps.govuk.submissions`)."""
    return format_html('<input type="hidden" name="{}" value="{}">', submissions.FIELD, submissions.new_token())
