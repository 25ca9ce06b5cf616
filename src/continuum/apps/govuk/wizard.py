"""A question asked over several pages: the answers kept in the session, and the order of the pages.

An app's answers are a dataclass subclassing :class:`SessionAnswers` with its own
``SESSION_KEY``; its page order is a :class:`Steps` with the app's own rule for which pages
apply. :class:`continuum.apps.govuk.views.QuestionPage` puts the two together for each page.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar, Self


@dataclass
class SessionAnswers:
    """Answers so far, kept in the session under ``SESSION_KEY`` (a plain dict of JSON values)."""

    SESSION_KEY: ClassVar[str]

    @classmethod
    def from_session(cls, session: MutableMapping[str, Any]) -> Self:
        """The answers in ``session``; fresh ones if there are none or they no longer fit the class."""
        data = session.get(cls.SESSION_KEY) or {}
        known = {f.name for f in fields(cls)}
        try:
            return cls(**{k: v for k, v in data.items() if k in known})
        except TypeError:
            return cls()

    def save(self, session: MutableMapping[str, Any]) -> None:
        session[self.SESSION_KEY] = asdict(self)

    @classmethod
    def clear(cls, session: MutableMapping[str, Any]) -> None:
        session.pop(cls.SESSION_KEY, None)


@dataclass(frozen=True)
class Steps:
    """The pages of a question in order; the last is where it is checked (check your answers)."""

    order: tuple[str, ...]

    @property
    def last(self) -> str:
        return self.order[-1]

    def next(self, current: str, applies: Callable[[str], bool]) -> str:
        """The first page after ``current`` that applies (the last page if none does)."""
        index = self.order.index(current)
        return next((step for step in self.order[index + 1 :] if applies(step)), self.last)

    def previous(self, current: str, applies: Callable[[str], bool]) -> str | None:
        """The page before ``current`` that applies (for the back link); ``None`` on the first page."""
        index = self.order.index(current)
        return next((step for step in reversed(self.order[:index]) if applies(step)), None)
