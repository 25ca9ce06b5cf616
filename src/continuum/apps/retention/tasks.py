"""The retention job: the whole policy once a day, on the queue, run by the worker."""

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
