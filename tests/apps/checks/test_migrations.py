"""The data migration gives the checks stored before ``CheckIndicator`` their indicator rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from continuum.apps.checks.models import CheckIndicator

BEFORE = [("checks", "0003_checkindicator")]


def _executor() -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor


@pytest.mark.django_db(transaction=True)
def test_checks_stored_before_the_rows_get_them_from_their_inputs_and_result():
    executor = _executor()
    executor.migrate(BEFORE)
    try:
        old_check = _executor().loader.project_state(BEFORE).apps.get_model("checks", "Check")
        stored = old_check.objects.create(
            public_id="migratorcheck0000001",
            framework_id="tiny",
            framework_name="Tiny",
            framework_version="1.0.0",
            framework_hash="sha256:x",
            engine_version="1",
            inputs={
                "indicators": ["harm-l3-1", "edu-l2-1"],
                "protective": ["family-p-1"],
                "suggested": ["harm-l3-1", "edu-l3-1"],
            },
            result={
                "drivers": [
                    {"indicator": "harm-l3-1", "level": 3, "domain": "harm"},
                    {"indicator": "edu-l2-1", "level": 2, "domain": "edu"},
                ],
                "protective_factors": [{"indicator": "family-p-1", "level": 1, "domain": "family"}],
            },
            recommended_level=3,
            recommended_level_name="Targeted",
        )
        bare = old_check.objects.create(
            public_id="migratorcheck0000002",
            framework_id="tiny",
            framework_name="Tiny",
            framework_version="1.0.0",
            framework_hash="sha256:x",
            engine_version="1",
            inputs={"facts": {"looked_after": True}},
            result={},
            recommended_level=1,
            recommended_level_name="Universal",
        )
    finally:
        # every app back to its latest migration: going back to BEFORE unapplied the apps built on checks
        executor = _executor()
        executor.migrate(executor.loader.graph.leaf_nodes())
    rows = {
        r.indicator_id: (r.level, r.domain, r.protective, r.offered, r.selected)
        for r in CheckIndicator.objects.filter(stored_check_id=stored.pk)
    }
    assert rows == {
        "harm-l3-1": (3, "harm", False, True, True),  # suggested and confirmed
        "edu-l2-1": (2, "edu", False, False, True),  # found by browsing
        "family-p-1": (1, "family", True, False, True),  # a strength
        "edu-l3-1": (None, "", False, True, False),  # suggested, not confirmed: only its words were kept
    }
    assert not CheckIndicator.objects.filter(stored_check_id=bare.pk).exists()
