"""The job queue: jobs exist exactly when their change was stored, and the real worker runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from continuum.apps.jobs.tasks import clear_expired_sessions, ensure_periodic_jobs, is_scheduled
from continuum.apps.jobs.worker import run

pytestmark = pytest.mark.django_db(transaction=True)


def _session(key: str, expires_in: timedelta) -> None:
    Session.objects.create(session_key=key, session_data="", expire_date=timezone.now() + expires_in)


@pytest.fixture
def only_the_sweep(settings):
    """The worker keeps only the session sweep scheduled (these tests are about one job)."""
    settings.CONTINUUM_PERIODIC_JOBS = ["continuum.apps.jobs.tasks.clear_expired_sessions"]


def test_a_job_enqueued_in_a_failed_transaction_never_exists():
    with pytest.raises(RuntimeError), transaction.atomic():
        clear_expired_sessions.enqueue()
        raise RuntimeError("the change failed")
    assert not DBTaskResult.objects.exists()


def test_the_worker_runs_a_due_job_and_it_schedules_its_next_run(only_the_sweep):
    _session("old", timedelta(days=-1))
    _session("current", timedelta(hours=1))
    clear_expired_sessions.enqueue()

    run(batch=True, interval=0.1)

    assert list(Session.objects.values_list("session_key", flat=True)) == ["current"]
    done = DBTaskResult.objects.get(status="SUCCESSFUL")
    assert done.return_value == 1
    waiting = DBTaskResult.objects.get(status="READY")
    assert waiting.run_after > timezone.now() + timedelta(minutes=30)  # the next sweep, not now


def test_a_job_waits_until_it_is_due(only_the_sweep):
    _session("old", timedelta(days=-1))
    clear_expired_sessions.using(run_after=timezone.now() + timedelta(hours=1)).enqueue()
    run(batch=True, interval=0.1)
    assert Session.objects.filter(session_key="old").exists()
    assert DBTaskResult.objects.get().status == "READY"


def test_periodic_jobs_are_scheduled_once():
    from continuum.apps.audit.tasks import verify_chain_daily
    from continuum.apps.reports.tasks import refresh_tallies
    from continuum.apps.retention.tasks import apply_retention, purge_submission_tokens

    periodic = [clear_expired_sessions, verify_chain_daily, apply_retention, refresh_tallies, purge_submission_tokens]
    assert ensure_periodic_jobs() == [job.name for job in periodic]
    assert ensure_periodic_jobs() == []
    assert all(is_scheduled(job) for job in periodic)
    assert DBTaskResult.objects.count() == 5


def test_the_worker_command_runs_in_its_own_process(tmp_path):
    """`continuum worker --batch` against a real database file: what `continuum serve` starts beside itself."""
    # its own database file, whichever database the rest of the suite is running on
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="continuum.web.settings.test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        CONTINUUM_DATA_DIR=str(tmp_path),
    )
    migrate = subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--verbosity", "0"], env=env, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stderr
    worker = subprocess.run(
        [sys.executable, "-m", "continuum", "worker", "--batch"], env=env, capture_output=True, text=True, timeout=120
    )
    assert worker.returncode == 0, worker.stderr
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django_tasks_db.models import DBTaskResult as R; "
            "R = R.objects.filter(task_path__endswith='clear_expired_sessions'); "
            "print(R.filter(status='SUCCESSFUL').count(), R.filter(status='READY').count())",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert check.stdout.split() == ["1", "1"], check.stderr  # the sweep ran, and its next run waits
