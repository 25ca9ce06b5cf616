"""Severity cues choose the rung of a ladder row (one topic graded across levels)."""

from __future__ import annotations

from pathlib import Path

import pytest

from continuum.frameworks import LoadedFramework, load_framework
from continuum.matching import DEFAULT_TUNING, selection_from_text
from continuum.matching.clauses import severity

LADDER = Path(__file__).resolve().parent / "fixtures" / "frameworks" / "ladder"


@pytest.fixture(scope="module")
def ladder() -> LoadedFramework:
    """One row, "injuries", at levels 1-4 in near-identical words."""
    return load_framework(LADDER)


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("mum can't explain the bruise", 1),
        ("the injury is not accounted for", 1),
        ("he's off school every day", 1),
        ("he sometimes comes in hungry", -1),
        ("mum is happy for the health visitor to help", -1),
        ("he has a bruise on his arm", 0),
    ],
)
def test_severity_cues(text: str, cue: int) -> None:
    assert severity(text) == cue


def _selected(ladder: LoadedFramework, text: str, **tuning: float) -> list[str]:
    chosen = selection_from_text(ladder, text, mode="hybrid", tuning=DEFAULT_TUNING.with_(**tuning))
    return [m["indicator"] for m in chosen]


def test_an_unexplained_injury_selects_the_higher_rung(ladder: LoadedFramework, encoder) -> None:
    text = "Toddler has a bruise on his arm and mum can't explain it."
    assert _selected(ladder, text) == ["inj-l4"]
    assert _selected(ladder, text, rung_margin=0.0) != ["inj-l4"]  # the cue is what moves it


def test_an_occasional_injury_selects_the_lower_rung(ladder: LoadedFramework, encoder) -> None:
    text = "He sometimes has a bruise from falling over."
    assert _selected(ladder, text) == ["inj-l1"]
    assert _selected(ladder, text, rung_margin=0.0) != ["inj-l1"]


def test_without_a_cue_the_best_rung_stands(ladder: LoadedFramework, encoder) -> None:
    text = "He has a bruise on his arm."
    assert _selected(ladder, text) == _selected(ladder, text, rung_margin=0.0)
