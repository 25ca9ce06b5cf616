"""phrasings.yaml: everyday words for indicators, checked against the framework beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from continuum.frameworks import FrameworkError, load_framework
from continuum.frameworks.loader import content_hash
from tests.conftest import FRAMEWORK_IDS

GOOD = """\
framework: tiny
phrasings:
  edu-l2-1:
  - "she rolls in after registration most mornings"
  - "keeps turning up late, twice this week already"
  family-p-1:
  - "nan has the kids after school every day"
"""


def _write(directory: Path, text: str) -> Path:
    path = directory / "phrasings.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(directory: Path) -> list:
    with pytest.raises(FrameworkError) as caught:
        load_framework(directory)
    return caught.value.problems


def test_phrasings_load_beside_the_framework(tiny_copy):
    _write(tiny_copy, GOOD)
    loaded = load_framework(tiny_copy)
    assert loaded.phrasings["edu-l2-1"] == (
        "she rolls in after registration most mornings",
        "keeps turning up late, twice this week already",
    )
    assert set(loaded.phrasings) == {"edu-l2-1", "family-p-1"}


def test_the_file_is_optional(tiny):
    assert tiny.phrasings == {}


def test_phrasings_do_not_change_the_framework_version(tiny_copy):
    before = load_framework(tiny_copy).content_hash
    _write(tiny_copy, GOOD)
    after = load_framework(tiny_copy)
    assert after.content_hash == before == content_hash(after.framework)


def test_an_unknown_indicator_is_named_with_its_line(tiny_copy):
    path = _write(tiny_copy, GOOD.replace("  family-p-1:", "  family-p-9:"))
    (problem,) = _problems(tiny_copy)
    assert problem.file == str(path)
    assert problem.line == 6
    assert problem.field == "phrasings.family-p-9"
    assert "no indicator with this id" in problem.message


def test_the_wrong_framework_is_refused(tiny_copy):
    _write(tiny_copy, GOOD.replace("framework: tiny", "framework: luton"))
    (problem,) = _problems(tiny_copy)
    assert (problem.line, problem.field) == (1, "framework")
    assert "'luton'" in problem.message and "'tiny'" in problem.message


def test_empty_lists_and_blank_phrasings_are_refused(tiny_copy):
    _write(tiny_copy, GOOD + '  edu-l3-1: []\n  harm-l3-1:\n  - "  "\n')
    problems = {p.field: p for p in _problems(tiny_copy)}
    assert problems["phrasings.edu-l3-1"].line == 8
    assert problems["phrasings.edu-l3-1"].message == "must not be empty"
    assert problems["phrasings.harm-l3-1[0]"].line == 10


def test_a_copy_of_the_indicator_text_or_a_repeat_is_refused(tiny_copy):
    text = GOOD.replace(
        '  - "nan has the kids after school every day"',
        '  - "nan has the kids after school every day"\n  - "Nan has the kids  after school every day."\n'
        '  - "parent with supportive grandparents"',
    )
    _write(tiny_copy, text)
    problems = {p.field: p.message for p in _problems(tiny_copy)}
    assert problems == {
        "phrasings.family-p-1[1]": "repeats phrasing 0",
        "phrasings.family-p-1[2]": "is the indicator's own text; a phrasing says it in everyday words",
    }


def test_unknown_fields_and_duplicate_ids_are_refused(tiny_copy):
    _write(tiny_copy, GOOD + '  edu-l2-1:\n  - "again"\nnotes: x\n')
    messages = [(p.line, p.message) for p in _problems(tiny_copy)]
    assert any(line == 8 and "duplicate key" in m for line, m in messages)


@pytest.mark.parametrize("framework_id", FRAMEWORK_IDS)
def test_every_indicator_of_a_shipped_framework_has_everyday_phrasings(registry, framework_id):
    """Matching leans on them: an indicator added without phrasings would be found less often."""
    loaded = registry.get(framework_id)
    bare = [i.id for i in loaded.framework.indicators if len(loaded.phrasings.get(i.id, ())) < 2]
    assert bare == [], f"{framework_id}: indicators with fewer than two phrasings in phrasings.yaml"


def test_a_file_that_is_not_a_mapping_is_refused(tiny_copy):
    path = _write(tiny_copy, "- one\n- two\n")
    (problem,) = _problems(tiny_copy)
    assert (problem.file, problem.line) == (str(path), 1)
    assert problem.message == "expected a mapping with framework and phrasings, got list"
