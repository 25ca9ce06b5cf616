"""The front door at scale: the queue and the claim on PostgreSQL with 1,000,000 contacts.

In a throwaway database (``continuum_bench_frontdoor``, created and dropped here):

1. migrate; COPY N referrals and their triages across the five partnerships (most decided,
   a share open: on the queue), each open one's deadline and amber point computed with
   ``continuum.calendar`` as the service does;
2. the queue's query (:func:`continuum.apps.frontdoor.queries.page_of`, first page, and
   with filters) against a bare indexed ``SELECT … ORDER BY due_at LIMIT 50`` in the same
   run; the queue page itself through Django's test client for one partnership (with its
   access-log write and rendering);
3. the claim (:func:`continuum.apps.frontdoor.services.claim`: permission, conditional
   UPDATE, audit) against a bare conditional ``UPDATE … WHERE claimed_by_id IS NULL``;
4. deadline computation per contact (``Calendar.due`` and the amber point), in microseconds.

    .venv/bin/python bench/frontdoor.py [--contacts 1000000] [--open-share 0.03] [--calls 200]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres]

Bounded: two COPYs, ``--calls`` iterations per measurement (well under 10 minutes on a laptop).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import throwaway
from throwaway import ROOT, log, percentile, timed

BENCH_DB = "continuum_bench_frontdoor_1m"  # kept between runs with --keep / --reuse (loading takes minutes)
PARTNERSHIPS = ("bedford-borough", "bury", "cambridgeshire-peterborough", "central-bedfordshire", "luton")


# --- 1. a million contacts ------------------------------------------------------------------


def _db_value(field: Any, value: Any) -> Any:
    if value is None:
        return None
    if field.get_internal_type() == "JSONField":
        return json.dumps(value)
    return value


def _copy(model: Any, columns: list[Any], rows: Any) -> int:
    """COPY ``rows`` (dicts by field name) into ``model``'s table; unset fields take their defaults."""
    from django.db import connection

    names = [f.column for f in columns]
    now = datetime.now(UTC)
    defaults = {
        f.name: now if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False) else f.get_default()
        for f in columns
    }
    count = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {model._meta.db_table} ({', '.join(names)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([_db_value(f, row.get(f.attname, row.get(f.name, defaults[f.name]))) for f in columns])
                count += 1
                if count % 250_000 == 0:
                    log(f"    {count:,} rows into {model._meta.db_table}")
        cursor.execute(f"ANALYZE {model._meta.db_table}")
    return count


def load(contacts: int, open_share: float) -> tuple[float, dict[str, list[int]]]:
    """COPY ``contacts`` referrals and triages; returns the seconds and, per partnership, the open ids."""
    from django.db import connection
    from django.utils import timezone

    from continuum.apps.accounts.actor import Role
    from continuum.apps.accounts.models import Membership, User
    from continuum.apps.frontdoor import clocks, services
    from continuum.apps.frontdoor.models import Triage
    from continuum.apps.referrals.models import Referral

    started = time.perf_counter()
    workers = {}
    for p in PARTNERSHIPS:
        user = User.objects.create(username=f"worker-{p}", email=f"worker@{p}.example")
        Membership.objects.create(user=user, partnership=p, role=Role.FRONT_DOOR_WORKER)
        workers[p] = user.pk
    extra: dict[str, Any] = {}
    family_field = next((f for f in Referral._meta.concrete_fields if f.name == "family"), None)
    if family_field is not None:
        extra["family"] = family_field.related_model.objects.create(partnership=PARTNERSHIPS[0]).pk
    now = timezone.now()
    rng = random.Random(15)
    frameworks = {p: services.framework_of(p) for p in PARTNERSHIPS}
    open_rows: dict[int, tuple[datetime | None, datetime | None, str]] = {}
    columns = [f for f in Referral._meta.concrete_fields if not f.primary_key]

    decision = {p: clocks.clock(frameworks[p], "decision") for p in PARTNERSHIPS}
    calendars = {p: clocks.calendar_for(p, frameworks[p]) for p in PARTNERSHIPS}

    def referrals() -> Any:
        for i in range(contacts):
            p = PARTNERSHIPS[i % len(PARTNERSHIPS)]
            is_open = rng.random() < open_share
            received = now - timedelta(minutes=rng.randint(0, 3 * 24 * 60) if is_open else rng.randint(0, 700_000))
            fw = frameworks[p]
            clock = decision[p]
            if is_open:
                due = calendars[p].due(received, clock.within) if clock else None
                amber = clocks.amber_point(calendars[p], received, due, 0.25) if due else None
                open_rows[i + 1] = (due, amber, clock.timescale if clock else "")
            else:
                due = received + timedelta(hours=24) if clock else None
            yield {
                "public_id": f"B{i:09d}",
                "partnership": p,
                "framework_version": fw.version,
                "framework_hash": "sha256:bench",
                "child_first_name": f"Child{i}",
                "child_last_name": "Bench",
                "date_of_birth": (now - timedelta(days=365 * 8 + i % 3000)).date(),
                "nhs_number": "",
                "referrer_name": "Bench Referrer",
                "referrer_agency": f"Agency {i % 40}",
                "referral_source": ("1A", "3A", "5A", "2A")[i % 4],
                "referrer_email": "",
                "referrer_level": 3 + i % 2,
                "referrer_level_name": "Level",
                "indicator_ids": [],
                "what_done_so_far": "",
                "consent_basis": "obtained",
                "consent_detail": {},
                "channel": "online",
                "received_at": received,
                "status": "received",
                "decision_due": due,
                **extra,
            }

    log(f"  COPY {contacts:,} referrals (deadlines of open ones computed with continuum.calendar)")
    _copy(Referral, columns, referrals())
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [Referral._meta.db_table, contacts])
        cursor.execute(
            "SELECT id, partnership, received_at, decision_due, referrer_level, referral_source "
            f"FROM {Referral._meta.db_table} ORDER BY id"
        )
        stored = cursor.fetchall()
    triage_columns = [f for f in Triage._meta.concrete_fields if not f.primary_key]
    open_ids: dict[str, list[int]] = {p: [] for p in PARTNERSHIPS}

    def triages() -> Any:
        for n, (pk, p, received, due, level, source) in enumerate(stored, start=1):
            copied = {"referrer_level": level, "referral_source": source}
            if pk in open_rows:
                due_at, amber_at, clock = open_rows[pk]
                open_ids[p].append(n)
                yield {
                    "referral_id": pk,
                    "partnership": p,
                    "state": "new",
                    "opened_at": received,
                    "clock_started_at": received,
                    "due_at": due_at,
                    "amber_at": amber_at,
                    "clock": clock,
                    **copied,
                }
            else:
                decided = received + timedelta(hours=rng.randint(1, 30))
                yield {"referral_id": pk, "partnership": p, "state": "decided", "opened_at": received,
                       "clock_started_at": received, "due_at": due, "amber_at": None, "clock": "",
                       "claimed_by_id": workers[p], "claimed_at": received, "decided_by_id": workers[p],
                       "decided_at": decided, "outcome_code": "nfa", "outcome_name": "No further action",
                       "rationale": {}, **copied}  # fmt: skip

    log(f"  COPY {contacts:,} triages ({sum(len(v) for v in open_ids.values()) or 'the'} open ones on the queue)")
    _copy(Triage, triage_columns, triages())
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [Triage._meta.db_table, contacts])
    services.settings_for(PARTNERSHIPS[0])
    from continuum.apps.frontdoor.models import FrontDoorSettings

    FrontDoorSettings.objects.filter(partnership__in=PARTNERSHIPS).delete()
    FrontDoorSettings.objects.bulk_create(FrontDoorSettings(partnership=p, opened_through=now) for p in PARTNERSHIPS)
    return time.perf_counter() - started, open_ids


def still_open() -> dict[str, list[int]]:
    """Per partnership, the ids of the unclaimed contacts of a database loaded by an earlier run."""
    from continuum.apps.frontdoor.models import Triage

    open_ids: dict[str, list[int]] = {p: [] for p in PARTNERSHIPS}
    for pk, p in Triage.objects.filter(state="new").order_by("id").values_list("id", "partnership"):
        open_ids[p].append(pk)
    return open_ids


# --- 2-3. timings -----------------------------------------------------------------------------


def measure(calls: int, open_ids: dict[str, list[int]]) -> list[tuple[str, list[float]]]:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from continuum.apps.accounts.actor import Actor, Role
    from continuum.apps.accounts.models import User
    from continuum.apps.frontdoor import queries, services
    from continuum.apps.frontdoor.models import Triage

    p = "central-bedfordshire"
    user = User.objects.get(username=f"worker-{p}")
    actor = Actor(user=user, partnership=p, role=Role.FRONT_DOOR_WORKER)
    framework = services.framework_of(p)
    results = []

    def bare(_: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM frontdoor_triage WHERE partnership = %s AND state <> 'decided' "
                "ORDER BY due_at ASC NULLS LAST, id LIMIT 51",
                [p],
            )
            assert len(cursor.fetchall()) == 51

    def page(_: int) -> None:
        rows, more = queries.page_of(actor, queries.QueueFilters(), timezone.now(), framework)
        assert len(rows) == 50 and more

    def page_filtered(i: int) -> None:
        filters = (queries.QueueFilters(rag="red"), queries.QueueFilters(level=4), queries.QueueFilters(unclaimed=True))
        queries.page_of(actor, filters[i % 3], timezone.now(), framework)

    log("  bare indexed query; the queue's query; with filters")
    results.append(("bare indexed SELECT … ORDER BY due_at LIMIT 51", timed(calls, bare)))
    results.append(("queue query: page 1 with RAG and working time left", timed(calls, page)))
    results.append(("queue query with a filter (red | level 4 | unclaimed)", timed(calls, page_filtered)))

    from tests.people import signed_in  # the tests' way of signing in (two-factor marked done)

    client = signed_in(Client(HTTP_HOST="127.0.0.1"), user, acting=(p, Role.FRONT_DOOR_WORKER))

    def queue_page(_: int) -> None:
        response = client.get("/front-door/")
        assert response.status_code == 200, response.status_code

    log("  the queue page through Django's test client")
    results.append(("GET /front-door/ (Django handler, access log, render)", timed(calls, queue_page)))

    targets = iter(open_ids[p])
    bare_targets = iter(open_ids["luton"])

    def claim(_: int) -> None:
        services.claim(actor, Triage.objects.get(pk=next(targets)))

    def bare_claim(_: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE frontdoor_triage SET state='claimed', claimed_by_id=%s, claimed_at=now() "
                "WHERE id=%s AND claimed_by_id IS NULL",
                [user.pk, next(bare_targets)],
            )
            assert cursor.rowcount == 1

    log("  the claim and a bare conditional UPDATE")
    results.append(("bare conditional UPDATE … WHERE claimed_by IS NULL", timed(calls, bare_claim)))
    results.append(("claim (service: permission, UPDATE, audit)", timed(calls, claim)))
    return results


def deadline_micros(samples: int) -> tuple[float, float]:
    """Microseconds per ``Calendar.due`` and per amber point, over random starts in the coming months."""
    from continuum.apps.frontdoor import clocks, services

    rng = random.Random(4)
    fw = services.framework_of("central-bedfordshire")
    calendar = clocks.calendar_for("central-bedfordshire", fw)
    base = datetime.now(UTC)
    starts = [base + timedelta(minutes=rng.randint(0, 200 * 24 * 60)) for _ in range(samples)]
    started = time.perf_counter()
    dues = [calendar.due(s, "1 working day") for s in starts]
    due_us = (time.perf_counter() - started) / samples * 1e6
    started = time.perf_counter()
    for s, d in zip(starts, dues, strict=True):
        clocks.amber_point(calendar, s, d, 0.25)
    amber_us = (time.perf_counter() - started) / samples * 1e6
    return due_us, amber_us


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--open-share", type=float, default=0.03)
    parser.add_argument("--calls", type=int, default=200)
    throwaway.add_arguments(parser, BENCH_DB, keep=True)
    args = parser.parse_args()
    if throwaway.only_drop(args, BENCH_DB):
        return
    sys.path.insert(0, str(ROOT))
    begun = time.perf_counter()
    with throwaway.database(args.postgres, BENCH_DB, reuse=args.reuse, keep=args.keep):
        if args.reuse:
            load_seconds, open_ids = 0.0, still_open()
        else:
            load_seconds, open_ids = load(args.contacts, args.open_share)
        results = measure(args.calls, open_ids)
        due_us, amber_us = deadline_micros(20_000)
    open_count = sum(len(v) for v in open_ids.values())
    kept = throwaway.kept_or_dropped(args.keep)
    print(f"\nFront door benchmark on PostgreSQL ({BENCH_DB}, {kept}): {args.contacts:,} contacts, 5 partnerships,")
    print(f"  {open_count:,} open (on a queue), the rest decided; load {load_seconds:.0f} s; {args.calls} calls each")
    print(f"  {'measurement':58} {'p50':>9} {'p95':>9}")
    for label, values in results:
        print(f"  {label:58} {statistics.median(values):6.2f} ms {percentile(values, 95):6.2f} ms")
    print(f"  deadline per contact: Calendar.due {due_us:.1f} µs, amber point {amber_us:.1f} µs (20,000 starts)")
    print(f"  total {time.perf_counter() - begun:.0f} s")


if __name__ == "__main__":
    main()
