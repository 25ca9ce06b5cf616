"""Words that set no level say so ("not enough … tell us more about …") instead of a guess,
and a higher level needs clearer words when ``level_raise`` asks for it (issue 18, item 6)."""

from __future__ import annotations

from continuum.assess_text import assess_text
from continuum.frameworks import LoadedFramework
from continuum.matching import DEFAULT_TUNING, NOT_ENOUGH, match, read_selection

UNRELATED = "We talked about the weather and the football at the weekend."
CONCERN = "He has been sofa surfing at his mates' houses since Christmas."


def test_words_that_select_nothing_are_not_enough_and_name_domains_to_ask_about(sample: LoadedFramework) -> None:
    reading = read_selection(sample, UNRELATED, mode="lexical")
    assert reading.selected == []
    short = reading.not_enough
    assert short is not None
    assert short["message"].startswith(NOT_ENOUGH + " — tell us more about: ")
    names = {d.id: d.name for d in sample.framework.domains}
    assert short["ask_about"], "it must say what to tell us more about"
    for ask in short["ask_about"]:
        assert names[ask["domain"]] == ask["name"]
        assert ask["name"] in short["message"]
    assert len(short["ask_about"]) <= DEFAULT_TUNING.ask_about


def test_a_stated_concern_sets_a_level(sample: LoadedFramework) -> None:
    reading = read_selection(sample, CONCERN, mode="lexical")
    assert [m["indicator"] for m in reading.selected] == ["home-l3-1"]
    assert reading.not_enough is None
    assert match(sample, CONCERN, mode="lexical")["not_enough"] is None


def test_match_says_not_enough_as_the_selection_does(sample: LoadedFramework) -> None:
    found = match(sample, UNRELATED, mode="lexical")
    assert found["not_enough"] == read_selection(sample, UNRELATED, mode="lexical").not_enough


def test_the_asked_domains_are_those_of_the_closest_concerns(sample: LoadedFramework) -> None:
    # A passing mention of school: too weak to select at a high threshold, but school is what to ask about.
    tuning = DEFAULT_TUNING.with_(threshold_lexical=5.0, select_fallback=0.0)
    short = read_selection(sample, "Something about school and attendance.", mode="lexical", tuning=tuning).not_enough
    assert short is not None
    assert short["ask_about"][0]["domain"] == "edu"


def test_switched_off_it_guesses_as_before(sample: LoadedFramework) -> None:
    tuning = DEFAULT_TUNING.with_(say_not_enough=False)
    assert read_selection(sample, UNRELATED, mode="lexical", tuning=tuning).not_enough is None


def test_assess_text_reports_not_enough_and_an_explicit_selection_silences_it(sample: LoadedFramework) -> None:
    result = assess_text(sample, UNRELATED, mode="lexical")
    assert result["text"]["not_enough"] is not None
    assert result["drivers"] == []
    given = assess_text(sample, UNRELATED, selection={"indicators": ["edu-l2-1"]}, mode="lexical")
    assert given["text"]["not_enough"] is None
    assert given["recommended_level"]["number"] == 2


def test_a_higher_level_needs_clearer_words(sample: LoadedFramework) -> None:
    text = "There is a bruise on the baby, who is not mobile yet."
    plain = read_selection(sample, text, mode="lexical")
    assert "harm-l4-1" in {m["indicator"] for m in plain.selected}
    best = max(m["score"] for m in plain.selected if m["indicator"] == "harm-l4-1")
    # a raise larger than the match's margin over the threshold leaves the top-level concern out
    raised = DEFAULT_TUNING.with_(level_raise=best - DEFAULT_TUNING.threshold_lexical + 0.05, select_fallback=0.0)
    reading = read_selection(sample, text, mode="lexical", tuning=raised)
    assert "harm-l4-1" not in {m["indicator"] for m in reading.selected}
