"""Maintenance jobs, and how a periodic job keeps itself scheduled on a queue that has no clock of its own."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

log = logging.getLogger("continuum.jobs")


def _task_path(job: Any) -> str:
    return f"{job.func.__module__}.{job.func.__qualname__}"


def is_scheduled(job: Any) -> bool:
    """Whether a run of ``job`` is waiting in the queue (ready or running)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=_task_path(job), status__in=("READY", "RUNNING")).exists()


def schedule_next(job: Any, every: timedelta) -> None:
    """Enqueue the next run of a periodic ``job``, ``every`` from now."""
    job.using(run_after=timezone.now() + every).enqueue()


@task()
def clear_expired_sessions() -> int:
    """Delete expired sessions (a check in progress lives in one), then schedule the next sweep."""
    from django.contrib.sessions.models import Session

    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    log.info("cleared %d expired session(s)", deleted)
    schedule_next(clear_expired_sessions, timedelta(seconds=settings.CONTINUUM_SESSION_SWEEP_SECONDS))
    return int(deleted)


def periodic_jobs() -> list[Any]:
    """The periodic jobs: ``settings.CONTINUUM_PERIODIC_JOBS``, dotted paths (apps above this one name theirs there)."""
    return [import_string(path) for path in settings.CONTINUUM_PERIODIC_JOBS]


def ensure_periodic_jobs() -> list[str]:
    """Enqueue each periodic job that has no run waiting (at start-up); returns the ones enqueued."""
    started = []
    for job in periodic_jobs():
        if not is_scheduled(job):
            job.enqueue()
            started.append(job.name)
    return started
