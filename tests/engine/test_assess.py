"""The engine on the test framework: each behaviour once, by example."""

from __future__ import annotations

import pytest

from continuum.engine import AssessmentInputError, Selection, assess


def test_nothing_selected_starts_at_the_lowest_level(tiny):
    result = assess(tiny, Selection())
    assert result["recommended_level"]["number"] == 1
    assert result["drivers"] == [] and result["rules_fired"] == []
    assert {u["domain"] for u in result["unanswered"]} == {"edu", "harm"}


def test_drivers_cite_their_source_lines_highest_first(tiny):
    result = assess(tiny, {"indicators": ["edu-l2-1", "edu-l3-1"]})
    assert [d["indicator"] for d in result["drivers"]] == ["edu-l3-1", "edu-l2-1"]
    assert result["drivers"][0]["source"] == {"lines": [8]} and result["drivers"][0]["decisive"] is True
    assert result["drivers"][1]["decisive"] is False


def test_a_statutory_trigger_raises_and_says_why(tiny):
    result = assess(tiny, {"indicators": ["harm-l3-1"], "facts": {"non_mobile": True}})
    assert result["recommended_level"]["number"] == 4
    (rule,) = result["rules_fired"]
    assert rule["rule"] == "non-mobile-bruising" and rule["outcome"] == "raised level 3 to 4"
    assert any(step.get("rule") == "non-mobile-bruising" and step["step"] == "raise" for step in result["trace"])


def test_the_trigger_needs_its_fact(tiny):
    result = assess(tiny, {"indicators": ["harm-l3-1"], "facts": {"non_mobile": False}})
    assert result["recommended_level"]["number"] == 3
    assert result["rules_fired"] == []


def test_accumulation_that_the_document_leaves_to_judgement_prompts_without_raising(tiny, tiny_copy):
    from continuum.frameworks import load_framework

    path = tiny_copy / "framework.yaml"
    text = path.read_text(encoding="utf-8")
    extra = "  - {id: edu-l2-2, level: 2, domain: family, text: Child is often late for school, source: {lines: [7]}}\n"
    path.write_text(text.replace("indicators:\n", "indicators:\n" + extra, 1), encoding="utf-8")
    loaded = load_framework(path)
    result = assess(loaded, {"indicators": ["edu-l2-1", "edu-l2-2"]})
    assert result["recommended_level"]["number"] == 2
    assert result["prompts"] == [
        {"rule": "l2-combination", "consider": 3, "prompt": "Several Level 2 needs together may be Level 3."}
    ]


def test_what_to_do_now_comes_from_the_level(tiny):
    result = assess(tiny, {"indicators": ["edu-l3-1"]})
    assert [c["id"] for c in result["contacts"]] == ["front-door"]
    assert result["contacts"][0]["out_of_hours"]["phone"] == "0300 000 0001"
    assert result["timescales"][0]["within"] == {"value": 1.0, "unit": "working-days"}
    top = assess(tiny, {"indicators": ["harm-l3-1"], "facts": {"non_mobile": True}})
    assert top["consent"]["rule"] == "not-required" and top["consent"]["parents_told_first"] is False
    assert "increased risk" in top["consent"]["exceptions"][0]["text"]


def test_output_carries_framework_version_and_hash(tiny):
    result = assess(tiny, {})
    assert result["framework"] == {
        "id": "tiny",
        "name": tiny.framework.name,
        "version": "1.0.0",
        "hash": tiny.content_hash,
    }


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"indicators": ["nope"]}, "unknown indicator id(s) for framework 'tiny': nope"),
        ({"indicators": "edu-l2-1"}, "'indicators' must be a list"),
        ({"facts": {"flying": True}}, "unknown fact(s): flying"),
        ({"facts": {"unborn": "yes"}}, "'facts' must map fact names to true or false"),
        ({"age_years": -1}, "'age_years' must be a number from 0 to 25"),
        ({"age_years": True}, "'age_years' must be a number from 0 to 25"),
    ],
)
def test_bad_input_is_refused_clearly(tiny, request_, message):
    with pytest.raises(AssessmentInputError) as caught:
        assess(tiny, request_)
    assert message in str(caught.value)


def test_age_conditions(tiny_copy):
    from continuum.frameworks import load_framework

    path = tiny_copy / "framework.yaml"
    text = path.read_text(encoding="utf-8").replace("{fact: non_mobile}", "{age_under: 1}")
    path.write_text(text, encoding="utf-8")
    loaded = load_framework(path)
    assert assess(loaded, {"indicators": ["harm-l3-1"], "age_years": 0.5})["recommended_level"]["number"] == 4
    assert assess(loaded, {"indicators": ["harm-l3-1"], "age_years": 3})["recommended_level"]["number"] == 3
    assert assess(loaded, {"indicators": ["harm-l3-1"]})["recommended_level"]["number"] == 3


def _edited(directory, old: str, new: str):
    from continuum.frameworks import load_framework

    path = directory / "framework.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_framework(path)


def test_a_rule_naming_a_consent_exception_says_parents_are_not_told_first(tiny_copy):
    loaded = _edited(
        tiny_copy,
        "then: {raise_to: 4, prompt: Refer now; this is a child protection concern.}",
        "then: {raise_to: 4, consent_exception: true, prompt: Refer now; this is a child protection concern.}",
    )
    plain = assess(loaded, {"indicators": ["edu-l3-1"]})
    assert plain["consent"] is None or plain["consent"].get("exception_applies") is None
    result = assess(loaded, {"indicators": ["harm-l3-1"], "facts": {"non_mobile": True}})
    assert result["recommended_level"]["number"] == 4
    assert result["consent"]["parents_told_first"] is False and result["consent"]["exception_applies"] is True
    assert [r["rule"] for r in result["consent"]["exception_rules"]] == ["non-mobile-bruising"]
    assert result["consent"]["rule"] == "not-required"  # the level's own rule is kept beside the exception


def test_a_sign_printed_in_a_specific_row_counts_at_that_level_only_in_its_context(tiny_copy):
    loaded = _edited(
        tiny_copy,
        "{id: harm-l3-1, level: 3, domain: harm, text: Bruising to a baby who is not mobile, source: {lines: [9]}}",
        "{id: harm-l3-1, level: 3, domain: harm, text: Bruising to a baby who is not mobile, source: {lines: [9]}, "
        "context: {when: {fact: unborn}, otherwise: 2, prompt: Is this about an unborn baby?}}",
    )
    alone = assess(loaded, {"indicators": ["harm-l3-1"]})
    assert alone["recommended_level"]["number"] == 2
    assert alone["drivers"][0]["counts_at"] == 2 and alone["drivers"][0]["level"] == 3
    assert alone["prompts"][-1] == {"rule": "harm-l3-1", "consider": 3, "prompt": "Is this about an unborn baby?"}
    in_context = assess(loaded, {"indicators": ["harm-l3-1"], "facts": {"unborn": True}})
    assert in_context["recommended_level"]["number"] == 3 and "counts_at" not in in_context["drivers"][0]


def test_a_context_may_only_lower(tiny_copy):
    from continuum.frameworks import FrameworkError

    with pytest.raises(FrameworkError, match="below the indicator's own level"):
        _edited(
            tiny_copy,
            "{id: harm-l3-1, level: 3, domain: harm, text: Bruising to a baby who is not mobile, source: {lines: [9]}}",
            "{id: harm-l3-1, level: 3, domain: harm, text: Bruising to a baby who is not mobile, source: {lines: [9]}, "
            "context: {when: {fact: unborn}, otherwise: 4, prompt: Unborn?}}",
        )
