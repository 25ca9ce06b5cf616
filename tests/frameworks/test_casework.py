"""The casework sections are checked as strictly as the rest: verbatim text at its lines,
references that resolve, clocks that only deadlines start, national defaults kept apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from continuum.frameworks import FrameworkError, load_framework
from tests.conftest import FRAMEWORK_IDS

# Appended to a copy of the tiny framework: lines 5 (decision), 12 and 13 of its source.
CASEWORK = """
timescales:
  - {id: fd-decision, kind: deadline, what: front door decision, within: {value: 1, unit: working-days},
     text: Decision within 1 working day., source: {lines: [5]}}
  - {id: re-referral, kind: look-back, what: re-referral window, within: {value: 12, unit: months},
     text: a contact within the last 12 months is a re-referral,
     national: {title: Children in need census guide, reference: re-referral definition}}
front_door:
  name: Front door
  contact: front-door
  referral_levels: [3, 4]
  outcomes:
    - {code: assessment-s17, name: assessment, text: Decision within 1 working day., source: {lines: [5]}}
  grades:
    - {id: red, name: Red, text: Decision within 1 working day., decision: fd-decision, levels: [4], source: {lines: [5]}}
  clocks: {decision: fd-decision, re_referral_window: re-referral}
escalation:
  contacts: [front-door]
  stages:
    - {number: 1, who: the practitioner, text: Decision within 1 working day., within: fd-decision, source: {lines: [5]}}
specific_risks:
  - id: harm-route
    risk: domestic-abuse
    name: Harm
    route:
      - {text: Do not seek consent where it would place the child at increased risk., source: {lines: [12]}}
    contacts: [front-door]
    indicators: [harm-l3-1]
    rules: [non-mobile-bruising]
information_sharing:
  without_consent:
    - {text: Do not seek consent where it would place the child at increased risk., source: {lines: [12]}}
retired_ids: [old-indicator]
"""


def _with_casework(directory: Path, old: str = "", new: str = "") -> Path:
    path = directory / "framework.yaml"
    block = CASEWORK
    if old:
        assert old in block, f"the casework block no longer contains {old!r}"
        block = block.replace(old, new, 1)
    path.write_text(path.read_text(encoding="utf-8") + block, encoding="utf-8")
    return path


def _messages(path: Path) -> list[tuple[str | None, str]]:
    with pytest.raises(FrameworkError) as caught:
        load_framework(path)
    return [(p.field, p.message) for p in caught.value.problems]


def test_a_complete_casework_block_loads(tiny_copy):
    loaded = load_framework(_with_casework(tiny_copy))
    door = loaded.framework.front_door
    assert door is not None and door.clocks.decision == "fd-decision"
    assert door.outcomes[0].code == "assessment-s17"
    national = next(t for t in loaded.framework.timescales if t.id == "re-referral")
    assert national.is_national and national.source is None


def test_a_casework_quote_must_be_at_its_lines(tiny_copy):
    path = _with_casework(
        tiny_copy,
        "code: assessment-s17, name: assessment, text: Decision",
        "code: assessment-s17, name: assessment, text: Assessment",
    )
    assert any(
        field == "front_door.outcomes[0].text" and "not found at source lines 5" in message
        for field, message in _messages(path)
    )


def test_only_a_deadline_can_start_a_clock(tiny_copy):
    path = _with_casework(tiny_copy, "clocks: {decision: fd-decision,", "clocks: {decision: re-referral,")
    assert (
        "front_door.clocks.decision",
        "timescale 're-referral' is a look-back, but this needs a deadline",
    ) in _messages(path)


def test_references_in_casework_resolve(tiny_copy):
    path = _with_casework(tiny_copy, "contacts: [front-door]\n    indicators", "contacts: [nobody]\n    indicators")
    assert ("specific_risks[0].contacts[0]", "no contact with id 'nobody'") in _messages(path)


def test_a_retired_id_is_never_reused(tiny_copy):
    path = _with_casework(tiny_copy, "retired_ids: [old-indicator]", "retired_ids: [edu-l2-1]")
    assert any(
        field == "retired_ids[0]" and "retired and must not be used again, but a indicator uses it" in message
        for field, message in _messages(path)
    )


def test_an_entry_is_the_documents_or_national_never_both(tiny_copy):
    path = _with_casework(
        tiny_copy,
        "national: {title: Children in need census guide, reference: re-referral definition}",
        "national: {title: Children in need census guide, reference: re-referral definition}, source: {lines: [5]}",
    )
    assert any("exactly one of 'source'" in message for _, message in _messages(path))


def test_escalation_stages_are_numbered_in_order(tiny_copy):
    path = _with_casework(tiny_copy, "- {number: 1, who:", "- {number: 2, who:")
    assert any("numbered 1, 2, 3" in message for _, message in _messages(path))


def test_a_level_timescale_cannot_be_national(tiny_copy):
    path = tiny_copy / "framework.yaml"
    text = path.read_text(encoding="utf-8")
    old = "text: Decision within 1 working day., source: {lines: [5]}}"
    assert old in text
    path.write_text(
        text.replace(old, "text: Decision within 1 working day., national: {title: WT, reference: ch 2}}", 1),
        encoding="utf-8",
    )
    assert any(field == "levels[2].timescales[0].national" for field, _ in _messages(path))


@pytest.mark.parametrize("framework_id", FRAMEWORK_IDS)
def test_every_shipped_framework_fills_the_casework_sections(registry, framework_id):
    framework = registry.get(framework_id).framework
    missing = [
        name
        for name in ("front_door", "early_help", "escalation", "information_sharing")
        if getattr(framework, name) is None
    ]
    assert not missing, f"{framework_id} has no {', '.join(missing)}"
    assert framework.specific_risks, f"{framework_id} has no specific_risks"


@pytest.mark.parametrize("framework_id", FRAMEWORK_IDS)
def test_every_shipped_timescale_says_what_kind_of_time_it_is(registry, framework_id):
    """An unclassified timescale (allowed so that older files still load for diff) never starts a clock."""
    framework = registry.get(framework_id).framework
    timescales = [*framework.timescales, *(t for level in framework.levels for t in level.timescales)]
    assert [t.id for t in timescales if t.kind is None] == []


def test_an_older_file_without_timescale_kinds_still_loads_for_comparison(tiny_copy):
    path = tiny_copy / "framework.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("kind: deadline, ", "", 1), encoding="utf-8")
    (timescale,) = load_framework(path).framework.levels[2].timescales
    assert timescale.kind is None
