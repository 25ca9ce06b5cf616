"""Versions on a real framework: edit a copy of Bury's file, diff it, replay a stored result."""

from __future__ import annotations

import shutil

import pytest

from continuum.engine import assess
from continuum.engine.replay import replay
from continuum.frameworks import load_framework
from continuum.frameworks.diff import diff
from tests.conftest import FRAMEWORKS_DIR


@pytest.fixture
def bury_copy(tmp_path):
    """A writable copy of the Bury framework directory."""
    target = tmp_path / "bury"
    shutil.copytree(FRAMEWORKS_DIR / "bury", target)
    return target


def _edit(directory, *pairs):
    path = directory / "framework.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return load_framework(path)


def test_a_real_edit_diffs_and_replays(registry, bury_copy):
    current = registry.get("bury")
    stored = assess(current, {"indicators": ["l4-r1-i1"]})
    assert stored["recommended_level"]["number"] == 4
    edited = _edit(
        bury_copy,
        ("version: 2.0.0", "version: 2.1.0"),
        (
            "{id: l4-r1-i1, level: 4, domain: examples, row: l4-r1,",
            "{id: l4-r1-i1, level: 5, domain: examples, row: l4-r1,",
        ),
        (
            "- id: mash\n  name: Multi Agency Safeguarding Hub (MASH)\n",
            "- id: mash\n  name: Multi Agency Safeguarding Hub (MASH)\n  phone: 0161 000 0000\n",
        ),
    )
    assert edited.content_hash != current.content_hash
    changes = {(c["kind"], str(c["id"]), c["change"]) for c in diff(current.framework, edited.framework)}
    assert changes == {
        ("framework", "framework", "changed"),
        ("indicator", "l4-r1-i1", "changed"),
        ("contact", "mash", "changed"),
    }
    outcome = replay(edited, stored["input"], stored)
    texts = [c["change"] for c in outcome["changes"]]
    assert "framework bury 2.0.0 → bury 2.1.0" in texts
    assert any(t.startswith("recommended level 4 (") and " → 5 (" in t for t in texts)
    assert "driver l4-r1-i1: level 4 → 5" in texts
    assert outcome["result"]["framework"]["hash"] == edited.content_hash
