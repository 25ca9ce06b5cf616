"""Early help at scale: the lead professional's caseload and reviews-due pages with 100,000 open episodes.

In a throwaway PostgreSQL database (``continuum_bench_earlyhelp``, created and dropped here):

1. migrate; COPY N open episodes across the five partnerships, each with a child and a parent, a
   current consent covering the team, a team member and its next review (due dates computed with
   ``continuum.calendar`` from the framework's first-review interval, as the service does; a share
   already overdue), led by N / 50 lead professionals (50 families each);
2. for one lead professional: a bare indexed ``SELECT … WHERE lead_professional_id = … LIMIT 50``
   against the caseload's query (:func:`continuum.apps.earlyhelp.queries.caseload`, scoped by
   ``visible_to``, with its next review) and the page through Django's test client; the same for
   reviews due (bare join ordered by ``due_at`` against :func:`queries.reviews_due` and its page).

    .venv/bin/python bench/earlyhelp.py [--episodes 100000] [--calls 200]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres]

Bounded: a handful of COPYs and ``--calls`` iterations per measurement (a few minutes at most).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import throwaway
from throwaway import ROOT, log, percentile, timed

BENCH_DB = "continuum_bench_earlyhelp"
PARTNERSHIPS = ("bedford-borough", "bury", "cambridgeshire-peterborough", "central-bedfordshire", "luton")
PER_LEAD = 50


def _db_value(field: Any, value: Any) -> Any:
    if value is None:
        return None
    if field.get_internal_type() == "JSONField":
        return json.dumps(value)
    return value


def _copy(model: Any, rows: Iterator[dict[str, Any]]) -> int:
    """COPY ``rows`` (dicts by field attname) into ``model``'s table, the id given; unset fields take defaults."""
    from django.db import connection

    columns = list(model._meta.concrete_fields)
    defaults = {f.attname: (f.get_default() if f.has_default() else None) for f in columns}
    count = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            f"COPY {model._meta.db_table} ({', '.join(f.column for f in columns)}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row([_db_value(f, row.get(f.attname, defaults[f.attname])) for f in columns])
                count += 1
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [model._meta.db_table, count])
        cursor.execute(f"ANALYZE {model._meta.db_table}")
    return count


def load(episodes: int) -> tuple[float, int]:
    """COPY ``episodes`` open episodes with their family, consent, team and next review; returns seconds, a lead's id."""
    from django.utils import timezone

    from continuum.apps.accounts.actor import Role
    from continuum.apps.accounts.models import Membership, User
    from continuum.apps.earlyhelp import clocks, services
    from continuum.apps.earlyhelp.models import Consent, Episode, FamilyMember, Review, TeamMember

    started = time.perf_counter()
    leads = max(1, episodes // PER_LEAD)
    log(f"  {leads:,} lead professionals ({PER_LEAD} families each)")
    User.objects.bulk_create(
        [User(username=f"lead-{i}", email=f"lead-{i}@example.org") for i in range(leads)], batch_size=5000
    )
    user_ids = list(User.objects.order_by("id").values_list("id", flat=True))
    Membership.objects.bulk_create(
        [
            Membership(user_id=uid, partnership=PARTNERSHIPS[i % 5], role=Role.EARLY_HELP)
            for i, uid in enumerate(user_ids)
        ],
        batch_size=5000,
    )
    loaded = {p: services.framework_for(p) for p in PARTNERSHIPS}
    first = {p: clocks.review_clock(loaded[p], None, 1) for p in PARTNERSHIPS}
    now = timezone.now()
    rng = random.Random(16)
    submitted = [now - timedelta(days=rng.randint(1, 120)) for _ in range(episodes)]

    def lead_of(i: int) -> tuple[str, int]:
        n = i % leads
        return PARTNERSHIPS[n % 5], user_ids[n]

    def episode_rows() -> Iterator[dict[str, Any]]:
        for i in range(episodes):
            p, lead = lead_of(i)
            fw = loaded[p].framework
            yield {
                "id": i + 1,
                "public_id": f"EH{i:09d}",
                "partnership": p,
                "framework_version": fw.version,
                "framework_hash": loaded[p].content_hash,
                "assessment_name": fw.early_help.assessment.name
                if fw.early_help and fw.early_help.assessment
                else "EHA",
                "status": "open",
                "source": "check",
                "source_reference": "",
                "needs": [],
                "strengths": [],
                "sections_done": ["family", "needs", "voice", "consent"],
                "family_voice": "Bench family",
                "started_by_id": lead,
                "started_at": submitted[i] - timedelta(days=3),
                "lead_professional_id": lead,
                "submitted_at": submitted[i],
                "version": 1,
            }

    log(f"  COPY {episodes:,} open episodes")
    _copy(Episode, episode_rows())
    log("  COPY a child and a parent each, a consent, a team member")
    _copy(
        FamilyMember,
        (
            {"id": n + 1, "episode_id": n // 2 + 1, "kind": ("child", "adult")[n % 2], "first_name": f"P{n}",
             "last_name": "Bench", "relationship": ""}
            for n in range(2 * episodes)
        ),
    )  # fmt: skip
    _copy(
        Consent,
        (
            {"id": i + 1, "episode_id": i + 1, "given_by_id": 2 * i + 2, "to_what": "EHA", "share_with": [],
             "shares_with_team": True, "given_at": submitted[i], "recorded_by_id": lead_of(i)[1]}
            for i in range(episodes)
        ),
    )  # fmt: skip
    _copy(
        TeamMember,
        (
            {"id": i + 1, "episode_id": i + 1, "user_id": user_ids[(i + 7) % leads], "name": "Member",
             "agency": "School", "joined_at": submitted[i]}
            for i in range(episodes)
        ),
    )  # fmt: skip

    def review_rows() -> Iterator[dict[str, Any]]:
        for i in range(episodes):
            p = lead_of(i)[0]
            clock = first[p]
            due = clock.due(loaded[p], submitted[i]) if clock.runs else submitted[i] + timedelta(weeks=12)
            yield {"id": i + 1, "episode_id": i + 1, "number": 1, "due_at": due, "clock_basis": clock.basis,
                   "clock_text": clock.text, "progress": {}, "selection": {}, "result": {}}  # fmt: skip

    log(f"  COPY {episodes:,} next reviews (due dates from each framework's first-review clock)")
    _copy(Review, review_rows())
    return time.perf_counter() - started, user_ids[0]


def measure(calls: int, lead_id: int) -> list[tuple[str, list[float]]]:
    from django.db import connection
    from django.test import Client

    from continuum.apps.accounts.actor import Actor, Role
    from continuum.apps.accounts.models import Membership, User
    from continuum.apps.earlyhelp import queries

    user = User.objects.get(pk=lead_id)
    partnership = Membership.objects.get(user=user).partnership
    actor = Actor(user=user, partnership=partnership, role=Role.EARLY_HELP)
    results = []

    def bare_caseload(_: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM earlyhelp_episode WHERE lead_professional_id = %s AND status IN ('draft', 'open') "
                "ORDER BY id LIMIT 50",
                [lead_id],
            )
            assert len(cursor.fetchall()) == PER_LEAD

    def caseload(_: int) -> None:
        rows = list(queries.caseload(actor)[:50])
        assert len(rows) == PER_LEAD and rows[0].next_review is not None

    def bare_reviews(_: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT r.id FROM earlyhelp_review r JOIN earlyhelp_episode e ON e.id = r.episode_id "
                "WHERE e.lead_professional_id = %s AND e.status = 'open' AND r.held_at IS NULL "
                "ORDER BY r.due_at LIMIT 50",
                [lead_id],
            )
            assert len(cursor.fetchall()) == PER_LEAD

    def reviews(_: int) -> None:
        assert len(list(queries.reviews_due(actor)[:50])) == PER_LEAD

    log("  bare indexed queries against the caseload's and reviews-due queries")
    results.append(("bare indexed SELECT episodes WHERE lead = … LIMIT 50", timed(calls, bare_caseload)))
    results.append(("caseload query (visible_to, next review, ordered)", timed(calls, caseload)))
    results.append(("bare indexed SELECT reviews JOIN episodes ORDER BY due_at", timed(calls, bare_reviews)))
    results.append(("reviews-due query (visible_to, ordered by due date)", timed(calls, reviews)))

    sys.path.insert(0, str(ROOT))
    from tests.people import signed_in  # the tests' way of signing in (two-factor marked done)

    client = signed_in(Client(HTTP_HOST="127.0.0.1"), user, acting=(partnership, Role.EARLY_HELP))

    def page(path: str) -> Callable[[int], None]:
        def get(_: int) -> None:
            response = client.get(path)
            assert response.status_code == 200, response.status_code

        return get

    log("  the two pages through Django's test client")
    results.append(("GET /early-help/ (caseload page: handler, query, render)", timed(calls, page("/early-help/"))))
    results.append(("GET /early-help/reviews-due/ (page)", timed(calls, page("/early-help/reviews-due/"))))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--episodes", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=200)
    throwaway.add_arguments(parser, BENCH_DB)
    args = parser.parse_args()
    begun = time.perf_counter()
    with throwaway.database(args.postgres, BENCH_DB):
        load_seconds, lead_id = load(args.episodes)
        results = measure(args.calls, lead_id)
    print(f"\nEarly help benchmark on PostgreSQL ({BENCH_DB}, dropped): {args.episodes:,} open episodes,")
    print(f"  5 partnerships, {PER_LEAD} per lead professional; load {load_seconds:.0f} s; {args.calls} calls each")
    print(f"  {'measurement':58} {'p50':>9} {'p95':>9}")
    for label, values in results:
        print(f"  {label:58} {statistics.median(values):6.2f} ms {percentile(values, 95):6.2f} ms")
    print(f"  total {time.perf_counter() - begun:.0f} s")


if __name__ == "__main__":
    main()
