"""The reports' job: recount the stale days' tallies (ADR 0017), then schedule the next run.

A page is exact without it (stale days are counted from the records), but it is fast only for the days
the job has tallied; a working day leaves a few days stale between runs.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django_tasks import task

from continuum.apps.jobs.tasks import schedule_next
from continuum.apps.reports import tallies

log = logging.getLogger("continuum.reports")


@task()
def refresh_tallies() -> int:
    """Recount up to a year and a month of stale days, then come back (sooner when more are waiting)."""
    days = tallies.refresh(days=400)
    if days:
        log.info("reports: %d stale day(s) tallied", days)
    every = settings.CONTINUUM_REPORTS_REFRESH_SECONDS
    schedule_next(refresh_tallies, timedelta(seconds=1 if days >= 400 else every))
    return days
