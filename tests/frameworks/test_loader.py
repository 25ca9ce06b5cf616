"""A malformed framework file gets a clear message naming file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from continuum.frameworks import FrameworkError, load_framework
from continuum.frameworks.loader import content_hash


def _edit(directory: Path, old: str, new: str) -> Path:
    path = directory / "framework.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, fragment: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


def _problems(path: Path) -> list:
    with pytest.raises(FrameworkError) as caught:
        load_framework(path)
    return caught.value.problems


def test_the_fixture_is_valid(tiny):
    assert tiny.id == "tiny"
    assert tiny.content_hash.startswith("sha256:")


def test_malformed_yaml_names_file_and_line(tiny_copy):
    path = _edit(tiny_copy, "name: Tiny Partnership", "name: [Tiny Partnership")
    (problem,) = _problems(path)
    assert problem.file == str(path)
    assert problem.line is not None and problem.line >= 2
    assert "malformed YAML" in problem.message


def test_level_that_does_not_exist(tiny_copy):
    path = _edit(tiny_copy, "{id: edu-l3-1, level: 3", "{id: edu-l3-1, level: 7")
    (problem,) = _problems(path)
    assert problem.line == _line_of(path, "id: edu-l3-1")
    assert problem.field == "indicators[1].level"
    assert "level 7 does not exist" in problem.message and "1, 2, 3, 4" in problem.message


def test_duplicate_indicator_ids(tiny_copy):
    path = _edit(tiny_copy, "{id: edu-l3-1,", "{id: edu-l2-1,")
    messages = [p.message for p in _problems(path)]
    assert any("duplicate id 'edu-l2-1'" in m for m in messages)


def test_duplicate_yaml_keys(tiny_copy):
    path = _edit(tiny_copy, "version: 1.0.0\n", "version: 1.0.0\nversion: 1.0.1\n")
    (problem,) = _problems(path)
    assert "duplicate key" in problem.message and problem.field == "version"
    assert problem.line == _line_of(path, "version: 1.0.1")


def test_rule_naming_a_missing_indicator(tiny_copy):
    path = _edit(tiny_copy, "any_of: [harm-l3-1]", "any_of: [harm-l3-9]")
    (problem,) = _problems(path)
    assert problem.field == "rules[0].when.all[1].any_of[0]"
    assert "harm-l3-9" in problem.message and "does not exist" in problem.message
    assert problem.line == _line_of(path, "harm-l3-9")


def test_empty_text(tiny_copy):
    path = _edit(tiny_copy, "text: Child is often late for school", 'text: ""')
    (problem,) = _problems(path)
    assert problem.field == "indicators[0].text"
    assert problem.message == "must not be empty"


def test_source_lines_outside_the_document(tiny_copy):
    path = _edit(tiny_copy, "source: {lines: [13]}", 'source: {lines: ["12-40"]}')
    (problem,) = _problems(path)
    assert problem.field == "contacts[0].source.lines"
    assert "line 14 is outside the source document, which has 13 lines" in problem.message


def test_text_not_at_the_cited_lines(tiny_copy):
    path = _edit(
        tiny_copy,
        "text: Child is often late for school, tags: [attendance], source: {lines: [7]}",
        "text: Child is often late for school, tags: [attendance], source: {lines: [8]}",
    )
    (problem,) = _problems(path)
    assert problem.field == "indicators[0].text"
    assert "not found at source lines 8" in problem.message


def test_paraphrase_is_not_verbatim(tiny_copy):
    path = _edit(tiny_copy, "text: Child is often late for school", "text: Child is frequently late for school")
    (problem,) = _problems(path)
    assert "verbatim" in problem.message


def test_unknown_field_and_missing_field(tiny_copy):
    path = _edit(tiny_copy, "name: Tiny Partnership — a test framework\n", "title: oops\n")
    fields = {p.field: p.message for p in _problems(path)}
    assert fields["name"] == "required field is missing"
    assert fields["title"].startswith("unknown field")


def test_spanning_level_needs_a_tier_split(tiny_copy):
    path = _edit(tiny_copy, "tiers: [child-protection]", "tiers: [child-protection, looked-after]")
    (problem,) = _problems(path)
    assert "tier_split" in problem.message and problem.field == "levels[3]"


def test_every_problem_is_reported_at_once(tiny_copy):
    _edit(tiny_copy, "any_of: [harm-l3-1]", "any_of: [nope]")
    path = _edit(tiny_copy, "contacts: [front-door]", "contacts: [nobody]")
    assert len(_problems(path)) == 2


def test_missing_file_and_non_mapping(tmp_path):
    (problem,) = _problems(tmp_path / "absent" / "framework.yaml")
    assert problem.message == "file not found"
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "framework.yaml").write_text("- just\n- a list\n")
    (problem,) = _problems(tmp_path / "x")
    assert "expected a mapping" in problem.message


def test_yes_and_no_stay_strings(tiny_copy):
    path = _edit(tiny_copy, "name: Universal", "name: no")
    assert load_framework(path).framework.levels[0].name == "no"


def test_hash_ignores_formatting_but_not_content(tiny, tiny_copy):
    path = tiny_copy / "framework.yaml"
    path.write_text("# a comment\n" + path.read_text(encoding="utf-8").replace("\n\n", "\n"), encoding="utf-8")
    assert load_framework(path).content_hash == tiny.content_hash
    _edit(tiny_copy, "text: Child is often late for school,", 'text: "Child is often late for school.",')
    assert content_hash(load_framework(path).framework) != tiny.content_hash
