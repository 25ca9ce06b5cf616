"""The session wizard: answers kept in the session, and the next and previous page among those that apply."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from continuum.apps.govuk.wizard import SessionAnswers, Steps


@dataclass
class Pets(SessionAnswers):
    SESSION_KEY: ClassVar[str] = "test.pets"

    name: str = ""
    kinds: list[str] = field(default_factory=list)


STEPS = Steps(("name", "kinds", "vet", "check"))


def test_answers_round_trip_through_the_session_and_are_cleared():
    session: dict = {}
    Pets(name="Rex", kinds=["dog"]).save(session)
    assert Pets.from_session(session) == Pets(name="Rex", kinds=["dog"])
    Pets.clear(session)
    assert Pets.from_session(session) == Pets()


def test_answers_that_no_longer_fit_start_again():
    session = {"test.pets": {"name": "Rex", "gone": 1}}
    assert Pets.from_session(session) == Pets(name="Rex")  # unknown keys ignored
    session = {"test.pets": {"name": "Rex", "kinds": None, "extra": 2}}
    assert Pets.from_session(session).name == "Rex"


def test_next_and_previous_skip_the_pages_that_do_not_apply():
    def applies(step: str) -> bool:
        return step != "vet"

    assert STEPS.next("kinds", applies) == "check"
    assert STEPS.previous("check", applies) == "kinds"
    assert STEPS.previous("name", applies) is None
    assert STEPS.next("check", applies) == "check"  # the last page is where it ends
