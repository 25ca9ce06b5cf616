"""The partnership's reports at scale: each dashboard and the calibration report over 1,000,000 contacts.

In a throwaway PostgreSQL database (``continuum_bench_reports``, created and dropped here):

1. migrate; COPY N contacts (referrals) for one partnership over three years and their front-door
   decisions (outcomes, levels, deadlines, feedback, re-referral links), one agency check for one
   contact in ten, and N/5 stored checks with three indicator rows each (the calibration's input);
2. each page's figures through :mod:`continuum.apps.reports.queries` (the dashboard, the calibration
   report; the default twelve months, and with --whole-range the three years) against the same headline figures
   from one hand-written SQL query per page in the same run — the figures must agree; p50/p95 each;
   the dashboard page through Django's test client once for the rendering;
3. export throughput (rows/s) of the streamed CSV lists, consuming the generator as the response would.

    .venv/bin/python bench/reports.py [--contacts 1000000] [--calls 3] [--whole-range]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres]

Bounded: three COPYs, ``--calls`` runs per page (under 10 minutes with the defaults on two cores).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

import throwaway
from throwaway import ROOT, log, percentile

BENCH_DB = "continuum_bench_reports_1m"  # kept between runs with --keep / --reuse (loading takes minutes)
PARTNERSHIP = "central-bedfordshire"
OUTCOMES = (("nfa", 30), ("advice-signpost", 20), ("early-help", 20), ("assessment-s17", 20), ("strategy-s47", 8),
            ("immediate-protection", 2))  # fmt: skip
STATUTORY = ("assessment-s17", "strategy-s47", "immediate-protection")


# --- 1. the data ---------------------------------------------------------------------------------


def _copy(model: Any, rows: Iterator[dict[str, Any]]) -> int:
    """COPY ``rows`` (dicts by attribute name) into ``model``'s table; unset fields take their defaults."""
    from django.db import connection
    from django.utils import timezone

    columns = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    defaults = {f.attname: now if getattr(f, "auto_now_add", False) else f.get_default() for f in columns}
    count = 0
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no stale-day triggers per row: marked after
        names = ", ".join(f.column for f in columns)
        with cursor.cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
            for row in rows:
                values = []
                for f in columns:
                    value = row.get(f.attname, defaults[f.attname])
                    values.append(json.dumps(value) if f.get_internal_type() == "JSONField" else value)
                copy.write_row(values)
                count += 1
                if count % 250_000 == 0:
                    log(f"    {count:,} rows into {model._meta.db_table}")
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [model._meta.db_table, count])
        cursor.execute(f"ANALYZE {model._meta.db_table}")
        cursor.execute("SET session_replication_role = DEFAULT")
    return count


def load(contacts: int) -> tuple[float, datetime]:
    """COPY the contacts, their decisions, agency checks and checks; returns the seconds and 'now'."""
    from django.utils import timezone

    from continuum.apps.accounts.actor import Role
    from continuum.apps.accounts.models import Membership, User
    from continuum.apps.checks.models import Check, CheckIndicator
    from continuum.apps.frontdoor.models import AgencyCheck, Triage
    from continuum.apps.referrals.models import Family, Referral

    started = time.perf_counter()
    now = timezone.now()
    rng = random.Random(17)
    worker = User.objects.create(username="bench-worker", email="worker@bench.example")
    Membership.objects.create(user=worker, partnership=PARTNERSHIP, role=Role.FRONT_DOOR_WORKER)
    family = Family.objects.create(partnership=PARTNERSHIP)
    checks = contacts // 5
    span_minutes = 3 * 365 * 24 * 60
    received = sorted(now - timedelta(minutes=rng.randint(0, span_minutes)) for _ in range(contacts))
    outcome_pool = [code for code, weight in OUTCOMES for _ in range(weight)]

    def check_rows() -> Iterator[dict[str, Any]]:
        for i in range(checks):
            recommended = rng.choice((2, 3, 3, 4))
            judgement = rng.choice(("agree", "agree", "agree", "own", ""))
            yield {
                "public_id": f"C{i:020d}", "framework_id": PARTNERSHIP, "framework_name": "Bench",
                "framework_version": "2.0.0" if i % 3 else "1.9.0", "framework_hash": f"sha256:{i % 3 == 0:d}",
                "engine_version": "bench", "inputs": {}, "result": {}, "citations": {},
                "recommended_level": recommended, "recommended_level_name": f"Level {recommended}",
                "judgement": judgement, "own_level": recommended + 1 if judgement == "own" else None,
                "judgement_reason": "bench" if judgement == "own" else "",
                "judged_at": None if judgement == "" else received[i * 5], "created_at": received[i * 5],
            }  # fmt: skip

    def indicator_rows() -> Iterator[dict[str, Any]]:
        for i in range(checks):
            for k, indicator in enumerate(rng.sample(range(120), 3)):
                offered = k < 2
                yield {"stored_check_id": i + 1, "indicator_id": f"ind-{indicator:03d}", "level": 2 + indicator % 3,
                       "domain": "bench", "offered": offered, "selected": (not offered) or rng.random() < 0.7}  # fmt: skip

    def referral_rows() -> Iterator[dict[str, Any]]:
        for i, at in enumerate(received):
            yield {
                "public_id": f"R{i:09d}", "partnership": PARTNERSHIP, "framework_version": "2.0.0",
                "framework_hash": "sha256:bench", "stored_check_id": i // 5 + 1 if i % 5 == 0 else None,
                "family_id": family.pk, "child_first_name": f"Child{i % 700_000}", "child_last_name": "Bench",
                "date_of_birth": date(2012, 1, 1) + timedelta(days=i % 4000), "gender": rng.choice("1290"),
                "ethnicity": rng.choice(("WBRI", "MWBC", "ABAN", "")), "referrer_name": "Bench Referrer",
                "referrer_agency": f"Agency {i % 40}", "referral_source": rng.choice(("1A", "2A", "3A", "6", "5D")),
                "referrer_level": rng.choice((2, 3, 3, 4)), "referrer_level_name": "Level", "indicator_ids": [],
                "reasons": [], "what_done_so_far": "bench", "consent_basis": "obtained", "consent_detail": {},
                "channel": "online", "received_at": at, "status": "acknowledged", "acknowledged_at": at,
                "decision_due": at + timedelta(hours=24),
            }  # fmt: skip

    def triage_rows() -> Iterator[dict[str, Any]]:
        for i, at in enumerate(received):
            done = at + timedelta(minutes=rng.randint(30, 40 * 60))
            again = i > 100 and rng.random() < 0.1
            yield {
                "referral_id": i + 1, "partnership": PARTNERSHIP, "state": "decided", "opened_at": at,
                "clock_started_at": at, "due_at": at + timedelta(hours=24), "clock": "bench",
                "claimed_by_id": worker.pk, "claimed_at": at, "outcome_code": (code := rng.choice(outcome_pool)),
                "outcome_name": code, "frontdoor_level": rng.choice((2, 3, 3, 4)), "rationale": {},
                "decided_by_id": worker.pk, "decided_at": done, "feedback_due": done + timedelta(hours=24),
                "feedback_sent_at": done + timedelta(hours=rng.randint(1, 40)),
                "earlier_id": i + 1 - rng.randint(1, 100) if again else None,
                "match": "nhs" if again else "", "match_confirmed": True if again else None,
            }  # fmt: skip

    def agency_rows() -> Iterator[dict[str, Any]]:
        for i in range(0, contacts, 10):
            asked = received[i] + timedelta(hours=1)
            answered = asked + timedelta(hours=rng.randint(1, 40)) if rng.random() < 0.95 else None
            yield {"triage_id": i + 1, "agency": f"a{i % 6}", "agency_name": f"Agency {i % 6}",
                   "question": "", "requested_by_id": worker.pk, "requested_at": asked,
                   "due_at": asked + timedelta(hours=24), "response": "bench" if answered else "",
                   "answered_by_id": worker.pk if answered else None, "answered_at": answered}  # fmt: skip

    for label, model, rows in (
        ("checks", Check, check_rows()),
        ("indicator rows", CheckIndicator, indicator_rows()),
        ("referrals", Referral, referral_rows()),
        ("triages", Triage, triage_rows()),
        ("agency checks", AgencyCheck, agency_rows()),
    ):
        log(f"  COPY {label}")
        _copy(model, rows)
    import importlib

    from django.db import connection

    with connection.cursor() as cursor:  # every day of the records is stale, as the migration leaves them
        cursor.execute(importlib.import_module("continuum.apps.reports.migrations.0002_tallies").EVERY_DAY_STALE)
    return time.perf_counter() - started, now


def tally(stale_days: int, now: datetime) -> str:
    """Recount every stale day's tallies (the refresh job's work), then leave the latest ``stale_days``
    days stale as a working day's changes would (their figures are counted from the records)."""
    from continuum.apps.reports import tallies
    from continuum.apps.reports.models import StaleDay, Tally

    started = time.perf_counter()
    days = tallies.refresh(days=10**6)
    seconds = time.perf_counter() - started
    today = now.astimezone(tallies.UK).date()
    for i in range(stale_days):
        StaleDay.objects.get_or_create(partnership=PARTNERSHIP, day=today - timedelta(days=i), defaults={"mark": -1})
    line = (
        f"tallies: {days:,} stale days recounted in {seconds:.1f} s ({Tally.objects.count():,} tally rows); "
        f"the latest {stale_days} days left stale"
    )
    log("  " + line)
    return line


# --- 2. the pages against one hand-written query ---------------------------------------------------

DASHBOARD_SQL = """
SELECT count(*),
       count(*) FILTER (WHERE t.outcome_code IN ('assessment-s17', 'strategy-s47', 'immediate-protection')),
       count(*) FILTER (WHERE t.decided_at IS NOT NULL AND t.due_at IS NOT NULL),
       count(*) FILTER (WHERE t.decided_at IS NOT NULL AND t.feedback_due IS NOT NULL
                        AND t.feedback_sent_at <= t.feedback_due),
       count(*) FILTER (WHERE t.earlier_id IS NOT NULL AND t.match_confirmed IS NOT FALSE
                        AND e.received_at >= r.received_at - interval '365 days')
FROM referrals_referral r
LEFT JOIN frontdoor_triage t ON t.referral_id = r.id
LEFT JOIN referrals_referral e ON e.id = t.earlier_id
WHERE r.partnership = %s AND r.received_at >= %s AND r.received_at < %s
"""

CALIBRATION_SQL = """
SELECT recommended_level, count(*), count(*) FILTER (WHERE judged_at IS NOT NULL),
       count(*) FILTER (WHERE judgement = 'agree')
FROM checks_check
WHERE framework_id = %s AND created_at >= %s AND created_at < %s
GROUP BY recommended_level ORDER BY recommended_level
"""


def dashboard_headlines(figures: list[Any]) -> tuple[int, ...]:
    by = {f.key: f for f in figures}
    volumes = by["volumes"].rows
    timeliness = {row[0]: row[1] for row in by["timeliness"].rows}
    feedback = dict(by["feedback"].rows)
    again = dict(by["re-referrals"].rows)
    return (
        sum(r[1] for r in volumes),
        sum(r[2] for r in volumes),
        sum(v for k, v in timeliness.items() if not k.startswith("No deadline")),
        feedback["On time"],
        again["About a child with a contact in the 12 months before"],
    )


def timed(calls: int, fn: Callable[[], Any], label: str = "") -> tuple[list[float], Any]:
    result = fn()  # warm
    out = []
    for _ in range(calls):
        started = time.perf_counter()
        result = fn()
        out.append((time.perf_counter() - started) * 1000)
    if label:
        log(f"    {label}: p50 {statistics.median(out):.0f} ms, p95 {percentile(out, 95):.0f} ms")
    return out, result


def measure(calls: int, now: datetime, whole_range: bool) -> tuple[list[tuple[str, list[float]]], list[str]]:
    from django.db import connection
    from django.test import Client

    from continuum.apps.accounts.actor import Actor, Role
    from continuum.apps.accounts.models import Membership, User
    from continuum.apps.reports import queries

    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"email": "admin@bench.example"})
    Membership.objects.get_or_create(user=admin, partnership=PARTNERSHIP, role=Role.PARTNERSHIP_ADMIN)
    actor = Actor(user=admin, partnership=PARTNERSHIP, role=Role.PARTNERSHIP_ADMIN)
    today = now.date()
    ranges = {
        "12 months": queries.Filters(start=today - timedelta(days=364), end=today),
        "3 years": queries.Filters(start=today - timedelta(days=3 * 365 + 1), end=today),
    }
    if not whole_range:
        del ranges["3 years"]
    results: list[tuple[str, list[float]]] = []
    agreement: list[str] = []

    def sql(query: str, f: queries.Filters) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(query, [PARTNERSHIP, f.since, f.until])
            return cursor.fetchall()

    for name, f in ranges.items():
        log(f"  dashboard, {name}")
        times, figures = timed(calls, lambda f=f: queries.dashboard(actor, f), f"dashboard {name}")
        results.append((f"dashboard ({name}): queries.dashboard", times))
        times, rows = timed(calls, lambda f=f: sql(DASHBOARD_SQL, f), f"dashboard SQL {name}")
        results.append((f"dashboard ({name}): one hand-written SQL", times))
        ours, theirs = dashboard_headlines(figures), tuple(rows[0])
        agreement.append(f"dashboard {name}: {'agree' if ours == theirs else 'DIFFER'} {ours} vs {theirs}")
        for figure in queries.DASHBOARD:  # alone: each counts what it needs afresh (the page counts once for all)
            times, _ = timed(1, lambda figure=figure, f=f: figure(queries.Scope.for_actor(actor, f)), figure.__name__)
            results.append((f"  figure {figure.__name__} ({name})", times))

        log(f"  calibration, {name}")
        times, figures = timed(calls, lambda f=f: queries.calibration(actor, f), f"calibration {name}")
        results.append((f"calibration ({name}): queries.calibration", times))
        times, rows = timed(calls, lambda f=f: sql(CALIBRATION_SQL, f), f"calibration SQL {name}")
        results.append((f"calibration ({name}): one hand-written SQL", times))
        ours_levels = sorted(r[1:4] for r in figures[0].rows)
        theirs_levels = sorted(tuple(r[1:4]) for r in rows)
        agreement.append(f"calibration {name}: {'agree' if ours_levels == theirs_levels else 'DIFFER'} (per level)")

    from django.test.utils import setup_test_environment
    from tests.people import signed_in  # the tests' way of signing in (two-factor marked done)

    setup_test_environment()
    # A partnership admin signs in with a code: without it the page is a redirect, not the report.
    client = signed_in(Client(HTTP_HOST="127.0.0.1"), admin, acting=(PARTNERSHIP, Role.PARTNERSHIP_ADMIN))
    for path in ("/reports/", "/reports/calibration/"):
        times, response = timed(calls, lambda path=path: client.get(path), f"page {path}")
        if response.status_code != 200:
            raise SystemExit(
                f"{path} answered {response.status_code}, not the page: the measurement would mean nothing"
            )
        results.append((f"page {path} through Django (access log, render)", times))
    return results, agreement


# --- 3. export throughput ------------------------------------------------------------------------


def export_rates(now: datetime) -> list[str]:
    from continuum.apps.accounts.actor import Actor, Role
    from continuum.apps.accounts.models import User
    from continuum.apps.reports import exports, queries

    admin = User.objects.get(username="bench-admin")
    actor = Actor(user=admin, partnership=PARTNERSHIP, role=Role.PARTNERSHIP_ADMIN)
    today = now.date()
    out = []
    for kind, days in (("annex-a-1", 365), ("ssd-contacts", 365), ("cin-referrals", 365), ("annex-a-3", 7)):
        f = queries.Filters(start=today - timedelta(days=days - 1), end=today)
        scope = queries.Scope.for_actor(actor, f)
        chosen = exports.EXPORTS[kind]
        queryset = exports.rows(chosen, scope)
        assert queryset is not None
        started = time.perf_counter()
        lines = sum(1 for _ in exports.stream(chosen, exports.iterate(queryset), scope)) - 1
        seconds = time.perf_counter() - started
        out.append(f"{kind} ({days} days): {lines:,} rows in {seconds:.1f} s = {lines / seconds:,.0f} rows/s")
        log("  " + out[-1])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=3)
    parser.add_argument("--whole-range", action="store_true", help="also time the three years, not only twelve months")
    throwaway.add_arguments(parser, BENCH_DB, keep=True)
    parser.add_argument("--no-exports", action="store_true", help="skip the export throughput")
    parser.add_argument(
        "--stale-days", type=int, default=3, help="the latest days left stale (counted from the records on each page)"
    )
    args = parser.parse_args()
    if throwaway.only_drop(args, BENCH_DB):
        return
    sys.path.insert(0, str(ROOT))
    begun = time.perf_counter()
    with throwaway.database(args.postgres, BENCH_DB, reuse=args.reuse, keep=args.keep):
        if args.reuse:
            from django.utils import timezone

            load_seconds, now = 0.0, timezone.now()
        else:
            load_seconds, now = load(args.contacts)
        tally_line = tally(args.stale_days, now)
        results, agreement = measure(args.calls, now, args.whole_range)
        rates = [] if args.no_exports else export_rates(now)
    kept = throwaway.kept_or_dropped(args.keep)
    print(f"\nReports benchmark on PostgreSQL ({BENCH_DB}, {kept}): {args.contacts:,} contacts and decisions over")
    print(
        f"  three years for one partnership, {args.contacts // 5:,} checks; load {load_seconds:.0f} s; {args.calls} runs"
    )
    print(f"  {tally_line}")
    print(f"  {'measurement':62} {'p50':>10} {'p95':>10}")
    for label, values in results:
        print(f"  {label:62} {statistics.median(values):7.0f} ms {percentile(values, 95):7.0f} ms")
    for line in agreement:
        print(f"  figures {line}")
    for line in rates:
        print(f"  export {line}")
    print(f"  total {time.perf_counter() - begun:.0f} s")


if __name__ == "__main__":
    main()
