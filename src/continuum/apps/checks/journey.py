"""The check in progress: its answers (kept in the session) and which page comes next.

The order of the pages is one function of the framework and the answers,
:func:`next_step`, tested on its own; views never decide it with ad hoc branches.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from dataclasses import asdict, dataclass, field
from typing import Any

from continuum.frameworks import LoadedFramework

SESSION_KEY = "continuum.check"

PARTNERSHIP = "partnership"
CONCERN = "concern"
SUGGESTIONS = "suggestions"
INDICATORS = "indicators"
STRENGTHS = "strengths"
CHILD = "child"
ANSWERS = "answers"

STEPS: tuple[str, ...] = (PARTNERSHIP, CONCERN, SUGGESTIONS, INDICATORS, STRENGTHS, CHILD, ANSWERS)


@dataclass
class Answers:
    """What the practitioner has told us so far in this check."""

    framework: str | None = None
    text: str = ""
    matches: list[dict[str, Any]] = field(default_factory=list)
    matching_mode: str | None = None
    matching_unavailable: bool = False
    suggested: list[str] = field(default_factory=list)  # indicators matching offered
    rejected: list[str] = field(default_factory=list)  # offered and not confirmed on the suggestions page
    indicators: list[str] = field(default_factory=list)  # concerns selected
    protective: list[str] = field(default_factory=list)  # strengths selected
    facts: list[str] = field(default_factory=list)
    age_years: int | None = None
    age_months: int | None = None
    child_answered: bool = False

    @classmethod
    def from_session(cls, session: MutableMapping[str, Any]) -> Answers:
        data = session.get(SESSION_KEY) or {}
        known = {f for f in cls.__dataclass_fields__}
        try:
            return cls(**{k: v for k, v in data.items() if k in known})
        except TypeError:
            return cls()

    def save(self, session: MutableMapping[str, Any]) -> None:
        session[SESSION_KEY] = asdict(self)

    @staticmethod
    def clear(session: MutableMapping[str, Any]) -> None:
        session.pop(SESSION_KEY, None)

    def not_selected(self) -> list[str]:
        """Suggestions the practitioner did not select anywhere in the check (the rejected ones)."""
        chosen = set(self.indicators) | set(self.protective)
        return [i for i in self.suggested if i not in chosen]

    def age(self) -> float | None:
        """The child's age in years, from whole years and months."""
        if self.age_years is None and self.age_months is None:
            return None
        return round((self.age_years or 0) + (self.age_months or 0) / 12, 3)

    def engine_input(self) -> dict[str, Any]:
        """The selection as :func:`continuum.engine.assess` takes it."""
        return {
            "indicators": list(self.indicators),
            "protective": list(self.protective),
            "facts": {name: True for name in self.facts},
            "age_years": self.age(),
        }

    def stored_input(self) -> dict[str, Any]:
        """Everything worth keeping with the check: the engine's input and how it was reached."""
        return self.engine_input() | {
            "text": self.text,
            "suggested": list(self.suggested),
            "rejected": self.not_selected(),
            "matching_mode": self.matching_mode,
            "age": {"years": self.age_years, "months": self.age_months},
        }

    def choose_framework(self, framework_id: str) -> None:
        """Choosing another partnership starts the check again: indicators belong to one framework."""
        if framework_id != self.framework:
            fresh = Answers(framework=framework_id)
            self.__dict__.update(fresh.__dict__)

    def keep_known(self, loaded: LoadedFramework) -> list[str]:
        """Forget indicator ids the framework no longer has; returns those forgotten."""
        known = {i.id for i in loaded.framework.indicators}
        gone = [i for i in (*self.indicators, *self.protective) if i not in known]
        self.indicators = [i for i in self.indicators if i in known]
        self.protective = [i for i in self.protective if i in known]
        return gone

    def set_selected(self, chosen: Iterable[str], shown: Iterable[str], *, protective: bool) -> None:
        """Make the selection among ``shown`` equal to ``chosen``; leave the rest of the selection alone."""
        current = self.protective if protective else self.indicators
        shown_set = set(shown)
        chosen_set = set(chosen) & shown_set
        updated = [i for i in current if i not in shown_set or i in chosen_set]
        updated += [i for i in dict.fromkeys(chosen) if i in chosen_set and i not in updated]
        if protective:
            self.protective = updated
        else:
            self.indicators = updated


def has_strengths(loaded: LoadedFramework) -> bool:
    return any(i.protective for i in loaded.framework.indicators)


def applies(step: str, loaded: LoadedFramework | None, answers: Answers) -> bool:
    """Whether a page is part of this check."""
    if step == SUGGESTIONS:
        return bool(answers.text.strip()) and not answers.matching_unavailable
    if step == STRENGTHS:
        return loaded is not None and has_strengths(loaded)
    return True


def next_step(current: str, loaded: LoadedFramework | None, answers: Answers, *, changing: bool = False) -> str:
    """The page after ``current``. When changing an answer from the check-your-answers page,
    go back there, except that new words must be matched and their suggestions confirmed first."""
    if changing:
        if current == CONCERN and applies(SUGGESTIONS, loaded, answers):
            return SUGGESTIONS
        return ANSWERS
    index = STEPS.index(current)
    for step in STEPS[index + 1 :]:
        if applies(step, loaded, answers):
            return step
    return ANSWERS


def previous_step(current: str, loaded: LoadedFramework | None, answers: Answers) -> str | None:
    """The page before ``current`` (for the back link); None on the first page."""
    index = STEPS.index(current)
    for step in reversed(STEPS[:index]):
        if applies(step, loaded, answers):
            return step
    return None


def missing_before(step: str, answers: Answers) -> str | None:
    """The page to go to instead, when ``step`` is reached without the answers it needs."""
    if step != PARTNERSHIP and not answers.framework:
        return PARTNERSHIP
    return None
