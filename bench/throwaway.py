"""A throwaway PostgreSQL database for a benchmark: created (or reused), migrated, dropped at the end.

The benchmarks that load data through Django (bench/audit.py, earlyhelp.py, frontdoor.py, reports.py)
share this, and bench/web.py its create and drop::

    parser = argparse.ArgumentParser()
    throwaway.add_arguments(parser, BENCH_DB, keep=True)  # --postgres, and --reuse / --keep / --drop
    args = parser.parse_args()
    if throwaway.only_drop(args, BENCH_DB):
        return
    with throwaway.database(args.postgres, BENCH_DB, reuse=args.reuse, keep=args.keep) as database_url:
        ...  # Django is set up on it and migrated; its connections are closed after, then it is dropped

Plus the helpers they time and print with: :func:`log`, :func:`percentile` and :func:`timed`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORKS = ROOT / "frameworks"
SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def timed(calls: int, fn: Callable[[int], Any]) -> list[float]:
    """Milliseconds of each of ``calls`` calls ``fn(i)``, after five to warm up."""
    for i in range(5):
        fn(i)
    out = []
    for i in range(calls):
        started = time.perf_counter()
        fn(i + 5)
        out.append((time.perf_counter() - started) * 1000)
    return out


def url_of(server_url: str, name: str) -> str:
    """The URL of database ``name`` on the server of ``server_url`` (an admin URL)."""
    parts = urllib.parse.urlsplit(server_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def create_database(server_url: str, name: str) -> str:
    """A fresh, empty database ``name`` (one left by an earlier run is dropped first); returns its URL."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url_of(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(database_url: str, frameworks: Path | None = FRAMEWORKS) -> None:
    """Django's test settings on ``database_url``, offering ``frameworks`` (None: the settings' own), migrated."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "continuum.web.settings.test"
    if frameworks is not None:
        os.environ["CONTINUUM_FRAMEWORKS_DIR"] = str(frameworks)
    os.environ["CONN_MAX_AGE"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def add_arguments(parser: argparse.ArgumentParser, name: str, *, keep: bool = False) -> None:
    """``--postgres`` (the server's admin URL); with ``keep``, ``--reuse``, ``--keep`` and ``--drop`` too."""
    parser.add_argument("--postgres", default=SERVER)
    if keep:
        parser.add_argument("--reuse", action="store_true", help=f"measure an existing {name} (loaded with --keep)")
        parser.add_argument("--keep", action="store_true", help=f"keep {name} for the next run (--reuse)")
        parser.add_argument("--drop", action="store_true", help=f"only drop {name}")


def only_drop(args: argparse.Namespace, name: str) -> bool:
    """With ``--drop``: drop the database ``name`` kept by an earlier run, and say so (the run does nothing else)."""
    if not getattr(args, "drop", False):
        return False
    drop_database(args.postgres, name)
    return True


def kept_or_dropped(keep: bool) -> str:
    return "kept: --reuse measures it again, --drop drops it" if keep else "dropped"


@contextmanager
def database(
    server_url: str, name: str, *, reuse: bool = False, keep: bool = False, frameworks: Path | None = FRAMEWORKS
) -> Iterator[str]:
    """Database ``name`` created afresh (or, with ``reuse``, the one kept by an earlier run), Django set up on
    it and migrated; yields its URL. After the block its connections are closed, then it is dropped unless
    ``keep`` (dropped also when the block fails)."""
    database_url = url_of(server_url, name) if reuse else create_database(server_url, name)
    try:
        log(f"database {name}: migrating")
        setup_django(database_url, frameworks)
        yield database_url
        from django.db import connections

        connections.close_all()
    finally:
        if not keep:
            drop_database(server_url, name)
