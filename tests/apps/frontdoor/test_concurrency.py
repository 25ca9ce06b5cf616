"""Claiming under contention on PostgreSQL: 50 real threads, each with its own connection."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from continuum.apps.accounts.actor import Role
from continuum.apps.audit import queries as audit
from continuum.apps.frontdoor import services
from continuum.apps.frontdoor.models import Triage

from .conftest import person
from .factories import triage

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent claimers are a PostgreSQL matter (SQLite has one writer at a time); "
        "this runs in make test's PostgreSQL pass",
    ),
]


def _in_threads(count: int, work: Any) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads started together; each closes its own connection."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def body(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:  # the outcome of each claimer is what the test looks at
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_fifty_workers_claiming_one_contact_at_once_make_exactly_one_claim():
    t = triage()
    claimers = [person(Role.FRONT_DOOR_WORKER) for _ in range(50)]
    results = _in_threads(50, lambda i: services.claim(claimers[i], Triage.objects.get(pk=t.pk)))
    won = [r for r in results if isinstance(r, Triage)]
    refused = [r for r in results if isinstance(r, services.FrontDoorError)]
    assert len(won) == 1 and len(refused) == 49, [
        r for r in results if not isinstance(r, (Triage, services.FrontDoorError))
    ]
    assert all("Already claimed by" in r.message for r in refused)
    t.refresh_from_db()
    assert t.claimed_by == won[0].claimed_by
    assert list(audit.for_target(t).filter(verb="frontdoor.claimed").values_list("actor", flat=True)) == [
        t.claimed_by.username
    ]


def test_fifty_workers_claiming_the_next_contact_at_once_never_share_one():
    opened = [triage(received_at=timezone.now() - timedelta(minutes=i)) for i in range(20)]
    claimers = [person(Role.FRONT_DOOR_WORKER) for _ in range(50)]
    results = _in_threads(50, lambda i: services.claim_next(claimers[i]))
    errors = [r for r in results if isinstance(r, Exception) and not isinstance(r, services.FrontDoorError)]
    assert not errors, errors
    claimed = [r for r in results if isinstance(r, Triage)]
    assert len({r.pk for r in claimed}) == len(claimed)  # no contact claimed twice
    stored = {t.pk: t.claimed_by_id for t in Triage.objects.filter(pk__in=[o.pk for o in opened])}
    for r in claimed:  # no claim lost: each winner is the one stored
        assert stored[r.pk] == r.claimed_by_id
    assert audit.events().filter(verb="frontdoor.claimed").count() == len(claimed)
