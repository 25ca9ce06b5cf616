"""The migration to the hash chain numbers and hashes the events written before it, oldest first."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from continuum.apps.audit import chain, queries
from continuum.apps.audit.verify import verify

BEFORE = [("audit", "0002_append_only_triggers")]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _migrate_everything() -> None:
    """Every app back to its latest migration: going back to BEFORE unapplied every app built on the audit."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_events_from_before_the_chain_are_chained_in_the_order_they_were_written():
    _migrate(BEFORE)
    try:
        written = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
        with connection.cursor() as cursor:
            for n, minutes in enumerate([5, 1, 3]):  # inserted out of time order
                cursor.execute(
                    "INSERT INTO audit_auditevent (created_at, actor, verb, target_type, target_id, payload)"
                    " VALUES (%s, 'anonymous', 'checks.viewed', 'checks.check', %s, %s)",
                    [written + timedelta(minutes=minutes), f"c{n}", json.dumps({"what": "page", "levels": [n]})],
                )
    finally:
        _migrate_everything()
    assert list(queries.events().values_list("target_id", flat=True)) == ["c1", "c2", "c0"]
    first = queries.events().first()
    assert (first.sequence, first.prev_hash, first.partnership) == (1, chain.GENESIS, "")
    result = verify()
    assert result.ok and result.events == 3
