"""Working time for deadlines: office hours from the framework, England and Wales bank holidays. No Django."""

from continuum.calendar.working_time import (
    DEFAULT_OFFICE_HOURS,
    UK,
    BankHolidays,
    BeyondHolidayDataError,
    Calendar,
    CalendarError,
    OfficeHours,
    Within,
    WorkingDayRule,
    as_uk,
    england_and_wales,
    holidays_between,
)

__all__ = [
    "DEFAULT_OFFICE_HOURS",
    "UK",
    "BankHolidays",
    "BeyondHolidayDataError",
    "Calendar",
    "CalendarError",
    "OfficeHours",
    "Within",
    "WorkingDayRule",
    "as_uk",
    "england_and_wales",
    "holidays_between",
]
