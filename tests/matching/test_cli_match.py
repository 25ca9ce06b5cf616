"""The ``match`` and ``assess --text`` commands, lexical mode (fast; the model is tested elsewhere)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from continuum.cli import main

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "frameworks"


@pytest.fixture
def cli(monkeypatch):
    monkeypatch.setenv("CONTINUUM_MATCH_MODE", "lexical")

    def invoke(*args: str, stdin: str | None = None):
        return CliRunner().invoke(main, ["--frameworks-dir", str(SAMPLE), *args], input=stdin)

    return invoke


def test_match_json(cli):
    out = cli("match", "--framework", "sample", "--top", "2", "--json", "sofa surfing since Christmas")
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert result["query"] == "sofa surfing since Christmas"
    assert [r["indicator"] for r in result["results"]][:1] == ["home-l3-1"]
    assert len([r for r in result["results"] if not r["negated"]]) == 2


def test_match_batch_gives_one_line_per_request_with_elapsed_ms(cli):
    lines = "\n".join(
        json.dumps(r)
        for r in (
            {"framework": "sample", "text": "sofa surfing"},
            {"framework": "sample", "text": "mum's boyfriend hits her", "top": 1},
            {"framework": "nowhere", "text": "x"},
        )
    )
    out = cli("match", "--batch", "-", stdin=lines)
    results = [json.loads(line) for line in out.output.strip().splitlines()]
    assert out.exit_code == 1  # the third line fails; the others still run
    assert [len(r.get("results", [])) for r in results] == [5, 1, 0]
    assert all("elapsed_ms" in r for r in results)
    assert "nowhere" in results[2]["error"]


def test_assess_text_lists_matches_as_drivers_with_scores(cli):
    out = cli("assess", "--framework", "sample", "--json", "--text", "Baby is 8 weeks and has a bruise on his cheek")
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert result["recommended_level"]["number"] == 4
    (driver,) = result["drivers"]
    assert driver["indicator"] == "harm-l4-1" and driver["matched_from_text"] and driver["score"] > 0


def test_assess_text_keeps_protective_factors_apart(cli):
    text = "Mum drinks every night and it affects her care of the kids, but nan is very supportive and helps with childcare"
    out = cli("assess", "--framework", "sample", "--json", "--text", text)
    result = json.loads(out.output)
    assert [d["indicator"] for d in result["drivers"]] == ["home-l3-3"]
    assert [p["indicator"] for p in result["protective_factors"]] == ["home-p-1"]
    assert result["recommended_level"]["number"] == 3


def test_assess_text_says_where_the_writer_concluded_all_is_well(cli):
    explained = "Bruise on his shin, he came off his scooter. Logged, NFA."
    result = json.loads(cli("assess", "--framework", "sample", "--json", "--text", explained).output)
    assert result["text"]["writer_conclusion"] == "nfa"
    plain = json.loads(cli("assess", "--framework", "sample", "--json", "--text", "He is self-harming").output)
    assert plain["text"]["writer_conclusion"] is None
    people = cli("assess", "--framework", "sample", "--text", explained).output
    assert 'You concluded "nfa": a concern had to match your words more clearly' in people


def test_assess_batch_with_text(cli):
    lines = json.dumps({"framework": "sample", "text": "no concerns about attendance, he is self-harming"})
    out = cli("assess", "--batch", "-", stdin=lines)
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert [d["indicator"] for d in result["drivers"]] == ["harm-l2-1"]
    assert "elapsed_ms" in result


def test_assess_text_reads_key_facts_and_an_explicit_fact_wins(monkeypatch):
    monkeypatch.setenv("CONTINUUM_MATCH_MODE", "lexical")
    tiny = Path(__file__).resolve().parents[1] / "fixtures" / "frameworks"
    text = "Four-month-old baby with bruising on her arm"

    def assess(*extra: str) -> dict:
        args = ["--frameworks-dir", str(tiny), "assess", "--framework", "tiny", "--text", text, "--json", *extra]
        out = CliRunner().invoke(main, args)
        assert out.exit_code == 0, out.output
        return json.loads(out.output)

    read = assess()
    assert read["text"]["facts_read"]["used"] == ["non_mobile", "age_years"]
    assert read["text"]["facts_read"]["evidence"]["non_mobile"] == "Four-month-old"
    assert read["recommended_level"]["number"] == 4
    assert "non-mobile-bruising" in [r["rule"] for r in read["rules_fired"]]
    corrected = assess("--fact", "non_mobile=false", "--age", "2")
    assert corrected["text"]["facts_read"]["used"] == []
    assert corrected["recommended_level"]["number"] == 3


def test_assess_text_for_people_shows_the_facts_it_read(monkeypatch):
    monkeypatch.setenv("CONTINUUM_MATCH_MODE", "lexical")
    tiny = Path(__file__).resolve().parents[1] / "fixtures" / "frameworks"
    args = ["--frameworks-dir", str(tiny), "assess", "--framework", "tiny", "--text", "Four-month-old with bruising"]
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 0, out.output
    assert "Read from your words — check them" in out.output
    assert '* A baby who is not yet mobile (non_mobile) ("Four-month-old")' in out.output
    assert '* age 0.33 years ("Four-month-old")' in out.output


def test_first_use_of_a_framework_says_it_is_preparing_on_stderr(tmp_path, monkeypatch, encoder):
    from continuum.matching import matcher

    monkeypatch.setenv("CONTINUUM_CACHE_DIR", str(tmp_path))  # an empty cache: the texts get embedded
    monkeypatch.setattr(matcher, "_indexes", {})  # and no index already built in this process
    monkeypatch.setenv("CONTINUUM_MATCH_MODE", "hybrid")
    args = ["--frameworks-dir", str(SAMPLE), "match", "--framework", "sample", "--json", "sofa surfing"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "preparing matching for sample: embedding" in first.stderr
    assert json.loads(first.stdout)["results"][0]["indicator"] == "home-l3-1"  # stdout stays JSON
    again = CliRunner().invoke(main, args)
    assert "preparing matching" not in again.stderr  # read from the cache


def test_assess_text_says_not_enough_instead_of_a_level(cli):
    out = cli("assess", "--framework", "sample", "--text", "We chatted about the weather and the football.")
    assert out.exit_code == 0, out.output
    assert "Recommended level: not set. Not enough in these words to set a level — tell us more about:" in out.output
    assert "Recommended level: 1" not in out.output
    stated = cli("assess", "--framework", "sample", "--text", "He has been sofa surfing since Christmas.")
    assert "Recommended level: 3" in stated.output and "not set" not in stated.output
    as_json = json.loads(cli("assess", "--framework", "sample", "--json", "--text", "The weather was nice.").output)
    assert as_json["text"]["not_enough"]["ask_about"]
