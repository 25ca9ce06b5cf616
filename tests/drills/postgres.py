"""Throw-away PostgreSQL databases and clusters for the drills; never the shared server's own databases."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
_TEST_DATABASE = os.environ.get("DATABASE_URL", "")
# The shared server's maintenance database: the one the suite's PostgreSQL pass uses, else the usual local one.
SHARED = os.environ.get("DRILL_POSTGRES_URL") or (
    urlunsplit(urlsplit(_TEST_DATABASE)._replace(path="/postgres"))
    if _TEST_DATABASE.startswith(("postgres://", "postgresql://"))
    else "postgres://postgres@127.0.0.1:5432/postgres"
)


def pg_bin(name: str) -> str:
    """A PostgreSQL program: the newest installed server's, else the one on PATH."""
    for directory in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (directory / name).exists():
            return str(directory / name)
    found = shutil.which(name)
    if found is None:
        from tests.conftest import missing_part

        missing_part(f"{name} is not installed (PostgreSQL's client programs): run scripts/system-deps")
    return str(found)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def connect(url: str) -> Any:
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=5)


@contextmanager
def throwaway_database(prefix: str, server: str = SHARED) -> Iterator[str]:
    """A new, empty database with a unique name on ``server``; dropped afterwards, whatever happens."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        with connect(server) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # any reason the server cannot be used
        from tests.conftest import missing_part

        missing_part(f"PostgreSQL at {urlsplit(server).netloc} cannot make a database: {exc}")
    try:
        yield with_database(server, name)
    finally:
        with connect(server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def django_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a ``continuum`` or Django process using ``database_url`` and the repository's frameworks."""
    env = os.environ | {
        "DATABASE_URL": database_url,
        "CONTINUUM_FRAMEWORKS_DIR": str(REPO / "frameworks"),
        "SECRET_KEY": "drill-only-not-secret",
        "CONTINUUM_MATCH_MODE": "lexical",
        "PYTHONPATH": str(REPO),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env | extra


def run(args: list[str], env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run a program to completion; a failure shows its output."""
    done = subprocess.run(args, env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(args[:3])} ... exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


def populate(database_url: str) -> str:
    """Migrate and fill ``database_url`` (tests/drills/populate.py in its own process); its report."""
    env = django_env(database_url, DJANGO_SETTINGS_MODULE="continuum.web.settings.test")
    return run([sys.executable, "-m", "tests.drills.populate"], env=env).stdout


def continuum(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "continuum"), *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def table_census(database_url: str) -> dict[str, tuple[int, str]]:
    """Every table of the public schema: its row count and a digest of its rows in a fixed order."""
    census: dict[str, tuple[int, str]] = {}
    with connect(database_url) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        for table in tables:
            count, digest = conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), '')) FROM \"{table}\" t"
            ).fetchone()
            census[table] = (count, digest)
    return census


class Cluster:
    """A PostgreSQL cluster of the test's own (initdb in a temporary directory, its own port), never the shared server.

    As root, the server programs run as the ``postgres`` system user (PostgreSQL refuses root).
    """

    def __init__(self, directory: Path, port: int):
        self.directory, self.port = directory, port
        self.data, self.log = directory / "data", directory / "server.log"
        self.url = f"postgres://postgres@127.0.0.1:{port}/postgres"

    def _as_owner(self, args: list[str]) -> list[str]:
        if os.geteuid() != 0:
            return args
        runuser = shutil.which("runuser")
        if runuser is None:
            from tests.conftest import missing_part

            missing_part("runuser is not installed (needed to run PostgreSQL's server as a non-root user)")
        return [str(runuser), "-u", "postgres", "--", *args]

    def create(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        run(self._as_owner([pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync"]))

    def start(self) -> None:
        # fsync off: a throw-away cluster need not survive the machine crashing (only its own processes
        # stopping, which the operating system's cache survives); commits stay synchronous.
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        run(self._as_owner([pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start"]))

    def stop(self, mode: str = "fast") -> None:
        run(self._as_owner([pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]))

    def running(self) -> bool:
        status = subprocess.run(self._as_owner([pg_bin("pg_ctl"), "-D", str(self.data), "status"]), capture_output=True)
        return status.returncode == 0


@contextmanager
def own_cluster(directory: Path, port: int) -> Iterator[Cluster]:
    """A started cluster of the test's own; stopped (immediately) and removed afterwards."""
    cluster = Cluster(directory, port)
    cluster.create()
    cluster.start()
    try:
        yield cluster
    finally:
        if cluster.running():
            cluster.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)
