"""Concurrent writers on PostgreSQL never fork the chain: 20 threads, 25 events each, real connections."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import IntegrityError, connection, connections, transaction

from continuum.apps.accounts.actor import Actor
from continuum.apps.audit import chain, queries, services
from continuum.apps.audit.verify import verify
from tests.apps.checks.factories import CheckFactory

THREADS, EACH = 20, 25

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers are a PostgreSQL matter (SQLite has one writer at a time); "
        "this runs in make test's PostgreSQL pass",
    ),
]


def _write_concurrently(check, write) -> list[BaseException]:
    """Start ``THREADS`` threads together, each writing ``EACH`` events in its own transactions."""
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            start.wait()
            for i in range(EACH):
                with transaction.atomic():
                    write(Actor.for_system(f"writer-{n}"), check, f"{n}-{i}")
        except BaseException as exc:  # reported to the test, not lost in the thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_writers_make_one_gapless_chain():
    check = CheckFactory()  # event 1

    def write(actor, target, purpose):
        services.record_access(actor, target, purpose=purpose)

    assert _write_concurrently(check, write) == []
    sequences = list(queries.events().values_list("sequence", flat=True))
    assert sequences == list(range(1, THREADS * EACH + 2))
    result = verify(chunk_size=64)
    assert result.ok, result.broken
    assert result.events == THREADS * EACH + 1
    purposes = {e["purpose"] for e in queries.access_log(check).values_list("payload", flat=True)}
    assert len(purposes) == THREADS * EACH


def test_without_the_lock_concurrent_writers_collide(monkeypatch):
    """The control: the advisory lock is what keeps the chain whole. Without it, writers that read
    the same head collide on the unique sequence (and fail loudly rather than fork the chain)."""
    check = CheckFactory()
    real_hash = chain.event_hash

    def slow_hash(**content):
        time.sleep(0.002)  # widen the window between reading the head and inserting after it
        return real_hash(**content)

    def write(actor, target, purpose):
        services.record_access(actor, target, purpose=purpose)

    monkeypatch.setattr(services, "_lock_chain", lambda: None)
    monkeypatch.setattr(chain, "event_hash", slow_hash)
    errors = _write_concurrently(check, write)
    monkeypatch.undo()
    assert errors, "without the lock some writers should have taken the same sequence"
    assert all(isinstance(e, IntegrityError) for e in errors), errors[:3]
    assert verify().ok, "the unique sequence refuses a fork even without the lock"
