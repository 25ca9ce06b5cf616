"""Key facts read from free text: an age, a baby not yet mobile, an unborn child."""

from __future__ import annotations

import pytest

from continuum.matching.facts import read_facts
from tests.conftest import FRAMEWORK_IDS


@pytest.mark.parametrize(
    ("text", "age", "facts"),
    [
        ("Four-month-old has a bruise on her cheek", 0.33, {"non_mobile": True}),
        ("baby of 4 months has a bruise on her cheek", 0.33, {"non_mobile": True}),
        ("New mum with a six-week-old, feeding well", 0.12, {"non_mobile": True}),
        ("Six-month-old, not crawling yet", 0.5, {"non_mobile": True}),  # the words, not the age
        ("A 9 month old with nappy rash", 0.75, {}),
        ("the 15yo says her 24-year-old boyfriend buys her phones", 15.0, {}),  # adults are not the child
        ("she's 15 and her boyfriend is 24", None, {}),  # no age in so many words
        ("aged 9, in Year 5", 9.0, {}),
        ("Year 9 lad sofa surfing", None, {}),  # a school year is not an age
        ("A 12-year-old has told the school nurse she is pregnant.", 12.0, {}),  # her pregnancy, not an unborn child
        ("Mum is 28 weeks pregnant and still using", None, {"unborn": True}),  # weeks pregnant is not an age
        ("Woman booked in at 20 weeks; her last baby was taken eight months ago", None, {"unborn": True}),
        ("He is doing well at school", None, {}),
    ],
)
def test_facts_read_from_words(text, age, facts):
    read = read_facts(text)
    assert read.facts == facts
    assert read.age_years == (None if age is None else pytest.approx(age, abs=0.01))
    for name in [*facts, *(["age_years"] if age is not None else [])]:
        assert read.evidence[name].lower() in text.lower()


def test_several_ages_are_not_guessed_between():
    read = read_facts("the 8 yr old gets his 3-year-old sister up and ready for school")
    assert read.age_years is None and read.facts == {}
    assert "8 yr old" in read.note and "3-year-old" in read.note


@pytest.mark.parametrize("framework_id", FRAMEWORK_IDS)
def test_the_frameworks_vignettes_agree_with_what_is_read(registry, framework_id):
    """Every age read from a vignette's text is the vignette's; unborn is never read wrongly;
    a baby read as not yet mobile is one (by the vignette's facts or its age)."""
    for v in registry.get(framework_id).framework.vignettes:
        if not v.text:
            continue
        read = read_facts(v.text)
        facts = {str(getattr(k, "value", k)): value for k, value in (v.facts or {}).items()}
        if read.age_years is not None:
            assert v.age_years is not None, v.id
            assert read.age_years == pytest.approx(v.age_years, abs=0.1 if v.age_years < 1 else 0.01), v.id
        if read.facts.get("unborn"):
            assert facts.get("unborn"), v.id
        if read.facts.get("non_mobile"):
            assert facts.get("non_mobile") or (v.age_years is not None and v.age_years < 0.5), v.id


def test_most_vignette_ages_and_facts_are_read(registry):
    """The share found in the five frameworks' vignettes (60 of 91 ages, 5 of 6 non-mobile
    babies, 5 of 5 unborn children when written): a floor, so losing cues fails."""
    ages = found_ages = 0
    wanted = {"non_mobile": 0, "unborn": 0}
    found = {"non_mobile": 0, "unborn": 0}
    for framework_id in FRAMEWORK_IDS:
        for v in registry.get(framework_id).framework.vignettes:
            if not v.text:
                continue
            read = read_facts(v.text)
            ages += v.age_years is not None
            found_ages += v.age_years is not None and read.age_years is not None
            facts = {str(getattr(k, "value", k)): value for k, value in (v.facts or {}).items()}
            for name in wanted:
                wanted[name] += bool(facts.get(name))
                found[name] += bool(facts.get(name) and read.facts.get(name))
    assert found_ages / ages >= 0.6
    assert found["non_mobile"] / wanted["non_mobile"] >= 0.8
    assert found["unborn"] == wanted["unborn"]
