"""``frameworks review``: every judgement call, note, national default and omission, beside the document's lines."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from continuum.cli import main
from continuum.frameworks import load_framework
from continuum.frameworks.review import build_review, render_html, render_markdown, render_text
from tests.conftest import FRAMEWORK_IDS, FRAMEWORKS_DIR
from tests.frameworks.test_casework import _with_casework


@pytest.fixture
def tiny_with_casework(tiny_copy):
    return load_framework(_with_casework(tiny_copy))


def test_a_rule_is_shown_in_words_beside_the_documents_line(tiny):
    review = build_review(tiny)
    rule = next(r for r in review["rules"] if r["id"] == "non-mobile-bruising")
    assert "non mobile" in rule["condition"] and "Bruising to a baby who is not mobile" in rule["condition"]
    assert "the level becomes at least 4" in rule["effect"]
    assert rule["document"] == [{"line": 9, "text": "- Bruising to a baby who is not mobile"}]


def test_a_framework_without_casework_sections_says_the_document_does_not_say(tiny):
    missing = {item["field"] for item in build_review(tiny)["not_said"]}
    assert {"front_door", "early_help", "escalation", "information_sharing", "specific_risks"} <= missing
    # a missing section is reported once, not once per field inside it
    assert "front_door.clocks.decision" not in missing


def test_national_defaults_and_silent_fields_are_listed(tiny_with_casework):
    review = build_review(tiny_with_casework)
    (national,) = review["national_defaults"]
    assert national["field"] == "timescales[1]" and national["guidance"] == "Children in need census guide"
    missing = {item["field"] for item in review["not_said"]}
    assert "front_door.clocks.feedback" in missing and "front_door.clocks.decision" not in missing
    assert "early_help" in missing
    assert review["counts"]["national_defaults"] == 1 and review["counts"]["not_said"] == len(review["not_said"])


def test_each_rendering_carries_the_same_items(tiny_with_casework):
    review = build_review(tiny_with_casework)
    text, markdown, page = render_text(review), render_markdown(review), render_html(review)
    for rendered in (text, markdown, page):
        assert "non-mobile-bruising" in rendered
        assert "Children in need census guide" in rendered
        assert "when the referrer is told the outcome" in rendered
    assert "do not edit by hand" in markdown


def test_the_html_page_escapes_the_documents_text(tiny_copy):
    source = tiny_copy / "source.txt"
    source.write_text(source.read_text(encoding="utf-8").replace("- Bruising", "- <b>Bruising", 1), encoding="utf-8")
    page = render_html(build_review(load_framework(tiny_copy)))
    assert "&lt;b&gt;Bruising" in page and "<b>Bruising" not in page


@pytest.mark.parametrize("framework_id", FRAMEWORK_IDS)
def test_the_command_prints_each_partnerships_review(framework_id):
    result = CliRunner().invoke(
        main, ["--frameworks-dir", str(FRAMEWORKS_DIR), "frameworks", "review", framework_id, "--json"]
    )
    assert result.exit_code == 0, result.output
    review = json.loads(result.output)
    assert review["framework"]["id"] == framework_id
    assert len(review["rules"]) == review["counts"]["rules"] > 0


def test_the_command_writes_a_pdf(tmp_path):
    target = tmp_path / "review.pdf"
    result = CliRunner().invoke(
        main,
        ["--frameworks-dir", str(FRAMEWORKS_DIR), "frameworks", "review", "bury", "--format", "pdf", "-o", str(target)],
    )
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"%PDF")


def test_a_pdf_needs_a_file():
    result = CliRunner().invoke(
        main, ["--frameworks-dir", str(FRAMEWORKS_DIR), "frameworks", "review", "bury", "--format", "pdf"]
    )
    assert result.exit_code == 2 and "needs --output" in result.output


@pytest.mark.parametrize("framework_id", FRAMEWORK_IDS)
def test_each_frameworks_notes_are_generated_from_its_review(registry, framework_id):
    """NOTES.md is the review, never edited by hand: regenerate it with `make notes` after editing the YAML."""
    expected = render_markdown(build_review(registry.get(framework_id)))
    assert (FRAMEWORKS_DIR / framework_id / "NOTES.md").read_text(encoding="utf-8") == expected, (
        f"frameworks/{framework_id}/NOTES.md is stale: run `make notes`"
    )
