"""Working time: deadlines in a partnership's office hours, skipping England and Wales bank holidays.

Bank holidays come from the data bundled with ``govuk-bank-holidays`` (division
``england-and-wales``), never fetched at run time. A date past the end of that data is
refused with :class:`BeyondHolidayDataError`: silently treating an unknown bank holiday as a
working day would make a deadline early without anyone knowing.

Amounts are read from words (``"1 working day"``, ``"4 working hours"``, ``"24 hours"``,
``"45 working days"``) or from a framework's ``Amount``:

* **working hours** count only minutes inside office hours on working days;
* **working days** move to the same time of day on the Nth next working day (the default
  meaning of "one working day", ``WorkingDayRule.SAME_TIME``), or to the close of the Nth
  next working day (``WorkingDayRule.CLOSE_OF_DAY``) where a partnership reads it so. A start
  outside office hours counts from the next opening;
* **hours** and **minutes** are elapsed time; **days**, **weeks** and **months** are calendar
  time at the same local time of day (the clock changes are handled by the time zone).

All times are aware datetimes in Europe/London; a naive input is read as London time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class CalendarError(ValueError):
    """A deadline cannot be computed; the message says why and what to do."""


class BeyondHolidayDataError(CalendarError):
    """A date lies past the bank holidays bundled with the installed govuk-bank-holidays."""


class WorkingDayRule(StrEnum):
    """What "N working days" means: a per-partnership setting, ``SAME_TIME`` by default."""

    SAME_TIME = "same-time"  # the same time of day on the Nth next working day
    CLOSE_OF_DAY = "close-of-day"  # the close of office hours on the Nth next working day


# Units as people write them, and as framework files spell them.
_UNITS = {
    "minute": "minutes",
    "minutes": "minutes",
    "hour": "hours",
    "hours": "hours",
    "working hour": "working-hours",
    "working hours": "working-hours",
    "working-hours": "working-hours",
    "day": "days",
    "days": "days",
    "working day": "working-days",
    "working days": "working-days",
    "working-days": "working-days",
    "week": "weeks",
    "weeks": "weeks",
    "month": "months",
    "months": "months",
}
_AMOUNT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s+([a-z -]+?)\s*$")


@dataclass(frozen=True)
class Within:
    """An amount of time: ``value`` in ``unit`` (a framework ``Amount`` unit)."""

    value: float
    unit: str

    @classmethod
    def parse(cls, text: str) -> Within:
        match = _AMOUNT.match(text.lower())
        unit = _UNITS.get(match.group(2).strip()) if match else None
        if match is None or unit is None:
            raise CalendarError(
                f"cannot read {text!r} as an amount of time; write e.g. '1 working day', '4 working hours', "
                "'24 hours' or '45 working days'"
            )
        value = float(match.group(1))
        if value <= 0:
            raise CalendarError(f"{text!r}: the amount must be more than zero")
        if unit in ("working-days", "days", "weeks", "months") and value != int(value):
            raise CalendarError(f"{text!r}: days, weeks and months must be whole numbers")
        return cls(value, unit)

    @classmethod
    def of(cls, amount: Any) -> Within:
        """From a framework ``Amount`` (or any object with ``value`` and ``unit``)."""
        return cls(float(amount.value), str(amount.unit))

    def __str__(self) -> str:
        number = f"{self.value:g}"
        words = self.unit.replace("-", " ")
        return f"{number} {words[:-1] if self.value == 1 else words}"


@dataclass(frozen=True)
class OfficeHours:
    """Opening and closing time per weekday (0 = Monday); a day missing is closed."""

    by_weekday: Mapping[int, tuple[time, time]]
    from_document: bool = True  # False: Continuum's default, the document gives none

    @classmethod
    def from_framework(cls, office_hours: Any | None) -> OfficeHours:
        """From a framework's ``office_hours`` (per-day hours included), or the default when it has none."""
        if office_hours is None:
            return DEFAULT_OFFICE_HOURS
        hours: dict[int, tuple[time, time]] = {}
        for day in office_hours.days:
            own = office_hours.by_day.get(day)
            opens, closes = (own.opens, own.closes) if own else (office_hours.opens, office_hours.closes)
            hours[WEEKDAYS.index(day)] = (time.fromisoformat(opens), time.fromisoformat(closes))
        return cls(hours, from_document=True)

    def on(self, day: date) -> tuple[datetime, datetime] | None:
        hours = self.by_weekday.get(day.weekday())
        if hours is None:
            return None
        return datetime.combine(day, hours[0], UK), datetime.combine(day, hours[1], UK)


# Where a document gives no office hours: Monday to Friday, 9am to 5pm (Continuum's default,
# shown as such; never presented as the partnership's hours).
DEFAULT_OFFICE_HOURS = OfficeHours(
    {weekday: (time(9, 0), time(17, 0)) for weekday in range(5)},
    from_document=False,
)


@dataclass(frozen=True)
class BankHolidays:
    """The England and Wales bank holidays known, and the last date the data covers."""

    dates: frozenset[date]
    covered_until: date
    names: Mapping[date, str] = field(default_factory=dict)

    def check(self, day: date) -> None:
        if day > self.covered_until:
            raise BeyondHolidayDataError(
                f"{day.isoformat()} is past the bank holidays this installation knows (they run to "
                f"{self.covered_until.isoformat()}, from govuk-bank-holidays); upgrade govuk-bank-holidays "
                "before computing deadlines this far ahead"
            )


@lru_cache(maxsize=1)
def england_and_wales() -> BankHolidays:
    """The bank holidays bundled with govuk-bank-holidays (never fetched), to the end of their last year."""
    from govuk_bank_holidays.bank_holidays import BankHolidays as GovukBankHolidays

    known = GovukBankHolidays(use_cached_holidays=True).get_holidays(division=GovukBankHolidays.ENGLAND_AND_WALES)
    dates = {item["date"]: item["title"] for item in known}
    last_year = max(dates).year
    return BankHolidays(frozenset(dates), date(last_year, 12, 31), dates)


@dataclass(frozen=True)
class Calendar:
    """A partnership's working time: its office hours and the bank holidays."""

    hours: OfficeHours = DEFAULT_OFFICE_HOURS
    holidays: BankHolidays = field(default_factory=england_and_wales)
    working_day_rule: WorkingDayRule = WorkingDayRule.SAME_TIME

    @classmethod
    def for_framework(cls, framework: Any, working_day_rule: WorkingDayRule = WorkingDayRule.SAME_TIME) -> Calendar:
        return cls(OfficeHours.from_framework(framework.office_hours), england_and_wales(), working_day_rule)

    # -- days --------------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        self.holidays.check(day)
        return self.hours.on(day) is not None and day not in self.holidays.dates

    def _open_hours(self, day: date) -> tuple[datetime, datetime] | None:
        return self.hours.on(day) if self.is_working_day(day) else None

    def _next_working_day(self, day: date) -> date:
        day += timedelta(days=1)
        for _ in range(366):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise CalendarError("no working day within a year: the office hours name no open day")

    def next_opening(self, moment: datetime) -> datetime:
        """``moment`` if the office is open then, else the next time it opens."""
        moment = as_uk(moment)
        day = moment.date()
        hours = self._open_hours(day)
        if hours is not None and moment < hours[1]:
            return max(moment, hours[0])
        opens = self._open_hours(self._next_working_day(day))
        assert opens is not None
        return opens[0]

    # -- deadlines ---------------------------------------------------------------------------

    def due(self, start: datetime, within: Within | str) -> datetime:
        """When something started at ``start`` is due, ``within`` later in this calendar."""
        amount = Within.parse(within) if isinstance(within, str) else within
        start = as_uk(start)
        self.holidays.check(start.date())
        if amount.unit == "working-hours":
            return self._add_working_minutes(start, round(amount.value * 60))
        if amount.unit == "working-days":
            return self._add_working_days(start, int(amount.value))
        if amount.unit in ("minutes", "hours"):
            minutes = amount.value * (60 if amount.unit == "hours" else 1)
            return (start.astimezone(ZoneInfo("UTC")) + timedelta(minutes=minutes)).astimezone(UK)
        if amount.unit in ("days", "weeks"):
            days = int(amount.value) * (7 if amount.unit == "weeks" else 1)
            return _same_local_time(start, start.date() + timedelta(days=days))
        if amount.unit == "months":
            return _same_local_time(start, _add_months(start.date(), int(amount.value)))
        raise CalendarError(f"unknown unit {amount.unit!r}")

    def _add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        moment = self.next_opening(start)
        left = minutes
        while True:
            hours = self._open_hours(moment.date())
            assert hours is not None
            available = int((hours[1] - moment).total_seconds() // 60)
            if left <= available:
                return moment + timedelta(minutes=left)
            left -= available
            moment = self.next_opening(hours[1])

    def _add_working_days(self, start: datetime, days: int) -> datetime:
        opened = self.next_opening(start)
        day = opened.date()
        for _ in range(days):
            day = self._next_working_day(day)
        hours = self._open_hours(day)
        assert hours is not None
        if self.working_day_rule is WorkingDayRule.CLOSE_OF_DAY:
            return hours[1]
        at = datetime.combine(day, opened.timetz().replace(tzinfo=None), UK)
        return min(max(at, hours[0]), hours[1])

    def working_minutes(self, start: datetime, end: datetime) -> int:
        """Minutes of office time on working days from ``start`` to ``end`` (0 if ``end`` is not later)."""
        start, end = as_uk(start), as_uk(end)
        total, day = 0, start.date()
        while day <= end.date():
            hours = self._open_hours(day)
            if hours is not None:
                lo, hi = max(hours[0], start), min(hours[1], end)
                if hi > lo:
                    total += int((hi - lo).total_seconds() // 60)
            day += timedelta(days=1)
        return total


def as_uk(moment: datetime) -> datetime:
    """An aware datetime in Europe/London; a naive one is read as London time."""
    return moment.replace(tzinfo=UK) if moment.tzinfo is None else moment.astimezone(UK)


def _same_local_time(start: datetime, day: date) -> datetime:
    return datetime.combine(day, start.timetz().replace(tzinfo=None), UK)


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("every month has at least 28 days")


def holidays_between(first: date, last: date, holidays: BankHolidays | None = None) -> Iterable[tuple[date, str]]:
    """The bank holidays from ``first`` to ``last``, with their names (for explaining a deadline)."""
    known = holidays or england_and_wales()
    return sorted((d, known.names.get(d, "bank holiday")) for d in known.dates if first <= d <= last)
