"""The two PostgreSQL roles (ADR 0020): the owner migrates; the service's role appends to the audit and no more.

Each test run makes its own database and two roles with unique names on the shared server,
migrates as the owner with ``continuum db migrate``, then works as the service's role in
separate processes, as a deployment does, and drops them all at the end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from psycopg import sql

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="database roles are a PostgreSQL matter; this runs in make test's PostgreSQL pass",
)

# The server the suite runs on (make test: 127.0.0.1:5432, trust authentication), as its superuser.
_DB = connection.settings_dict
HOST = f"{_DB.get('HOST') or '127.0.0.1'}:{_DB.get('PORT') or 5432}"
SERVER = f"postgres://{_DB.get('USER') or 'postgres'}@{HOST}/postgres"
REPO = Path(__file__).resolve().parents[3]

# What the service does, as the service's role: a user, a stored check through the service (its
# audit event), views of it (the access log), a job through the real worker, a session.
SERVICE_WRITES = """
import django
django.setup()
from datetime import timedelta
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from django.utils import timezone
from continuum.apps.accounts.actor import Actor
from continuum.apps.accounts.models import User
from continuum.apps.audit.queries import events
from continuum.apps.audit.services import record_access
from continuum.apps.jobs.tasks import clear_expired_sessions
from continuum.apps.jobs.worker import run
from tests.apps.checks.factories import CheckFactory

User.objects.create_user("ada", password="a long enough password")
check = CheckFactory()
check.refresh_from_db()
for n in range(3):
    record_access(Actor.anonymous(), check, purpose=f"page {n}")
store = SessionStore()
store["answers"] = {"x": 1}
store.set_expiry(-60)
store.create()
clear_expired_sessions.enqueue()
run(batch=True, interval=0.1)
print("events", events().count())
"""


@dataclass(frozen=True)
class Deployment:
    database: str
    owner: str
    app: str
    env: dict[str, str]

    def url(self, role: str) -> str:
        return f"postgres://{role}@{HOST}/{self.database}"

    def connect(self, role: str) -> psycopg.Connection:
        return psycopg.connect(self.url(role), autocommit=True)

    def run(self, *args: str, code: str | None = None) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "continuum", *args]
        return subprocess.run(command, env=self.env, cwd=REPO, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    suffix = uuid.uuid4().hex[:12]
    names = {
        "database": f"continuum_roles_{suffix}",
        "owner": f"continuum_owner_{suffix}",
        "app": f"continuum_app_{suffix}",
    }
    with psycopg.connect(SERVER, autocommit=True) as server:
        server.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(names["owner"])))
        server.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(names["app"])))
        server.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(names["database"]), sql.Identifier(names["owner"])
            )
        )
    data = tmp_path_factory.mktemp("roles")
    deployment = Deployment(**names, env={})
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="continuum.web.settings.test",
        DATABASE_URL=deployment.url(names["app"]),
        MIGRATION_DATABASE_URL=deployment.url(names["owner"]),
        CONTINUUM_DATA_DIR=str(data),
        PYTHONPATH=str(REPO),
    )
    deployment = Deployment(**names, env=env)
    try:
        yield deployment
    finally:
        with psycopg.connect(SERVER, autocommit=True) as server:
            server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(names["database"])))
            for role in (names["app"], names["owner"]):
                server.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


@pytest.fixture(scope="module")
def migrated(deployment: Deployment) -> Deployment:
    result = deployment.run("db", "migrate")
    assert result.returncode == 0, result.stderr
    assert f"{deployment.app} may read and write" in result.stdout
    return deployment


@pytest.fixture(scope="module")
def served(migrated: Deployment) -> tuple[Deployment, subprocess.CompletedProcess[str]]:
    """The deployment after the service, as its own role, did its ordinary writes."""
    return migrated, migrated.run(code=SERVICE_WRITES)


def test_migrations_ran_as_the_owner_who_owns_every_table(migrated):
    with migrated.connect(migrated.owner) as conn:
        owners = dict(
            conn.execute("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public'").fetchall()
        )
    assert owners["audit_auditevent"] == migrated.owner
    assert set(owners.values()) == {migrated.owner}


def test_the_service_works_as_its_role_and_the_chain_verifies(served):
    migrated, writes = served
    assert writes.returncode == 0, writes.stderr
    written = int(writes.stdout.split("events ")[-1])
    assert written >= 4  # at least the check's event and three views
    verify = migrated.run("audit", "verify", "--json")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    result = json.loads(verify.stdout)
    assert result["ok"] and result["events"] == written
    with migrated.connect(migrated.app) as conn:
        assert conn.execute("SELECT count(*) FROM django_session").fetchone() == (0,)  # the expired one purged
        assert conn.execute(
            "SELECT status FROM django_tasks_database_dbtaskresult WHERE status = 'SUCCESSFUL'"
        ).fetchone()


REFUSED = {
    "update": "UPDATE audit_auditevent SET actor = 'someone else'",
    "delete": "DELETE FROM audit_auditevent",
    "delete-with-trim-setting": (
        "SELECT set_config('continuum.audit_trim_through', '999999', false); DELETE FROM audit_auditevent"
    ),
    "truncate": "TRUNCATE audit_auditevent",
    "drop-trigger": "DROP TRIGGER audit_auditevent_no_change ON audit_auditevent",
    "disable-triggers": "ALTER TABLE audit_auditevent DISABLE TRIGGER USER",
    "alter-table": "ALTER TABLE audit_auditevent ADD COLUMN note text",
    "drop-table": "DROP TABLE audit_auditevent",
    "replace-trigger-function": (
        "CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$ BEGIN RETURN OLD; END; "
        "$$ LANGUAGE plpgsql"
    ),
    "create-table": "CREATE TABLE shadow (id int)",
}


@pytest.mark.parametrize("statement", REFUSED.values(), ids=REFUSED.keys())
def test_the_services_role_cannot_change_remove_or_unprotect_events(served, statement):
    migrated, _ = served
    with migrated.connect(migrated.owner) as owner:
        before = owner.execute("SELECT count(*), max(hash) FROM audit_auditevent").fetchone()
    assert before[0] > 0, "the service has written events"
    with migrated.connect(migrated.app) as app, pytest.raises(psycopg.errors.InsufficientPrivilege):
        app.execute(statement)
    with migrated.connect(migrated.owner) as owner:
        after = owner.execute("SELECT count(*), max(hash) FROM audit_auditevent").fetchone()
        triggers = owner.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditevent'::regclass AND tgenabled = 'O' AND NOT tgisinternal"
        ).fetchall()
    assert after == before
    assert {name for (name,) in triggers} == {"audit_auditevent_no_change", "audit_auditevent_no_truncate"}


def test_the_services_role_may_append_and_read_the_audit(migrated):
    with migrated.connect(migrated.app) as app:
        privileges = app.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE table_name = 'audit_auditevent' AND grantee = current_user"
        ).fetchall()
    assert {name for (name,) in privileges} == {"INSERT", "SELECT"}


def test_the_trim_function_keeps_its_owners_floor_whoever_calls_it(served):
    """The service may call the trim function, but it cannot trim events younger than the retention."""
    migrated, _ = served
    with migrated.connect(migrated.app) as app:
        newest = app.execute("SELECT max(sequence) FROM audit_auditevent").fetchone()[0]
        with pytest.raises(psycopg.errors.RaiseException, match="younger than the access-log retention"):
            app.execute("SELECT audit_trim_access_log(%s)", [newest])


def test_a_table_a_later_migration_makes_is_the_services_too(migrated):
    """Default privileges: the owner's new tables are read and written by the service without a new grant."""
    with migrated.connect(migrated.owner) as owner:
        owner.execute("CREATE TABLE later_feature (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, note text)")
    with migrated.connect(migrated.app) as app:
        app.execute("INSERT INTO later_feature (note) VALUES ('x')")
        app.execute("UPDATE later_feature SET note = 'y'")
        assert app.execute("DELETE FROM later_feature").rowcount == 1


def test_the_command_refuses_to_grant_the_owner_or_a_superuser(migrated):
    for role, why in ((migrated.owner, "the owner"), ("postgres", "superuser")):
        result = migrated.run("db", "grant-app-role", "--role", role)
        assert result.returncode != 0
        assert why in result.stderr


def test_migrate_as_the_service_with_nothing_pending_passes(served):
    """`continuum serve` migrates at start-up: as the service's role, once the owner has migrated, that is a no-op."""
    migrated, _ = served
    result = subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--check"],
        env=migrated.env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    plain = subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--verbosity", "0"],
        env=migrated.env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert plain.returncode == 0, plain.stderr
