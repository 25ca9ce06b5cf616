"""The framework's front-door clocks as a referral needs them at receipt, and the consent rule at a level.

A clock is a timescale id in ``front_door.clocks``; only a timescale of kind ``deadline``
with an amount starts one. Where there is none the product says "the document does not
say" and stores no deadline. (The front door keeps its own copy of this reading for
grades and RAG; referrals may not import it.)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from continuum.calendar import Calendar, CalendarError, Within

log = logging.getLogger(__name__)

NO_CLOCK = "the document does not say"


@dataclass(frozen=True)
class Clock:
    """A clock the framework states: its timescale id, amount, the document's words, national or not."""

    timescale: str
    within: Within
    text: str
    national: bool

    @property
    def words(self) -> str:
        """The amount in words, e.g. "1 working day", marked when it is national guidance."""
        return f"{self.within}" + (" (national guidance)" if self.national else "")


def find_timescale(framework: Any, timescale_id: str | None) -> Any | None:
    if not timescale_id:
        return None
    for timescale in framework.timescales:
        if timescale.id == timescale_id:
            return timescale
    for level in framework.levels:
        for timescale in level.timescales:
            if timescale.id == timescale_id:
                return timescale
    return None


def clock(framework: Any, name: str) -> Clock | None:
    """The front door's clock ``name`` (``decision``, ``acknowledgement``, ``written_follow_up``), or ``None``."""
    front_door = framework.front_door
    if front_door is None:
        return None
    timescale = find_timescale(framework, getattr(front_door.clocks, name))
    if timescale is None or timescale.kind != "deadline" or timescale.within is None:
        return None
    return Clock(timescale.id, Within.of(timescale.within), timescale.text, bool(timescale.is_national))


_calendars: dict[str, Calendar] = {}


def calendar_for(loaded: Any) -> Calendar:
    """The calendar (office hours + bank holidays) of a loaded framework, one per content hash."""
    found = _calendars.get(loaded.content_hash)
    if found is None:
        found = _calendars[loaded.content_hash] = Calendar.for_framework(loaded.framework)
    return found


def due(loaded: Any, name: str, start: datetime) -> tuple[datetime | None, str]:
    """When clock ``name`` started at ``start`` is due, and a note when it cannot be computed.

    ``(None, "the document does not say")`` where the framework has no such clock;
    ``(None, why)`` where the calendar refuses (a date past the bundled bank holidays).
    """
    found = clock(loaded.framework, name)
    if found is None:
        return None, NO_CLOCK
    try:
        return calendar_for(loaded).due(start, found.within), ""
    except CalendarError as error:
        log.warning("no %s deadline for a referral to %s: %s", name, loaded.framework.id, error)
        return None, str(error)


def referral_levels(framework: Any) -> list[int]:
    """The levels at which a practitioner refers to the front door.

    The framework's ``front_door.referral_levels``; where that list is empty, the levels whose
    own actions or consent text speak of a referral (the data, never a fixed number); where
    none do, an empty list: the document does not say.
    """
    front_door = framework.front_door
    if front_door is not None and front_door.referral_levels:
        return sorted(front_door.referral_levels)
    found = []
    for level in framework.levels:
        words = " ".join([*level.actions, level.consent.summary if level.consent else ""]).lower()
        if "refer" in words:
            found.append(level.number)
    return sorted(found)


def lowest_referral_level(framework: Any) -> int | None:
    levels = referral_levels(framework)
    return levels[0] if levels else None


def level_consent(framework: Any, number: int | None) -> Any | None:
    """The framework's consent rule at level ``number`` (``None``: the document does not say)."""
    for level in framework.levels:
        if level.number == number:
            return level.consent
    return None
