"""The vocabulary's labels come from vocabulary.yaml; a value it lacks is shown in words."""

from __future__ import annotations

from continuum.apps.partnerships import vocabulary
from continuum.frameworks.schema import Tier


def test_every_tier_of_the_schema_has_a_label():
    assert set(vocabulary.labels()["tiers"]) >= {t.value for t in Tier}


def test_labels_and_the_fallback():
    assert vocabulary.tier_label("child-in-need") == "Child in need (section 17)"
    assert vocabulary.consent_label("a-new-rule") == "A new rule"


def test_timescales_in_words():
    assert vocabulary.within({"value": 1, "unit": "working-days"}) == "Within 1 working day"
    assert vocabulary.within({"value": 2.5, "unit": "hours"}) == "Within 2.5 hours"
    assert vocabulary.within(None) == "No fixed time given"


def test_cited_lines_in_words():
    assert vocabulary.lines_label({"lines": [14, 12, 13, 20]}) == "lines 12 to 14, 20"
    assert vocabulary.lines_label({"lines": [7]}) == "line 7"
    assert vocabulary.lines_label(None) == ""
