"""The server's time per page, in process: the pages bench/load.py asks for, one request at a time.

Issue 19 wants the result page's p95 at or under 150 ms under a 200 req/s mix on two cores that
are saturated, so every millisecond of server CPU a request costs is queueing for every other.
This measures that cost without the network, the server or other requests: Django's test
``Client`` against the base settings (as ``continuum serve`` runs, ``DEBUG`` off), SQLite in a
throw-away data directory, the repository's frameworks. The pages are bench/load.py's:

- **start page**: ``/`` for an anonymous practitioner;
- **result page**: a stored check's page, replayed and its view written to the access log, opened
  by the browser session that made it (so with the judgement form), the check made as bench/load.py
  makes it (``--framework``, a child of 7, disabled, no indicators);
- **result page (indicators)**: the same for a check with indicators at several levels, which
  shows reasons, quotes and next steps (a fuller page than the bench's);
- **front-door queue (signed in)**: ``/front-door/`` for a front-door worker of the partnership,
  signed in with a verified code (``tests/people.py``);
- **concern step POST**: a practitioner's words posted to ``/checks/new/concern`` of a check in
  progress, matched by meaning and stored in the session (answered with a redirect), each time
  the next of bench/load.py's forty concerns (``bench/data/match_eval.jsonl``), so every post is
  matched afresh.

Each page is asked ``--warmup`` times (not counted) then ``--requests`` times, in turn. Prints,
per page, the median, 95th percentile and mean of the time in ``Client.get`` (the whole of Django:
middleware, view, queries, templates), the median of the process's CPU time in it (all its threads: the concern step is matched on a pool's), and the SQL
queries per request (min-max). ``--also SETTING=VALUE`` measures the result pages under that
setting too, interleaved in the same run (``CHECK_PAGE_CACHE_SECONDS=0``: without the cache of the
check page's recorded part, checks/recorded.py). ``--env NAME=VALUE`` sets what the settings read
(e.g. the page cache in Redis, whose keys then expire on their own). ``--profile
PAGE`` prints cProfile's top functions for that page's requests instead of timing (slower; ``--sort
tottime`` orders them by their own time).

    .venv/bin/python bench/pages.py                       # 200 requests a page
    .venv/bin/python bench/pages.py --requests 500 --json
    .venv/bin/python bench/pages.py --profile result --requests 100
    .venv/bin/python bench/pages.py --also CHECK_PAGE_CACHE_SECONDS=0      # with and without the page cache
    .venv/bin/python bench/pages.py --env CHECK_PAGE_CACHE_URL=redis://127.0.0.1:6379/15
    nice -n 19 .venv/bin/python bench/pages.py            # on a machine shared with other work

Figures on a busy machine are noisy: compare runs made one after the other, or at once from two
source trees (``PYTHONPATH=/elsewhere/src .venv/bin/python bench/pages.py`` runs another tree's code).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]  # tests.people, tests' factories; throwaway

from throwaway import percentile  # noqa: E402

START, RESULT, RESULT_FULL, QUEUE, CONCERN = (
    "start page",
    "result page",
    "result page (indicators)",
    "front-door queue",
    "concern step POST",
)
SHORT = {"start": START, "result": RESULT, "result-full": RESULT_FULL, "queue": QUEUE, "concern": CONCERN}


def setup(data_dir: str, environment: list[str]) -> None:
    """Django on the base settings, its data (SQLite) in ``data_dir``, prepared as ``continuum serve`` does."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "continuum.web.settings.base",
            "CONTINUUM_DATA_DIR": data_dir,
            "CONTINUUM_FRAMEWORKS_DIR": str(ROOT / "frameworks"),
            "SECRET_KEY": "bench-only",
            "ALLOWED_HOSTS": "testserver",
            # One session posts every concern here, far past a practitioner's limit: the limits' own
            # cost (a cache read and write a post) is left out with them. `--env RATE_LIMITS=true` keeps them.
            "RATE_LIMITS": "false",
        }
    )
    for name in ("DATABASE_URL", "CACHE_URL", "DEBUG"):
        os.environ.pop(name, None)
    for assignment in environment:
        name, _, value = assignment.partition("=")
        os.environ[name] = value
    from continuum.web.serve import prepare

    prepare()  # as `continuum serve` does: Django set up, migrated, static files collected, frameworks loaded


def _value(text: str) -> Any:
    """A setting's value from the command line: JSON (numbers, true, ...) where it parses, else the text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def stored_check_page(framework: str) -> tuple[Any, str]:
    """A browser session that made a check as bench/load.py's practitioners do, and its page's path."""
    from django.test import Client

    client = Client()
    client.post("/checks/new/partnership", {"partnership": framework})
    client.post("/checks/new/child", {"age_years": "7", "facts": ["disabled"]})
    stored = client.post("/checks/new/answers", {})
    if stored.status_code != 302:
        raise SystemExit(f"could not store a check: {stored.status_code}")
    return client, stored["Location"]


def fuller_check_page(framework: str) -> tuple[Any, str]:
    """A browser session that made a check with an indicator at each of the framework's first levels."""
    from django.test import Client
    from django.urls import reverse
    from tests.apps.checks.factories import made_in

    from continuum.apps.accounts.actor import Actor
    from continuum.apps.checks import services
    from continuum.apps.partnerships.catalogue import catalogue

    loaded = catalogue().get(framework)
    assert loaded is not None, framework
    by_level: dict[int, str] = {}
    for indicator in loaded.framework.indicators:
        if not indicator.protective:
            by_level.setdefault(indicator.level, indicator.id)
    chosen = [by_level[n] for n in sorted(by_level)[:3]]
    check = services.create_check(
        loaded, {"indicators": chosen, "age_years": 7.0, "facts": {"disabled": True}}, actor=Actor.anonymous()
    )
    client = Client()
    made_in(client, check)
    return client, reverse("checks:detail", kwargs={"public_id": check.public_id})


def concern_poster(framework: str) -> Callable[[], Any]:
    """A browser session with a check in progress, posting bench/load.py's concerns in turn."""
    from django.test import Client

    client = Client()
    client.post("/checks/new/partnership", {"partnership": framework})
    client.post("/checks/new/child", {"age_years": "7", "facts": ["disabled"]})
    lines = (ROOT / "bench" / "data" / "match_eval.jsonl").open()
    texts = [json.loads(line)["text"] for line in lines][:40]
    posted = 0

    def post() -> Any:
        nonlocal posted
        posted += 1
        return client.post("/checks/new/concern", {"text": texts[posted % len(texts)]})

    return post


def front_door_client(framework: str) -> Any:
    from tests.people import client_for, member

    from continuum.apps.accounts.actor import Role

    return client_for(member(Role.FRONT_DOOR_WORKER, framework))


@contextmanager
def counting_queries(counts: list[int]) -> Iterator[None]:
    """Append the number of SQL queries run in the block to ``counts`` (a cheap wrapper, no query log)."""
    from django.db import connection

    n = 0

    def count(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal n
        n += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield
    counts.append(n)


@contextmanager
def settings_as(overrides: dict[str, Any]) -> Iterator[None]:
    """Django's settings with ``overrides`` for the block: set in place, as read on each request (not through
    ``override_settings``, whose wrapper would make every setting read of the request slower)."""
    from django.conf import settings

    before = {name: getattr(settings, name) for name in overrides}
    for name, value in overrides.items():
        setattr(settings, name, value)
    try:
        yield
    finally:
        for name, value in before.items():
            setattr(settings, name, value)


Page = tuple[Callable[[], Any], dict[str, Any]]  # how to ask for it, and the settings to ask under


def measure(pages: dict[str, Page], warmup: int, requests: int) -> dict[str, dict[str, Any]]:
    """Each page ``warmup`` times, then ``requests`` times in turn: milliseconds (wall and the process's CPU)
    and queries per request."""
    for _ in range(warmup):
        for ask, overrides in pages.values():
            with settings_as(overrides):
                ask()
    times: dict[str, list[float]] = {label: [] for label in pages}
    cpu: dict[str, list[float]] = {label: [] for label in pages}
    queries: dict[str, list[int]] = {label: [] for label in pages}
    for _ in range(requests):
        for label, (ask, overrides) in pages.items():
            with settings_as(overrides), counting_queries(queries[label]):
                started, started_cpu = time.perf_counter(), time.process_time()
                response = ask()
                cpu[label].append((time.process_time() - started_cpu) * 1000)
                times[label].append((time.perf_counter() - started) * 1000)
            if response.status_code != (302 if label.startswith(CONCERN) else 200):
                raise SystemExit(f"{label}: status {response.status_code}")
    return {
        label: {
            "p50_ms": round(statistics.median(times[label]), 2),
            "p95_ms": round(percentile(times[label], 95), 2),
            "mean_ms": round(statistics.fmean(times[label]), 2),
            "cpu_p50_ms": round(statistics.median(cpu[label]), 2),
            "queries": [min(queries[label]), max(queries[label])],
            "requests": requests,
        }
        for label in pages
    }


def profile(ask: Callable[[], Any], requests: int, top: int, order: str) -> None:
    for _ in range(5):
        ask()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        ask()
    profiler.disable()
    pstats.Stats(profiler).sort_stats(order).print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="measured requests per page (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="requests per page first, not measured (default 20)")
    parser.add_argument("--framework", default="bury", help="the partnership (default bury, as bench/load.py)")
    parser.add_argument("--profile", choices=sorted(SHORT), help="cProfile this page instead of timing")
    parser.add_argument("--top", type=int, default=40, help="functions --profile prints (default 40)")
    parser.add_argument(
        "--sort", default="cumulative", choices=("cumulative", "tottime"), help="--profile's order (default cumulative)"
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="the environment the settings read, e.g. CHECK_PAGE_CACHE_URL=redis://127.0.0.1:6379/15",
    )
    parser.add_argument(
        "--also",
        action="append",
        default=[],
        metavar="SETTING=VALUE",
        help="measure the result pages under this Django setting too, in the same run, e.g. CHECK_PAGE_CACHE_SECONDS=0",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        setup(data_dir, args.env)
        practitioner, result_path = stored_check_page(args.framework)
        fuller, fuller_path = fuller_check_page(args.framework)
        worker = front_door_client(args.framework)
        asks: dict[str, Callable[[], Any]] = {
            START: lambda: practitioner.get("/"),
            RESULT: lambda: practitioner.get(result_path),
            RESULT_FULL: lambda: fuller.get(fuller_path),
            QUEUE: lambda: worker.get("/front-door/"),
            CONCERN: concern_poster(args.framework),
        }
        pages: dict[str, Page] = {label: (ask, {}) for label, ask in asks.items()}
        for assignment in args.also:
            name, _, value = assignment.partition("=")
            overrides = {name: _value(value)}
            pages |= {f"{label} [{assignment}]": (asks[label], overrides) for label in (RESULT, RESULT_FULL)}
        if args.profile:
            profile(asks[SHORT[args.profile]], args.requests, args.top, args.sort)
            return
        result = measure(pages, args.warmup, args.requests)
        from django.db import connections

        connections.close_all()
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{args.requests} requests a page after {args.warmup} unmeasured; SQLite; {args.framework}; {args.env or ''}")
    width = max(len(label) for label in result) + 1
    print(f"{'page':<{width}} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8} {'CPU p50':>8} {'queries':>8}")
    for label, row in result.items():
        low, high = row["queries"]
        spread = str(low) if low == high else f"{low}-{high}"
        times = f"{row['p50_ms']:>8.2f} {row['p95_ms']:>8.2f} {row['mean_ms']:>8.2f} {row['cpu_p50_ms']:>8.2f}"
        print(f"{label:<{width}} {times} {spread:>8}")


if __name__ == "__main__":
    main()
