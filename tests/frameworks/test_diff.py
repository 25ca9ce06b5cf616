"""`frameworks diff` on a real edit of a framework."""

from __future__ import annotations

from continuum.frameworks import load_framework
from continuum.frameworks.diff import describe, diff


def test_no_change_no_diff(tiny):
    assert diff(tiny.framework, tiny.framework) == []


def test_diff_lists_added_removed_and_changed_items(tiny, tiny_copy):
    path = tiny_copy / "framework.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("version: 1.0.0", "version: 1.1.0")
    text = text.replace("value: 1, unit: working-days", "value: 2, unit: working-days")
    text = text.replace("phone: 0300 000 0000", "phone: 0300 000 0009")
    text = text.replace("{id: edu-l3-1, level: 3", "{id: edu-l3-1, level: 4")
    text = text.replace(
        "  - {id: family-p-1,",
        "  - {id: harm-l4-1, level: 4, domain: harm, text: Bruising to a baby, source: {lines: [9]}}\n  - {id: family-p-1,",
    )
    text = text.replace("  - id: l2-combination", "  - id: l2-combination-2")
    path.write_text(text, encoding="utf-8")
    changes = {(c["kind"], str(c["id"]), c["change"]): c for c in diff(tiny.framework, load_framework(path).framework)}
    assert changes[("framework", "framework", "changed")]["after"] == {"version": "1.1.0"}
    assert changes[("indicator", "edu-l3-1", "changed")]["fields"] == ["level"]
    assert ("indicator", "harm-l4-1", "added") in changes
    assert ("rule", "l2-combination", "removed") in changes and ("rule", "l2-combination-2", "added") in changes
    assert changes[("contact", "front-door", "changed")]["after"] == {"phone": "0300 000 0009"}
    assert changes[("timescale", "decision", "changed")]["fields"] == ["within"]
    assert describe(changes[("indicator", "edu-l3-1", "changed")]) == "changed  indicator edu-l3-1: level: 3 → 4"
    assert len(changes) == 7


def test_diff_lists_casework_sections_and_specific_risks(tiny, tiny_copy):
    from tests.frameworks.test_casework import _with_casework

    changes = {
        (c["kind"], str(c["id"]), c["change"])
        for c in diff(tiny.framework, load_framework(_with_casework(tiny_copy)).framework)
    }
    assert {
        ("section", "front_door", "added"),
        ("section", "escalation", "added"),
        ("section", "information_sharing", "added"),
        ("specific risk", "harm-route", "added"),
        ("timescale", "fd-decision", "added"),
    } <= changes
    assert ("framework", "framework", "changed") in changes  # retired_ids
