"""Backup and restore drill on PostgreSQL: dump a populated database, restore it into a fresh one, nothing lost.

A throw-away database on the shared server gets the demo accounts and real casework through the
service functions (a check, a referral and its front-door decision, an early help episode, an
escalation); ``pg_dump -Fc`` backs it up and ``pg_restore`` restores it into a second new database.
The restored audit's hash chain verifies (``continuum audit verify``, the command an operator runs)
and every table has the same rows: the same count and the same digest of its contents. Both
databases are dropped afterwards.

Runs in the PostgreSQL pass of ``make test`` (marked ``web``; skipped when the suite runs on SQLite).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.drills.postgres import (
    continuum,
    django_env,
    pg_bin,
    populate,
    run,
    table_census,
    throwaway_database,
)

pytestmark = [pytest.mark.web, pytest.mark.slow]

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@pytest.mark.skipif(not ON_POSTGRES, reason="a PostgreSQL drill: runs in the PostgreSQL pass (DATABASE_URL)")
def test_a_restored_backup_verifies_and_has_every_row(tmp_path: Path):
    backup = tmp_path / "continuum.dump"
    with throwaway_database("drill_source") as source, throwaway_database("drill_restored") as restored:
        report = populate(source)
        assert "referral: " in report and "escalation: " in report

        run([pg_bin("pg_dump"), "-Fc", "--file", str(backup), source])
        assert backup.stat().st_size > 0
        run([pg_bin("pg_restore"), "--exit-on-error", "--dbname", restored, str(backup)])

        verified = continuum("audit", "verify", "--json", env=django_env(restored))
        assert verified.returncode == 0, verified.stdout + verified.stderr
        result = json.loads(verified.stdout)
        assert "Traceback" not in verified.stderr

        before, after = table_census(source), table_census(restored)
        assert sorted(after) == sorted(before)
        differing = {table: (before[table], after[table]) for table in before if before[table] != after[table]}
        assert differing == {}, f"tables that differ after the restore: {differing}"
        # The casework is there, not just empty tables that match.
        for table in (
            "accounts_user",
            "audit_auditevent",
            "checks_check",
            "referrals_referral",
            "frontdoor_triage",
            "earlyhelp_episode",
            "escalations_escalation",
        ):
            assert before[table][0] > 0, f"{table} is empty: the drill populated nothing there"
        assert result["ok"] is True and result["broken"] is None
        assert result["events"] == after["audit_auditevent"][0]  # the whole chain was walked
