"""The retention jobs: the whole policy once a day, and the submissions ledger's old tokens, on the queue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django_tasks import task


@task()
def apply_retention() -> dict[str, Any]:
    """Apply the retention policy (:func:`continuum.apps.retention.services.apply`), then schedule the next run."""
    from continuum.apps.jobs.tasks import schedule_next
    from continuum.apps.retention.services import apply

    try:
        return apply().as_json()
    finally:
        schedule_next(apply_retention, timedelta(seconds=settings.CONTINUUM_RETENTION_RUN_SECONDS))


@task()
def purge_submission_tokens() -> int:
    """Delete the submissions ledger's old rows (:func:`continuum.apps.retention.services.purge_submissions`),
    then schedule the next run, ``CONTINUUM_SUBMISSION_PURGE_SECONDS`` from now."""
    from continuum.apps.jobs.tasks import schedule_next
    from continuum.apps.retention.services import purge_submissions

    try:
        return purge_submissions()
    finally:
        schedule_next(purge_submission_tokens, timedelta(seconds=settings.CONTINUUM_SUBMISSION_PURGE_SECONDS))
