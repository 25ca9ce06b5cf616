"""The tallies (PostgreSQL): a page summed from them shows exactly what counting the records shows; a change
marks its day stale in its own transaction (and that day is counted from the records until recounted);
an unrelated change (a claim) marks nothing; a recount removes only the marks it saw."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection  # noqa: F401 (read by the skipif condition)

from continuum.apps.accounts.actor import Role
from continuum.apps.checks.models import Check
from continuum.apps.frontdoor.models import AgencyCheck, Triage
from continuum.apps.reports import queries, tallies
from continuum.apps.reports.models import DecisionMinutes, IndicatorTally, StaleDay, Tally
from continuum.apps.reports.queries import Figure, Filters

from .conftest import APRIL_2026, CB, at, check, contact, decided, lower_view, person

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="tallies are kept on PostgreSQL only"),
]


def shown(figures: list[Figure]) -> list[tuple[object, ...]]:
    return [(f.key, f.summary, tuple(f.rows)) for f in figures]


def pages(filters: Filters = APRIL_2026) -> list[tuple[object, ...]]:
    admin = person(Role.PARTNERSHIP_ADMIN)
    return shown(queries.dashboard(admin, filters)) + shown(queries.calibration(admin, filters))


@pytest.fixture
def april() -> dict[str, Any]:
    """Contacts over three April days (one over the Easter bank holidays), decisions, agency checks,
    feedback, a re-referral, and checks with indicators, judgements and a lower view."""
    made = {}
    for day, hour, done, outcome, level in ((2, 10, at(7, 9, 30), "assessment-s17", 3), (2, 11, at(2, 12), "nfa", 2),
                                            (9, 10, at(10, 9), "early-help", 4), (20, 10, at(21, 16), "nfa", 3)):  # fmt: skip
        referral = contact(at(day, hour), referrer_level=level, referrer_agency=f"School {day}")
        made[f"{day}-{hour}"] = decided(referral, decided_at=done, due_at=at(day + 1, 10) if day != 2 else at(7, 10),
                                        outcome=outcome, level=level, feedback_due=done + timedelta(days=1),
                                        feedback_sent_at=done + timedelta(hours=3) if level != 4 else None)  # fmt: skip
    made["waiting"] = contact(at(20, 12))  # not yet at the front door
    requester = person(Role.FRONT_DOOR_WORKER).user
    AgencyCheck.objects.create(triage=made["2-10"], agency="police", agency_name="Police", requested_by=requester,
                               requested_at=at(2, 11), due_at=at(3, 11), answered_at=at(3, 9), response="Known")  # fmt: skip
    c1 = check(3, agree=True, created=at(2, 9), indicators=(("A", 3, True, True), ("B", 2, True, False)))
    c2 = check(2, own=3, created=at(9, 9), indicators=(("B", 2, True, True),))
    lower_view(c2, 1)
    check(4, created=at(20, 9), version="2.1.0", digest="sha256:bbbb", indicators=(("C", 4, False, True),))
    decided(contact(at(2, 9), stored_check=c1), decided_at=at(2, 15), due_at=at(7, 10), level=4)
    return made


def test_figures_from_the_tallies_are_the_figures_from_the_records(april: dict[str, Any]):
    from_records = pages()
    assert StaleDay.objects.filter(partnership=CB).count() >= 3  # the triggers marked the days written
    assert tallies.refresh() >= 3
    assert not StaleDay.objects.exists()
    assert Tally.objects.filter(kind="contacts").exists() and DecisionMinutes.objects.exists()
    assert IndicatorTally.objects.exists()
    assert pages() == from_records
    by_level = Filters(start=APRIL_2026.start, end=APRIL_2026.end, level=3)
    by_agency = Filters(start=APRIL_2026.start, end=APRIL_2026.end, agency="school 2")  # not kept: counted
    part = Filters(start=APRIL_2026.start, end=APRIL_2026.start + timedelta(days=8))
    tallied = [pages(f) for f in (by_level, by_agency, part)]
    StaleDay.objects.bulk_create(  # every day stale again: counted from the records
        StaleDay(partnership=CB, day=APRIL_2026.start + timedelta(days=i), mark=0) for i in range(30)
    )
    assert [pages(f) for f in (by_level, by_agency, part)] == tallied


def test_a_change_marks_its_day_stale_and_shows_at_once(april: dict[str, Any]):
    tallies.refresh()
    before = pages()
    decided(april["waiting"], decided_at=at(21, 9), due_at=at(21, 10), outcome="strategy-s47")
    assert list(StaleDay.objects.values_list("day", flat=True)) == [at(20, 10).date()]
    after = pages()
    assert after != before
    assert "of which 3 became referrals" in after[0][1]  # the figure counted the change from the records
    tallies.refresh()
    assert pages() == after and not StaleDay.objects.exists()
    lower_view(Check.objects.get(created_at=at(20, 9)), 3)  # a practitioner's later view of day 20's check
    assert list(StaleDay.objects.values_list("day", flat=True)) == [at(20, 9).date()]
    judged_again = pages()
    tallies.refresh()
    assert pages() == judged_again != after


def test_a_claim_marks_nothing(april: dict[str, Any]):
    tallies.refresh()
    worker = person(Role.FRONT_DOOR_WORKER).user
    Triage.objects.filter(pk=april["9-10"].pk).update(claimed_by=worker, claimed_at=at(9, 11))
    assert not StaleDay.objects.exists()
    AgencyCheck.objects.filter(triage=april["2-10"]).update(answered_at=at(4, 9))
    assert list(StaleDay.objects.values_list("day", flat=True)) == [at(2, 10).date()]


def test_a_change_made_while_its_day_is_recounted_leaves_the_day_stale(
    april: dict[str, Any], monkeypatch: pytest.MonkeyPatch
):
    counted = tallies.check_counts

    def changed_meanwhile(where):  # another transaction changes day 2 after the recount has read its marks
        AgencyCheck.objects.filter(triage=april["2-10"]).update(answered_at=None, response="")
        return counted(where)

    monkeypatch.setattr(tallies, "check_counts", changed_meanwhile)
    tallies.refresh()
    assert list(StaleDay.objects.values_list("day", flat=True)) == [at(2, 10).date()]
    monkeypatch.setattr(tallies, "check_counts", counted)
    figures = {f.key: f for f in queries.dashboard(person(Role.PARTNERSHIP_ADMIN), APRIL_2026)}
    assert dict((r[0], r[4]) for r in figures["agency-checks"].rows) == {"Police": 1}  # not yet answered


@pytest.mark.django_db(transaction=True)  # the worker closes its connection when it is done
def test_the_worker_recounts_the_stale_days_and_schedules_its_next_run(april: dict[str, Any]):
    from continuum.apps.jobs.tasks import is_scheduled
    from continuum.apps.jobs.worker import run
    from continuum.apps.reports.tasks import refresh_tallies

    from_records = pages()
    run(batch=True, interval=0.1)  # the real worker: the periodic jobs are scheduled, those due now run
    assert not StaleDay.objects.exists() and Tally.objects.filter(whole_month=True).exists()
    assert is_scheduled(refresh_tallies)  # the next run waits on the queue
    assert pages() == from_records
