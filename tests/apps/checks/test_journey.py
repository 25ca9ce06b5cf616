"""The order of the question pages: one function of the framework and the answers."""

from __future__ import annotations

import pytest

from continuum.apps.checks import journey
from continuum.apps.checks.journey import Answers

from .conftest import NEW_VERSION, WITHOUT_STRENGTHS


def test_without_words_the_suggestions_page_is_skipped(tiny):
    answers = Answers(framework="tiny")
    assert journey.next_step(journey.CONCERN, tiny, answers) == journey.INDICATORS


def test_words_lead_to_suggestions(tiny):
    answers = Answers(framework="tiny", text="late for school")
    assert journey.next_step(journey.CONCERN, tiny, answers) == journey.SUGGESTIONS


def test_when_matching_is_unavailable_words_go_straight_to_the_list(tiny):
    answers = Answers(framework="tiny", text="late for school", matching_unavailable=True)
    assert journey.next_step(journey.CONCERN, tiny, answers) == journey.INDICATORS


def test_the_full_order_with_strengths(tiny):
    answers = Answers(framework="tiny", text="late")
    order = [journey.PARTNERSHIP]
    while order[-1] != journey.ANSWERS:
        order.append(journey.next_step(order[-1], tiny, answers))
    assert order == ["partnership", "concern", "suggestions", "indicators", "strengths", "child", "answers"]


def test_strengths_page_is_skipped_when_the_framework_has_none(edited_tiny):
    without = edited_tiny(WITHOUT_STRENGTHS)
    answers = Answers(framework="tiny")
    assert journey.next_step(journey.INDICATORS, without, answers) == journey.CHILD
    assert journey.previous_step(journey.CHILD, without, answers) == journey.INDICATORS


@pytest.mark.parametrize("step", [journey.INDICATORS, journey.STRENGTHS, journey.CHILD, journey.SUGGESTIONS])
def test_changing_an_answer_returns_to_check_your_answers(tiny, step):
    answers = Answers(framework="tiny", text="late")
    assert journey.next_step(step, tiny, answers, changing=True) == journey.ANSWERS


def test_changed_words_are_matched_before_returning(tiny):
    answers = Answers(framework="tiny", text="late")
    assert journey.next_step(journey.CONCERN, tiny, answers, changing=True) == journey.SUGGESTIONS


def test_every_page_but_the_first_needs_a_partnership():
    assert journey.missing_before(journey.CHILD, Answers()) == journey.PARTNERSHIP
    assert journey.missing_before(journey.PARTNERSHIP, Answers()) is None
    assert journey.missing_before(journey.CHILD, Answers(framework="tiny")) is None


def test_back_from_the_first_question_is_the_start_page(tiny):
    assert journey.previous_step(journey.PARTNERSHIP, tiny, Answers()) is None


def test_selection_changes_only_what_was_shown():
    answers = Answers(indicators=["a", "b", "c"])
    answers.set_selected(["b", "d"], shown=["b", "c", "d"], protective=False)
    assert answers.indicators == ["a", "b", "d"]


def test_choosing_another_partnership_starts_again(tiny, registry):
    other = registry.get(registry.ids()[0])
    answers = Answers(framework="tiny", text="words", indicators=["edu-l2-1"], facts=["unborn"])
    answers.choose_framework(tiny)
    assert answers.indicators == ["edu-l2-1"]
    answers.choose_framework(other)
    assert answers == Answers(
        framework=other.framework.id, framework_version=other.framework.version, framework_hash=other.content_hash
    )


def test_a_check_records_the_framework_version_and_hash_it_started_under(tiny, edited_tiny):
    answers = Answers()
    answers.choose_framework(tiny)
    assert (answers.framework_version, answers.framework_hash) == ("1.0.0", tiny.content_hash)
    assert not answers.framework_changed(tiny)
    newer = edited_tiny(NEW_VERSION)
    answers.choose_framework(newer)  # the same partnership again: still the version it started under
    assert answers.framework_hash == tiny.content_hash
    assert answers.framework_changed(newer)


def test_indicators_a_new_version_drops_are_forgotten_and_named_by_their_words(tiny, edited_tiny):
    answers = Answers()
    answers.choose_framework(tiny)
    answers.indicators, answers.protective = ["edu-l2-1", "harm-l3-1"], ["family-p-1"]
    answers.remember_texts(tiny)
    without = edited_tiny(WITHOUT_STRENGTHS)
    assert answers.keep_known(without) == ["Parent with supportive grandparents"]
    assert (answers.indicators, answers.protective) == (["edu-l2-1", "harm-l3-1"], [])


def test_age_in_years_and_months():
    assert Answers(age_years=1, age_months=6).age() == 1.5
    assert Answers().age() is None
    assert Answers(age_months=3).age() == 0.25


def test_answers_survive_a_round_trip_through_the_session():
    session: dict = {}
    Answers(framework="tiny", indicators=["edu-l2-1"], facts=["disabled"]).save(session)
    assert Answers.from_session(session).indicators == ["edu-l2-1"]
    session[journey.SESSION_KEY] = {"framework": "tiny", "unknown": 1}
    assert Answers.from_session(session).framework == "tiny"


def test_a_suggestion_selected_later_is_not_counted_as_rejected():
    answers = Answers(suggested=["a", "b", "p"], indicators=["a"], protective=[])
    assert answers.not_selected() == ["b", "p"]
    answers.protective = ["p"]
    assert answers.not_selected() == ["b"]
    assert answers.stored_input()["rejected"] == ["b"]
