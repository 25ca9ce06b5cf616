"""The check in progress: its answers (kept in the session) and which page comes next.

The order of the pages is one function of the framework and the answers,
:func:`next_step`, tested on its own; views never decide it with ad hoc branches.
The session and page-order machinery is :mod:`continuum.apps.govuk.wizard`'s.

A check in progress records the framework version and content hash it started under. If the
framework has changed when the answers are checked, the answers are read under the current
version (indicators it no longer has are dropped and listed) and the answers page says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from continuum.apps.govuk.wizard import SessionAnswers, Steps
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
PAGES = Steps(STEPS)


@dataclass
class Answers(SessionAnswers):
    """What the practitioner has told us so far in this check."""

    SESSION_KEY: ClassVar[str] = SESSION_KEY

    framework: str | None = None
    framework_version: str | None = None  # the version and content hash the check started under
    framework_hash: str | None = None
    text: str = ""
    matches: list[dict[str, Any]] = field(default_factory=list)
    matching_mode: str | None = None
    matching_note: str | None = None  # why matching ran as it did (e.g. by words only while it is prepared)
    matching_unavailable: bool = False
    suggested: list[str] = field(default_factory=list)  # indicators matching offered
    rejected: list[str] = field(default_factory=list)  # offered and not confirmed on the suggestions page
    indicators: list[str] = field(default_factory=list)  # concerns selected
    protective: list[str] = field(default_factory=list)  # strengths selected
    facts: list[str] = field(default_factory=list)
    age_years: int | None = None
    age_months: int | None = None
    child_answered: bool = False
    texts: dict[str, str] = field(default_factory=dict)  # the words of each selected indicator when chosen
    submission: str = ""  # the answers page's token: one stored check per set of answers

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

    def choose_framework(self, loaded: LoadedFramework) -> None:
        """Choosing another partnership starts the check again: indicators belong to one framework.

        The check records the version and content hash of the framework it starts under."""
        if loaded.framework.id != self.framework:
            fresh = Answers(framework=loaded.framework.id)
            self.__dict__.update(fresh.__dict__)
        if self.framework_hash is None:
            self.framework_version, self.framework_hash = loaded.framework.version, loaded.content_hash

    def remember_texts(self, loaded: LoadedFramework) -> None:
        """Keep the words of each selected indicator, to name it if a new version drops it."""
        by_id = {i.id: i.text for i in loaded.framework.indicators}
        self.texts = {i: by_id.get(i) or self.texts.get(i, i) for i in (*self.indicators, *self.protective)}

    def framework_changed(self, loaded: LoadedFramework) -> bool:
        """Whether the framework is not the one the check started under (a check begun before
        versions were recorded counts as changed only if an indicator has gone)."""
        return self.framework_hash is not None and self.framework_hash != loaded.content_hash

    def keep_known(self, loaded: LoadedFramework) -> list[str]:
        """Forget indicator ids the framework no longer has; returns the words of those forgotten."""
        known = {i.id for i in loaded.framework.indicators}
        gone = [i for i in (*self.indicators, *self.protective) if i not in known]
        self.indicators = [i for i in self.indicators if i in known]
        self.protective = [i for i in self.protective if i in known]
        return [self.texts.get(i, i) for i in gone]

    def reread(self, loaded: LoadedFramework) -> None:
        """Read the answers under ``loaded`` from now on (after telling the practitioner what changed)."""
        self.keep_known(loaded)
        self.framework_version, self.framework_hash = loaded.framework.version, loaded.content_hash
        self.remember_texts(loaded)

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
    return PAGES.next(current, lambda step: applies(step, loaded, answers))


def previous_step(current: str, loaded: LoadedFramework | None, answers: Answers) -> str | None:
    """The page before ``current`` (for the back link); None on the first page."""
    return PAGES.previous(current, lambda step: applies(step, loaded, answers))


def missing_before(step: str, answers: Answers) -> str | None:
    """The page to go to instead, when ``step`` is reached without the answers it needs."""
    if step != PARTNERSHIP and not answers.framework:
        return PARTNERSHIP
    return None
