"""Higher-level near misses: what `assess --text` asks the practitioner to check."""

from __future__ import annotations

import json

from click.testing import CliRunner

from continuum.cli import main, render_recommendation
from continuum.matching import DEFAULT_TUNING, higher_near_misses
from tests.matching.conftest import SAMPLE_DIR


def _result(indicator: str, level: int, score: float, *, negated: bool = False, protective: bool = False):
    return {
        "indicator": indicator,
        "text": f"text of {indicator}",
        "level": level,
        "score": score,
        "negated": negated,
        "protective": protective,
    }


def test_only_higher_concerns_close_to_the_best_selected_are_shown():
    margin = DEFAULT_TUNING.near_higher_margin
    selected = [{"indicator": "a", "score": 0.5}, {"indicator": "b", "score": 0.42}]
    considered = [
        _result("higher-close", 4, 0.5 - margin / 2),
        _result("higher-far", 4, 0.5 - margin * 2),
        _result("same-level-close", 2, 0.49),
        _result("higher-denied", 4, 0.6, negated=True),
        _result("higher-strength", 3, 0.6, protective=True),
    ]
    shown = higher_near_misses(considered, selected, 2, mode="hybrid")
    assert [r["indicator"] for r in shown] == ["higher-close"]


def test_with_nothing_selected_the_threshold_is_the_yardstick():
    threshold = DEFAULT_TUNING.threshold_lexical
    considered = [_result("near", 3, threshold - 0.01), _result("far", 3, threshold - 0.2)]
    shown = higher_near_misses(considered, [], 1, mode="lexical")
    assert [r["indicator"] for r in shown] == ["near"]


def test_assess_from_words_reports_them_consistently(monkeypatch):
    monkeypatch.setenv("CONTINUUM_MATCH_MODE", "lexical")
    args = ["--frameworks-dir", str(SAMPLE_DIR), "assess", "--framework", "sample", "--json"]
    out = CliRunner().invoke(main, [*args, "--text", "poor attendance and she has been self-harming"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    level = data["recommended_level"]["number"]
    considered = {c["indicator"] for c in data["text"]["also_considered"]}
    assert isinstance(data["text"]["check_higher"], list)
    for item in data["text"]["check_higher"]:
        assert item["level"] > level and item["indicator"] in considered


def test_the_person_is_told_what_to_check_and_what_it_would_mean(monkeypatch):
    monkeypatch.setenv("CONTINUUM_MATCH_MODE", "lexical")
    args = ["--frameworks-dir", str(SAMPLE_DIR), "assess", "--framework", "sample", "--json"]
    result = json.loads(CliRunner().invoke(main, [*args, "--text", "poor attendance"]).output)
    near = _result("harm-l4-2", 4, 0.31)
    result["text"]["check_higher"] = [near]
    result["text"]["also_considered"] = [near, *result["text"]["also_considered"]]
    text = render_recommendation(result)
    assert "came nearly as close to a concern at a higher level" in text
    assert "Level 4: text of harm-l4-2 [match 0.31] (--indicator harm-l4-2)" in text
    assert "the level is at least 4" in text
    assert text.count("text of harm-l4-2") == 1  # not listed again among the other close matches
