"""``{% load partnerships %}``: the frameworks' common vocabulary in words (never a partnership's content)."""

from __future__ import annotations

from django import template

from continuum.apps.partnerships import vocabulary
from continuum.frameworks.schema import fact_label as _fact_label

register = template.Library()

register.filter("tier_label", vocabulary.tier_label)
register.filter("consent_label", vocabulary.consent_label)
register.filter("within", vocabulary.within)
register.filter("lines_label", vocabulary.lines_label)


@register.filter
def fact_label(value: str) -> str:
    return _fact_label(value)[0]


@register.filter
def fact_hint(value: str) -> str:
    return _fact_label(value)[1]
