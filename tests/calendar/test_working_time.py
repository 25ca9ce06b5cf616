"""Working time against known dates, and its invariants as properties."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from continuum.calendar import (
    UK,
    BeyondHolidayDataError,
    Calendar,
    CalendarError,
    OfficeHours,
    Within,
    WorkingDayRule,
    england_and_wales,
)
from continuum.cli import main
from tests.conftest import FRAMEWORKS_DIR

NINE_TO_FIVE = Calendar()  # Monday to Friday 9am to 5pm: Continuum's default


def uk(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UK)


@pytest.fixture(scope="module")
def central_bedfordshire(registry) -> Calendar:
    """Office hours from the document: Monday to Thursday 8.45 to 5.20, Friday 8.45 to 4.20."""
    return Calendar.for_framework(registry.get("central-bedfordshire").framework)


def test_the_bundled_data_knows_the_england_and_wales_holidays():
    holidays = england_and_wales()
    assert date(2026, 8, 31) in holidays.dates  # the August bank holiday (England and Wales, not Scotland)
    assert date(2026, 8, 3) not in holidays.dates  # Scotland's summer holiday is not ours
    assert holidays.covered_until >= date(2027, 12, 31)


def test_christmas_and_boxing_day_on_a_weekend_move_to_the_monday_and_tuesday():
    # 2027: Christmas Day is a Saturday and Boxing Day a Sunday; the substitutes are 27 and 28 December.
    assert not NINE_TO_FIVE.is_working_day(date(2027, 12, 27))
    assert not NINE_TO_FIVE.is_working_day(date(2027, 12, 28))
    assert NINE_TO_FIVE.due(uk("2027-12-24T10:00"), "1 working day") == uk("2027-12-29T10:00")


def test_one_working_day_over_christmas_2026():
    # Christmas Day is a Friday, Boxing Day a Saturday (substitute Monday 28 December).
    assert NINE_TO_FIVE.due(uk("2026-12-24T16:00"), "1 working day") == uk("2026-12-29T16:00")
    assert NINE_TO_FIVE.due(uk("2026-12-24T16:00"), "2 working hours") == uk("2026-12-29T10:00")


def test_the_august_bank_holiday_is_skipped():
    # Friday 28 August 2026, then the weekend, then the bank holiday on Monday 31 August.
    assert NINE_TO_FIVE.due(uk("2026-08-28T15:00"), "1 working day") == uk("2026-09-01T15:00")
    assert NINE_TO_FIVE.due(uk("2026-08-28T15:00"), "3 working hours") == uk("2026-09-01T10:00")


def test_per_day_office_hours_from_the_framework(central_bedfordshire):
    # Friday closes at 16:20, so 4 working hours from Friday 15:00 run 80 minutes on Friday and 160 on Monday.
    assert central_bedfordshire.due(uk("2026-11-27T15:00"), "4 working hours") == uk("2026-11-30T11:25")
    # the same time next working day, held inside Friday's shorter hours
    assert central_bedfordshire.due(uk("2026-11-26T17:00"), "1 working day") == uk("2026-11-27T16:20")
    assert central_bedfordshire.hours.from_document


def test_a_start_outside_office_hours_counts_from_the_next_opening(central_bedfordshire):
    assert central_bedfordshire.due(uk("2026-11-28T11:00"), "1 working hour") == uk("2026-11-30T09:45")
    assert central_bedfordshire.due(uk("2026-11-30T07:00"), "1 working day") == uk("2026-12-01T08:45")


def test_close_of_day_is_a_partnership_setting():
    close = Calendar(working_day_rule=WorkingDayRule.CLOSE_OF_DAY)
    assert close.due(uk("2026-11-30T10:00"), "1 working day") == uk("2026-12-01T17:00")


def test_calendar_hours_are_elapsed_time_across_the_clock_change():
    # the clocks go back at 02:00 on Sunday 25 October 2026: 24 elapsed hours end at 09:00 local time
    assert NINE_TO_FIVE.due(uk("2026-10-24T10:00"), "24 hours") == uk("2026-10-25T09:00")
    assert NINE_TO_FIVE.due(uk("2026-10-24T10:00"), "1 day") == uk("2026-10-25T10:00")


def test_months_keep_the_day_or_the_last_day_of_a_short_month():
    assert NINE_TO_FIVE.due(uk("2026-01-31T10:00"), "1 month") == uk("2026-02-28T10:00")
    assert NINE_TO_FIVE.due(uk("2026-11-30T10:00"), "3 months") == uk("2027-02-28T10:00")


def test_a_date_past_the_bundled_holidays_is_refused_not_guessed():
    last = england_and_wales().covered_until
    with pytest.raises(BeyondHolidayDataError, match="upgrade govuk-bank-holidays"):
        NINE_TO_FIVE.due(datetime.combine(last, time(10), UK), "1 working day")


@pytest.mark.parametrize("text", ["soon", "0 working days", "1.5 working days", "two days", ""])
def test_amounts_that_cannot_be_read_say_how_to_write_them(text):
    with pytest.raises(CalendarError):
        Within.parse(text)


def test_a_document_without_office_hours_uses_the_marked_default(registry):
    assert not Calendar.for_framework(registry.get("bury").framework).hours.from_document


@pytest.mark.parametrize(
    ("start", "within", "rule"),
    [("2026-12-24T16:00", "1 working day", "same-time"), ("2026-12-24T16:00", "4 working hours", "close-of-day")],
)
def test_the_command_prints_the_documented_json(start, within, rule):
    result = CliRunner().invoke(
        main,
        [
            "--frameworks-dir",
            str(FRAMEWORKS_DIR),
            "calendar",
            "due",
            "--framework",
            "central-bedfordshire",
            "--start",
            start,
            "--within",
            within,
            "--working-day",
            rule,
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert {"framework", "start", "within", "due", "working_minutes"} <= out.keys()
    assert out["start"] == "2026-12-24T16:00:00+00:00"
    assert [h["name"] for h in out["bank_holidays_skipped"]] == ["Christmas Day", "Boxing Day"]
    due = datetime.fromisoformat(out["due"])
    assert due.date() == date(2026, 12, 29) and out["working_minutes"] > 0


def test_the_command_refuses_a_bad_start():
    result = CliRunner().invoke(
        main,
        [
            "--frameworks-dir",
            str(FRAMEWORKS_DIR),
            "calendar",
            "due",
            "--framework",
            "bury",
            "--start",
            "tomorrow",
            "--within",
            "1 working day",
        ],
    )
    assert result.exit_code == 2 and "ISO 8601" in result.output


# -- properties --------------------------------------------------------------------------------

moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 1)).map(
    lambda m: m.replace(second=0, microsecond=0, tzinfo=UK)
)
amounts = st.one_of(
    st.integers(1, 40).map(lambda n: Within(n, "working-hours")),
    st.integers(1, 10).map(lambda n: Within(n, "working-days")),
    st.integers(1, 72).map(lambda n: Within(n, "hours")),
    st.integers(1, 30).map(lambda n: Within(n, "days")),
)
calendars = st.sampled_from(
    [
        NINE_TO_FIVE,
        Calendar(working_day_rule=WorkingDayRule.CLOSE_OF_DAY),
        Calendar(OfficeHours({0: (time(8, 45), time(17, 20)), 4: (time(8, 45), time(16, 20))})),
    ]
)


@settings(max_examples=300, deadline=None)
@given(calendars, moments, amounts)
def test_a_deadline_is_never_before_its_start(calendar, start, within):
    assert calendar.due(start, within) > start


@settings(max_examples=300, deadline=None)
@given(calendars, moments, st.integers(0, 600), amounts)
def test_a_later_start_never_gives_an_earlier_deadline(calendar, start, later_by, within):
    assert calendar.due(start + timedelta(minutes=later_by), within) >= calendar.due(start, within)


@settings(max_examples=200, deadline=None)
@given(calendars, moments, st.integers(1, 30), st.integers(0, 30))
def test_more_working_time_never_gives_an_earlier_deadline(calendar, start, hours, more):
    shorter = calendar.due(start, Within(hours, "working-hours"))
    assert calendar.due(start, Within(hours + more, "working-hours")) >= shorter
    assert calendar.working_minutes(start, shorter) == hours * 60


@settings(max_examples=200, deadline=None)
@given(moments, st.integers(1, 5))
def test_a_working_day_deadline_always_falls_on_a_working_day_inside_office_hours(start, days):
    due = NINE_TO_FIVE.due(start, Within(days, "working-days"))
    assert NINE_TO_FIVE.is_working_day(due.date())
    assert time(9) <= due.time() <= time(17)
