"""When each kind of record falls due: its retention date, from the configured periods.

``settings.CONTINUUM_RETENTION`` (docs/retention.md has each default and its source):

- ``check_years``: a practitioner's check that went no further (no referral, no early help) is
  kept this many years from the day it was made;
- ``case_until_age``: a referral (the contact) with its front-door decision, an early-help episode,
  and the check behind either, are kept until the child's birthday of this age (the youngest
  child's, for a family), and in any case
- ``case_years_after_closure`` years from the case's last decision or closure; an escalation this
  long after it was closed, and never before its subject's own date;
- ``access_log_days``: access-log events (who saw which record) this many days.

An open case (an episode not closed, an escalation not resolved, a referral with an open
escalation) is never due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class Periods:
    check_years: int
    case_until_age: int
    case_years_after_closure: int
    access_log_days: int

    @classmethod
    def configured(cls) -> Periods:
        values = settings.CONTINUUM_RETENTION
        periods = cls(**{name: int(values[name]) for name in cls.__dataclass_fields__})
        for name, value in vars(periods).items():
            if value < 1:
                raise ValueError(f"retention period {name} must be at least 1 (it is {value})")
        return periods


def years_after(start: date, years: int) -> date:
    """The same day ``years`` later (28 February for a 29 February in a year without one)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def day_of(moment: datetime | date) -> date:
    return timezone.localdate(moment) if isinstance(moment, datetime) else moment


def check_date(created_at: datetime, periods: Periods) -> date:
    return years_after(day_of(created_at), periods.check_years)


def case_date(births: list[date], closed: datetime | date, periods: Periods) -> date:
    """Until the youngest child's ``case_until_age`` birthday, and at least ``case_years_after_closure`` after closing."""
    after_closure = years_after(day_of(closed), periods.case_years_after_closure)
    if not births:
        return after_closure
    return max(years_after(max(births), periods.case_until_age), after_closure)


def escalation_date(closed_at: datetime, subject_date: date | None, periods: Periods) -> date:
    own = years_after(day_of(closed_at), periods.case_years_after_closure)
    return max(own, subject_date) if subject_date is not None else own
