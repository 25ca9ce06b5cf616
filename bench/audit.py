"""How long does `continuum audit verify` take over 1,000,000 events, and what does the audit add to a request?

On PostgreSQL, in a throwaway database (``continuum_bench_audit``, dropped at the end):

1. migrate, then insert N chained events with COPY, each hashed in Python with the service's
   own canonical form (:func:`continuum.apps.audit.chain.event_hash`);
2. time ``continuum audit verify --json`` over them as a separate process (what an operator
   runs), with its peak memory;
3. with the chain N events long, time the same state-changing calls with and without the
   audit write, interleaved so that both see the same machine: storing a check through the
   service (assess + insert + audit), a minimal insert of a stored check in a transaction,
   and the check's page through Django's request handler (with and without its access-log
   write). p50/p95 per call.

    .venv/bin/python bench/audit.py [--events 1000000] [--calls 300]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres]

Bounded: one COPY, one verify, ``--calls`` iterations per measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import throwaway
from continuum.apps.audit import chain  # pure: hashing only, no Django
from throwaway import ROOT, log, percentile

TINY = ROOT / "tests" / "fixtures" / "frameworks" / "tiny"
BENCH_DB = "continuum_bench_audit"
COLUMNS = (*chain.HASHED_FIELDS, "hash", "access")  # the columns COPY fills: hashed ones in verify's order
ACCESS_VERBS = {"checks.viewed", "checks.exported"}  # registered with access=True (the access log)


# --- 1. a million chained events -----------------------------------------------------------


def synthetic_events(count: int) -> Iterator[tuple[Any, ...]]:
    """Events shaped like the service's (record, view, judge, export), chained with the service's hash."""
    kinds = [
        ("checks.recorded", lambda i: {"framework": {"id": "tiny", "version": "1.0.0", "hash": f"{i:064x}"},
                                       "recommended_level": 2, "immediate_danger": False}),
        ("checks.viewed", lambda i: {"purpose": "page"}),
        ("checks.judged", lambda i: {"judgement": "agree", "recommended_level": 2, "own_level": None,
                                     "reason": "", "previous": None}),
        ("checks.exported", lambda i: {"purpose": "pdf"}),
    ]  # fmt: skip
    start = datetime.now(UTC) - timedelta(seconds=count)
    prev_hash = chain.GENESIS
    for i in range(count):
        sequence = i + 1
        verb, make_payload = kinds[i % len(kinds)]
        content = {
            "sequence": sequence,
            "created_at": start + timedelta(seconds=i, microseconds=(i * 7919) % 1_000_000),
            "actor": f"user{i % 500}" if i % 3 else "anonymous",
            "actor_user_id": None,
            "partnership": "tiny",
            "role": "practitioner" if i % 3 else "",
            "request_id": f"{i:032x}",
            "verb": verb,
            "target_type": "checks.check",
            "target_id": f"bench{i // 4:017d}",
            "payload": make_payload(i),
            "prev_hash": prev_hash,
        }
        digest = chain.event_hash(**content)
        payload = chain.canonical_json(content["payload"])
        yield (*(content[c] for c in COLUMNS[:-4]), payload, prev_hash, digest, verb in ACCESS_VERBS)
        prev_hash = digest


def insert_events(count: int) -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(f"COPY audit_auditevent ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for n, row in enumerate(synthetic_events(count), start=1):
                copy.write_row(row)
                if n % 200_000 == 0:
                    log(f"  inserted {n:,} events ({time.perf_counter() - started:.0f} s)")
        cursor.execute("ANALYZE audit_auditevent")
    return time.perf_counter() - started


# --- 2. verify ----------------------------------------------------------------------------


def run_verify(database_url: str) -> tuple[float, dict[str, Any], float]:
    """``continuum audit verify --json`` as its own process: seconds, its report, peak RSS (MiB)."""
    env = os.environ | {"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "continuum.web.settings.test"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "continuum", "audit", "verify", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"audit verify failed ({done.returncode}): {done.stdout}{done.stderr}")
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, json.loads(done.stdout), peak_mib


# --- 3. audit write overhead ----------------------------------------------------------------


def timed_pairs(
    calls: int, without: Callable[[], Any], with_audit: Callable[[], Any]
) -> tuple[list[float], list[float]]:
    """Run both, alternating which goes first, ``calls`` times each after a short warm-up; ms each."""
    for _ in range(5):
        without()
        with_audit()
    plain: list[float] = []
    audited: list[float] = []
    for i in range(calls):
        order = ((without, plain), (with_audit, audited))
        for fn, sink in order if i % 2 == 0 else reversed(order):
            started = time.perf_counter()
            fn()
            sink.append((time.perf_counter() - started) * 1000)
    return plain, audited


def measure_overhead(calls: int) -> list[tuple[str, list[float], list[float]]]:
    from unittest import mock

    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from continuum.apps.accounts.actor import Actor
    from continuum.apps.checks import services
    from continuum.apps.checks.models import Check
    from continuum.frameworks import load_framework

    loaded = load_framework(TINY)
    inputs = {"indicators": ["edu-l2-1"], "protective": [], "facts": {}, "age_years": 8.0, "text": "often late"}
    actor = Actor.for_system("bench")
    template = services.create_check(loaded, inputs, actor=actor)
    fields = {
        f.name: getattr(template, f.name)
        for f in Check._meta.concrete_fields
        if f.name not in {"id", "public_id", "created_at", "updated_at"} and not f.primary_key
    }

    def no_audit(*args: Any, **kwargs: Any) -> None:
        return None

    def create_with() -> Any:
        return services.create_check(loaded, inputs, actor=actor)

    def create_without() -> Any:
        with mock.patch.object(services, "record", no_audit):
            return services.create_check(loaded, inputs, actor=actor)

    def insert_with() -> None:
        with transaction.atomic():
            check = Check.objects.create(**fields)
            services.record("checks.recorded", target=check, actor=actor, payload={"recommended_level": 2})

    def insert_without() -> None:
        with transaction.atomic():
            Check.objects.create(**fields)

    client = Client(HTTP_HOST="127.0.0.1")
    page = reverse("checks:detail", kwargs={"public_id": template.public_id})

    def page_with() -> None:
        assert client.get(page).status_code == 200

    def page_without() -> None:
        with mock.patch.object(services, "record_access", no_audit):
            assert client.get(page).status_code == 200

    results = []
    for label, without, with_audit in (
        ("store a check (service: assess, insert, audit)", create_without, create_with),
        ("minimal change (insert one row in a transaction)", insert_without, insert_with),
        ("GET the check's page (Django handler; access log)", page_without, page_with),
    ):
        log(f"  {label}")
        plain, audited = timed_pairs(calls, without, with_audit)
        results.append((label, plain, audited))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=300)
    throwaway.add_arguments(parser, BENCH_DB)
    args = parser.parse_args()

    # the test settings' own framework (tiny), static from source
    with throwaway.database(args.postgres, BENCH_DB, frameworks=None) as database_url:
        log(f"inserting {args.events:,} chained events with COPY")
        insert_seconds = insert_events(args.events)
        from django.db import connections

        connections.close_all()
        log("continuum audit verify")
        verify_seconds, report, peak_mib = run_verify(database_url)
        assert report["ok"] and report["events"] == args.events, report
        log(f"audit write overhead, {args.calls} calls each")
        overhead = measure_overhead(args.calls)

    print(f"\nAudit benchmark on PostgreSQL ({BENCH_DB}, dropped), {args.events:,} events")
    print(f"  insert (hash in Python + COPY): {insert_seconds:8.1f} s  {args.events / insert_seconds:10,.0f} events/s")
    print(f"  continuum audit verify:         {verify_seconds:8.1f} s  {args.events / verify_seconds:10,.0f} events/s")
    print(f"    verdict: ok={report['ok']}, events={report['events']:,}, peak memory of the process {peak_mib:.0f} MiB")
    print(
        f"\nAudit write overhead per call, the chain {args.events:,} events long ({args.calls} calls each, interleaved)"
    )
    header = f"  {'call':52} {'p50 without':>12} {'p50 with':>9} {'p95 without':>12} {'p95 with':>9} {'+p50':>8}"
    print(header)
    print("  " + "-" * (len(header) - 2))
    for label, plain, audited in overhead:
        p50a, p50b = statistics.median(plain), statistics.median(audited)
        p95a, p95b = percentile(plain, 95), percentile(audited, 95)
        print(f"  {label:52} {p50a:9.2f} ms {p50b:6.2f} ms {p95a:9.2f} ms {p95b:6.2f} ms {p50b - p50a:+6.2f} ms")


if __name__ == "__main__":
    main()
