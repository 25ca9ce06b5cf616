"""Assess from free text (continuum.assess_text): the use case behind `assess --text` and the benchmark."""

from __future__ import annotations

import pytest

from continuum.assess_text import assess_text, read_and_assess
from continuum.engine import AssessmentInputError
from continuum.frameworks import LoadedFramework

WORDS = "Four-month-old baby with bruising on her arm"


def test_the_words_select_indicators_and_read_facts(tiny: LoadedFramework) -> None:
    done = read_and_assess(tiny, WORDS, mode="lexical")
    assert [m["indicator"] for m in done.selected] == ["harm-l3-1"]
    result = done.result
    assert result["recommended_level"]["number"] == 4  # the non-mobile bruising rule, from the age read
    assert [(d["indicator"], d.get("matched_from_text")) for d in result["drivers"]] == [("harm-l3-1", True)]
    assert result["text"]["mode"] == "lexical"
    assert result["text"]["matched"] == 1
    assert result["text"]["facts_read"]["used"] == ["non_mobile", "age_years"]


def test_an_explicit_selection_is_kept_and_what_it_says_wins(tiny: LoadedFramework) -> None:
    selection = {"indicators": ["edu-l2-1"], "facts": {"non_mobile": False}, "age_years": 2}
    result = assess_text(tiny, WORDS, selection=selection, mode="lexical")
    assert result["input"]["indicators"] == ["edu-l2-1", "harm-l3-1"]
    assert result["input"]["facts"] == {"non_mobile": False}
    assert result["input"]["age_years"] == 2
    assert result["text"]["facts_read"]["used"] == []
    assert result["recommended_level"]["number"] == 3
    explicit = next(d for d in result["drivers"] if d["indicator"] == "edu-l2-1")
    assert "matched_from_text" not in explicit
    assert selection == {"indicators": ["edu-l2-1"], "facts": {"non_mobile": False}, "age_years": 2}  # not mutated


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_words_are_refused(tiny: LoadedFramework, text: str) -> None:
    with pytest.raises(AssessmentInputError, match="non-empty"):
        assess_text(tiny, text, mode="lexical")
