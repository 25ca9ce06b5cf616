"""The command line: shapes that scripts rely on, readable output, and bad input without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from continuum.cli import main
from tests.conftest import FIXTURES_DIR


def run(*args: str, input: str | None = None):
    result = CliRunner().invoke(main, ["--frameworks-dir", str(FIXTURES_DIR), *args], input=input)
    assert "Traceback" not in result.output
    return result


def test_list_json():
    result = run("frameworks", "list", "--json")
    assert result.exit_code == 0
    (row,) = json.loads(result.output)
    assert row["id"] == "tiny" and row["levels"] == 4 and row["hash"].startswith("sha256:")


def test_show_json_has_the_design_shape():
    data = json.loads(run("frameworks", "show", "tiny", "--json").output)
    assert {"id", "version", "levels", "indicators"} <= data.keys()
    assert data["levels"][0] == {**data["levels"][0], "number": 1, "name": "Universal", "tiers": ["universal"]}
    assert {"id", "level", "domain", "text", "source"} <= data["indicators"][0].keys()


def test_show_for_people():
    result = run("frameworks", "show", "tiny")
    assert result.exit_code == 0
    assert "4  Child Protection  [child-protection]" in result.output


def test_unknown_framework_is_a_clear_error():
    result = run("frameworks", "show", "nowhere")
    assert result.exit_code == 2
    assert "no framework with id 'nowhere'; known: tiny" in result.output


def test_assess_json_has_the_design_shape():
    result = run("assess", "--framework", "tiny", "--indicator", "harm-l3-1", "--fact", "non_mobile", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    expected = {"framework", "recommended_level", "immediate_danger", "drivers", "rules_fired", "protective_factors"}
    expected |= {"unanswered", "actions", "contacts", "consent", "timescales", "trace"}
    assert expected <= data.keys()
    assert data["framework"]["id"] == "tiny" and data["framework"]["version"] == "1.0.0"
    assert data["recommended_level"] == {**data["recommended_level"], "number": 4, "tiers": ["child-protection"]}


def test_assess_for_people_puts_danger_advice_first_and_cites_lines():
    result = run("assess", "--framework", "tiny", "--indicator", "edu-l3-1", "--protective", "family-p-1")
    lines = result.output.splitlines()
    assert lines[3] == "If a child is in immediate danger: Call 999."
    assert "Recommended level: 3 — Child in Need  [child-in-need]" in result.output
    assert "Child is missing education for weeks — Education (source line 8)" in result.output
    assert "+ Parent with supportive grandparents (source line 10)" in result.output
    assert "front door decision: within 1 working-days" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["assess", "--indicator", "edu-l2-1"], "--framework is required"),
        (["assess", "--framework", "tiny"], "give at least one"),
        (["assess", "--framework", "tiny", "--indicator", "zzz"], "unknown indicator id(s) for framework 'tiny': zzz"),
        (["assess", "--framework", "tiny", "--fact", "unborn=maybe"], "use NAME or NAME=true/false"),
        (["assess", "--framework", "tiny", "--fact", "flying"], "unknown fact(s): flying"),
    ],
)
def test_assess_bad_input(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output


def test_batch_one_result_per_line_with_elapsed_ms_and_errors_in_place():
    lines = [
        {"framework": "tiny", "indicators": ["edu-l2-1"]},
        "not json",
        {"framework": "tiny", "indicators": ["nope"]},
        {"framework": "tiny", "indicators": ["harm-l3-1"], "facts": {"non_mobile": True}},
        ["a list"],
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n\n"
    result = run("assess", "--batch", "-", input=stdin)
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.output.splitlines()]
    assert len(out) == 5 and all(isinstance(o["elapsed_ms"], float) for o in out)
    assert out[0]["recommended_level"]["number"] == 2
    assert out[1]["line"] == 2 and out[1]["error"].startswith("not valid JSON")
    assert "unknown indicator" in out[2]["error"]
    assert out[3]["recommended_level"]["number"] == 4
    assert out[4]["error"] == "each line must be a JSON object"


def test_validate_reports_problems_and_exits_non_zero(tiny_copy):
    path = tiny_copy / "framework.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("level: 3, domain: edu", "level: 9, domain: edu"))
    result = run("frameworks", "validate", str(path))
    assert result.exit_code == 1
    assert f"{path}:" in result.output and "indicators[1].level: level 9 does not exist" in result.output


def test_validate_ok():
    result = run("frameworks", "validate")
    assert result.exit_code == 0 and "ok " in result.output


def test_diff_and_replay_on_an_edited_copy(tiny_copy, tmp_path):
    stored = tmp_path / "stored.json"
    stored.write_text(run("assess", "--framework", "tiny", "--indicator", "edu-l3-1", "--json").output)
    path = tiny_copy / "framework.yaml"
    text = path.read_text(encoding="utf-8").replace("version: 1.0.0", "version: 1.0.1")
    path.write_text(text.replace("phone: 0300 000 0000", "phone: 0300 000 0009"), encoding="utf-8")
    result = run("frameworks", "diff", str(FIXTURES_DIR / "tiny"), str(tiny_copy))
    assert result.exit_code == 0
    assert "changed  contact front-door: phone: “0300 000 0000” → “0300 000 0009”" in result.output
    replayed = CliRunner().invoke(main, ["--frameworks-dir", str(tiny_copy.parent), "replay", str(stored)])
    assert replayed.exit_code == 0
    assert "contact Front door: phone changed" in replayed.output


def test_crosswalk_json():
    data = json.loads(run("frameworks", "crosswalk", "--json").output)
    assert data["tiers"]["child-in-need"]["tiny"] == [
        {"number": 3, "name": "Child in Need", "spans": ["child-in-need"]}
    ]
    assert data["tiers"]["looked-after"]["tiny"] == []


def test_installed_command_runs_without_traceback():
    completed = subprocess.run(
        [sys.executable, "-m", "continuum", "--frameworks-dir", str(FIXTURES_DIR), "assess", "--framework", "tiny"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr and "give at least one" in completed.stderr


def test_assess_from_words_lists_drivers_with_scores_and_what_else_was_close(monkeypatch):
    monkeypatch.setenv("CONTINUUM_MATCH_MODE", "lexical")
    result = run("assess", "--framework", "tiny", "--text", "often late for school and missing education", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    drivers = {d["indicator"]: d for d in data["drivers"]}
    assert "edu-l3-1" in drivers and drivers["edu-l3-1"]["matched_from_text"] is True
    assert drivers["edu-l3-1"]["score"] > 0
    assert data["recommended_level"]["number"] == 3
    assert data["text"]["mode"] == "lexical"
    considered = data["text"]["also_considered"]
    assert all(c["indicator"] not in drivers and c["score"] > 0 for c in considered)
    human = run("assess", "--framework", "tiny", "--text", "often late for school and missing education")
    assert "[match " in human.output
