"""Replaying a stored recommendation under an edited framework shows what changed."""

from __future__ import annotations

from continuum.engine import assess
from continuum.engine.replay import replay
from continuum.frameworks import load_framework


def _edit(directory, *pairs):
    path = directory / "framework.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return load_framework(path)


def test_replay_under_the_same_version_is_the_same(tiny):
    stored = assess(tiny, {"indicators": ["edu-l3-1"]})
    outcome = replay(tiny, stored["input"], stored)
    assert outcome["same"] and outcome["changes"] == []


def test_replay_shows_level_contact_and_timescale_changes(tiny, tiny_copy):
    stored = assess(tiny, {"indicators": ["edu-l3-1"]})
    newer = _edit(
        tiny_copy,
        ("version: 1.0.0", "version: 1.1.0"),
        ("{id: edu-l3-1, level: 3", "{id: edu-l3-1, level: 4"),
        ("phone: 0300 000 0000", "phone: 0300 000 0009"),
    )
    changes = [c["change"] for c in replay(newer, stored["input"], stored)["changes"]]
    assert "framework tiny 1.0.0 → tiny 1.1.0" in changes
    assert "recommended level 3 (Child in Need, child-in-need) → 4 (Child Protection, child-protection)" in changes
    assert "driver edu-l3-1: level 3 → 4" in changes
    assert "contact Front door: phone changed" in changes
    assert "timescale front door decision removed" in changes


def test_replay_reports_indicators_the_new_version_dropped(tiny, tiny_copy):
    stored = assess(tiny, {"indicators": ["edu-l2-1", "edu-l3-1"]})
    newer = _edit(
        tiny_copy,
        ("version: 1.0.0", "version: 2.0.0"),
        (
            "  - {id: edu-l3-1, level: 3, domain: edu, text: Child is missing education for weeks, tags: [attendance], source: {lines: [8]}}\n",
            "",
        ),
    )
    outcome = replay(newer, stored["input"], stored)
    assert outcome["dropped_indicators"] == ["edu-l3-1"]
    assert outcome["changes"][0]["change"] == "indicator edu-l3-1 is no longer in the framework"
    assert outcome["result"]["recommended_level"]["number"] == 2
