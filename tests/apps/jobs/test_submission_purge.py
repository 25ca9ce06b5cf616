"""The submissions ledger's old tokens (form tokens, API Idempotency-Keys) are deleted by a periodic job,
with one audit event per run naming how many; newer tokens and the records they made stay."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from continuum.apps.audit.queries import events
from continuum.apps.govuk import submissions
from continuum.apps.govuk.models import Submission
from continuum.apps.jobs.tasks import ensure_periodic_jobs
from continuum.apps.jobs.worker import run
from continuum.apps.retention.services import purge_submissions
from continuum.apps.retention.tasks import purge_submission_tokens

pytestmark = pytest.mark.django_db(transaction=True)

PURGED = "retention.submissions_purged"


def submitted(days_ago: float, name: str) -> Submission:
    """A ledger row (and the record it made) submitted ``days_ago`` days ago."""
    token = uuid.uuid4()
    submissions.once(token, lambda: Group.objects.create(name=name), scope="api:test")
    Submission.objects.filter(token=token).update(submitted_at=timezone.now() - timedelta(days=days_ago))
    return Submission.objects.get(token=token)


def test_only_rows_older_than_the_setting_are_deleted_with_one_event_naming_how_many(settings):
    settings.CONTINUUM_SUBMISSION_TOKEN_DAYS = 30
    old = [submitted(31, "a"), submitted(45, "b"), submitted(400, "c")]
    kept = [submitted(29, "d"), submitted(0, "e")]

    assert purge_submissions() == 3

    assert set(Submission.objects.values_list("pk", flat=True)) == {s.pk for s in kept}
    assert Group.objects.count() == 5  # the records the tokens made are not touched
    (event,) = events().filter(verb=PURGED)
    assert event.payload["deleted"] == 3 and event.payload["days"] == 30
    assert (event.target_type, event.target_id) == ("govuk.submission", str(old[0].pk))  # the newest deleted
    assert event.actor == "system:retention"


def test_the_age_is_the_setting(settings):
    settings.CONTINUUM_SUBMISSION_TOKEN_DAYS = 2
    new = (submitted(3, "old"), submitted(1, "new"))[1]
    assert purge_submissions() == 1
    assert list(Submission.objects.values_list("pk", flat=True)) == [new.pk]
    assert events().get(verb=PURGED).payload["days"] == 2


def test_a_run_with_nothing_old_deletes_nothing_and_records_nothing():
    submitted(1, "new")
    assert purge_submissions() == 0
    assert Submission.objects.count() == 1 and not events().filter(verb=PURGED).exists()


def test_an_age_under_a_day_is_refused(settings):
    settings.CONTINUUM_SUBMISSION_TOKEN_DAYS = 0
    submitted(0.5, "new")
    with pytest.raises(ValueError, match="at least a day"):
        purge_submissions()
    assert Submission.objects.count() == 1


def test_a_purged_key_no_longer_answers_a_repeat():
    """After its days, a key is forgotten: the same token again makes a new record (documented)."""
    row = submitted(31, "first")
    assert purge_submissions() == 1
    again = submissions.once(row.token, lambda: Group.objects.create(name="again"), scope="api:test")
    assert again.name == "again"


def test_the_worker_runs_the_purge_and_it_schedules_its_next_run(settings):
    settings.CONTINUUM_PERIODIC_JOBS = ["continuum.apps.retention.tasks.purge_submission_tokens"]
    settings.CONTINUUM_SUBMISSION_PURGE_SECONDS = 6 * 60 * 60
    submitted(31, "old"), submitted(1, "new")
    assert ensure_periodic_jobs() == [purge_submission_tokens.name]

    run(batch=True, interval=0.1)

    assert Submission.objects.count() == 1 and events().filter(verb=PURGED).count() == 1
    done = DBTaskResult.objects.get(status="SUCCESSFUL")
    assert done.return_value == 1
    waiting = DBTaskResult.objects.get(status="READY")
    assert timezone.now() + timedelta(hours=5) < waiting.run_after < timezone.now() + timedelta(hours=7)


def test_the_purge_is_one_of_the_periodic_jobs():
    from django.conf import settings as django_settings

    assert "continuum.apps.retention.tasks.purge_submission_tokens" in django_settings.CONTINUUM_PERIODIC_JOBS
