"""The order of the question pages: one function of the framework and the answers."""

from __future__ import annotations

import pytest

from continuum.apps.checks import journey
from continuum.apps.checks.journey import Answers


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


def test_strengths_page_is_skipped_when_the_framework_has_none(tiny, monkeypatch):
    monkeypatch.setattr(journey, "has_strengths", lambda loaded: False)
    answers = Answers(framework="tiny")
    assert journey.next_step(journey.INDICATORS, tiny, answers) == journey.CHILD
    assert journey.previous_step(journey.CHILD, tiny, answers) == journey.INDICATORS


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


def test_choosing_another_partnership_starts_again():
    answers = Answers(framework="one", text="words", indicators=["x"], facts=["unborn"])
    answers.choose_framework("one")
    assert answers.indicators == ["x"]
    answers.choose_framework("two")
    assert answers == Answers(framework="two")


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
