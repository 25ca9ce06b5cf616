"""The front door's clocks, read from the framework, and RAG read from stored deadlines.

A clock is a timescale id in ``front_door.clocks`` (or a grade's ``decision``); only a
timescale of kind ``deadline`` with an amount starts one. Where there is none, the product
says "the document does not say" and stores no deadline.

RAG (ADR 0012), for a deadline stored with the moment its clock started:

* **red** — the deadline has passed;
* **amber** — less than the partnership's amber share (``FrontDoorSettings.amber_share``,
  Continuum's default a quarter) of the clock is left, measured in working time: the amber
  point is the moment when that share of the clock's *working minutes* remains. A clock with
  no working minutes in it (an elapsed-time clock set entirely out of hours) uses elapsed time;
* **green** — otherwise;
* **none** — no deadline: the document does not say.

The amber point is computed once with the deadline and stored beside it (``amber_at``), so
the queue filters and sorts on indexed columns and computes nothing per row but the time
left shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from continuum.calendar import Calendar, CalendarError, Within

NO_CLOCK = "the document does not say"
# Continuum's default share of a clock left below which a contact shows amber (ADR 0012).
DEFAULT_AMBER_SHARE = 0.25
# Continuum's default re-referral window where the document gives none: the Children in
# Need census counts a referral within 12 months of a previous one as a re-referral.
DEFAULT_RE_REFERRAL_MONTHS = 12


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    NONE = "none"


RAG_LABELS = {Rag.RED: "Overdue", Rag.AMBER: "Due soon", Rag.GREEN: "On time", Rag.NONE: "No deadline"}


@dataclass(frozen=True)
class Clock:
    """A clock the framework states: its timescale id, amount, words, and whether it is national guidance."""

    timescale: str
    within: Within
    text: str
    national: bool


def find_timescale(framework: Any, timescale_id: str | None) -> Any | None:
    """The timescale ``timescale_id`` of the framework, framework-wide or a level's; ``None`` if absent."""
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


def _clock_of(timescale: Any | None) -> Clock | None:
    if timescale is None or timescale.kind != "deadline" or timescale.within is None:
        return None
    return Clock(timescale.id, Within.of(timescale.within), timescale.text, timescale.is_national)


def clock(framework: Any, name: str) -> Clock | None:
    """The front door's clock ``name`` (``decision``, ``feedback``, ``agency_checks`` ...), or ``None``."""
    front_door = framework.front_door
    if front_door is None:
        return None
    return _clock_of(find_timescale(framework, getattr(front_door.clocks, name)))


def grade_clock(framework: Any, grade_id: str) -> Clock | None:
    """The decision clock a grade starts, or ``None`` where the grade names none."""
    grade = find_grade(framework, grade_id)
    return _clock_of(find_timescale(framework, grade.decision)) if grade is not None else None


def find_grade(framework: Any, grade_id: str) -> Any | None:
    front_door = framework.front_door
    for grade in front_door.grades if front_door else []:
        if grade.id == grade_id:
            return grade
    return None


def look_back(framework: Any) -> tuple[Within, bool]:
    """The re-referral window, and whether it is the document's (``True``) or Continuum's default (12 months)."""
    front_door = framework.front_door
    timescale = find_timescale(framework, front_door.clocks.re_referral_window) if front_door else None
    if timescale is not None and timescale.within is not None:
        return Within.of(timescale.within), True
    return Within(DEFAULT_RE_REFERRAL_MONTHS, "months"), False


_CALENDARS: dict[tuple[str, str], Calendar] = {}


def calendar_for(framework_id: str, framework: Any) -> Calendar:
    """One calendar per framework version (office hours + bank holidays); kept for the process."""
    key = (framework.id, framework.version)
    found = _CALENDARS.get(key)
    if found is None:
        found = _CALENDARS[key] = Calendar.for_framework(framework)
    return found


def forget_calendars() -> None:
    """Forget the calendars made (tests point the service at other frameworks)."""
    _CALENDARS.clear()


def amber_point(calendar: Calendar, start: datetime, due: datetime, share: float) -> datetime:
    """The moment when ``share`` of the clock from ``start`` to ``due`` is left, in working time."""
    if due <= start:
        return due
    total = calendar.working_minutes(start, due)
    used = total * (1.0 - share)
    if total > 0:
        if used <= 0:
            return start
        return min(calendar.due(start, Within(used / 60.0, "working-hours")), due)
    return start + (due - start) * (1.0 - share)


def rag(due_at: datetime | None, amber_at: datetime | None, now: datetime) -> Rag:
    if due_at is None:
        return Rag.NONE
    if now >= due_at:
        return Rag.RED
    if amber_at is not None and now >= amber_at:
        return Rag.AMBER
    return Rag.GREEN


def time_left(calendar: Calendar, due_at: datetime | None, now: datetime) -> str:
    """The working time left to ``due_at`` (or by which it is overdue), in words."""
    if due_at is None:
        return f"No deadline: {NO_CLOCK}"
    try:
        if now < due_at:
            left = calendar.working_minutes(now, due_at)
            return f"{_duration(left)} of working time left" if left else "Due before the office next opens"
        late = calendar.working_minutes(due_at, now)
        return f"Overdue by {_duration(late)}" if late else "Overdue since the office closed"
    except CalendarError as error:
        return f"Cannot count working time: {error}"


def _duration(minutes: int) -> str:
    hours, mins = divmod(minutes, 60)
    if hours and mins:
        return f"{hours} h {mins} min"
    if hours:
        return f"{hours} h"
    return f"{mins} min"
