"""The queue: a partnership's open contacts by deadline, RAG in working time, filters, scoping."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import chain

import pytest
from django.http import QueryDict
from django.utils import timezone

from continuum.apps.accounts.actor import Role
from continuum.apps.frontdoor import clocks, queries, services
from continuum.calendar import UK, Calendar

from .conftest import CB, LUTON, person
from .factories import triage

pytestmark = pytest.mark.django_db


def ids(rows) -> list[int]:
    return [t.pk for t in rows]


def test_the_queue_is_ordered_by_deadline_with_no_deadline_last(worker):
    later = triage(received_at=timezone.now() - timedelta(hours=1))
    sooner = triage(received_at=timezone.now() - timedelta(hours=30))
    services.claim(worker, sooner)
    none = triage(received_at=timezone.now() - timedelta(hours=40))
    type(none).objects.filter(pk=none.pk).update(due_at=None, amber_at=None)
    decided = triage()
    type(decided).objects.filter(pk=decided.pk).update(
        state="decided", claimed_by=worker.user, claimed_at=timezone.now(), decided_by=worker.user,
        decided_at=timezone.now(), outcome_code="nfa",
    )  # fmt: skip
    assert ids(queries.queue(worker, queries.QueueFilters(), timezone.now())) == [sooner.pk, later.pk, none.pk]


def test_rag_filters_select_on_the_stored_deadline_and_amber_point(worker):
    now = timezone.now()
    red = triage(received_at=now - timedelta(days=5))
    fresh = triage(received_at=now)
    none = triage(partnership=CB)
    type(none).objects.filter(pk=none.pk).update(due_at=None, amber_at=None)
    amber = triage(received_at=now)
    type(amber).objects.filter(pk=amber.pk).update(amber_at=now - timedelta(minutes=1), due_at=now + timedelta(hours=1))

    def only(rag: str) -> list[int]:
        return ids(queries.queue(worker, queries.QueueFilters(rag=rag), now))

    assert only("red") == [red.pk]
    assert only("amber") == [amber.pk]
    assert fresh.pk in only("green") and amber.pk not in only("green") and red.pk not in only("green")
    assert only("none") == [none.pk]


def test_level_agency_unclaimed_and_mine_filters(worker):
    a = triage(referrer_level=4, referral_source="6")
    b = triage(referrer_level=3, referral_source="2A")
    services.claim(worker, b)
    now = timezone.now()
    assert ids(queries.queue(worker, queries.QueueFilters(level=4), now)) == [a.pk]
    assert ids(queries.queue(worker, queries.QueueFilters(agency="2A"), now)) == [b.pk]
    assert ids(queries.queue(worker, queries.QueueFilters(unclaimed=True), now)) == [a.pk]
    assert ids(queries.queue(worker, queries.QueueFilters(mine=True), now)) == [b.pk]


def test_filters_are_read_from_the_query_string_and_nonsense_is_ignored():
    filters = queries.QueueFilters.from_query(QueryDict("rag=red&level=4&agency=2A&unclaimed=1&mine=0&page=2"))
    assert filters == queries.QueueFilters(rag="red", level=4, agency="2A", unclaimed=True, mine=False, page=2)
    assert queries.QueueFilters.from_query(QueryDict("rag=pink&level=x&page=-3")) == queries.QueueFilters()


def test_another_partnership_and_other_roles_see_nothing():
    triage()
    assert not queries.queue(person(Role.FRONT_DOOR_WORKER, partnership=LUTON), queries.QueueFilters(), timezone.now())
    assert not queries.queue(person(Role.PRACTITIONER), queries.QueueFilters(), timezone.now())


def test_a_page_shows_rag_and_working_time_left(worker):
    t = triage(received_at=timezone.now() - timedelta(days=5))
    rows, more = queries.page_of(worker, queries.QueueFilters(), timezone.now(), services.framework_of(CB))
    assert not more
    assert (rows[0].triage, rows[0].rag, rows[0].rag_label) == (t, clocks.Rag.RED, "Overdue")
    assert rows[0].time_left.startswith("Overdue by ") or rows[0].time_left == "Overdue since the office closed"


def test_pages_follow_the_deadline_order_across_the_page_boundary_with_and_without_a_filter(worker, monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 3)
    now = timezone.now()
    made = [triage(received_at=now - timedelta(hours=h), referrer_level=3 + h % 2) for h in (7, 1, 30, 12, 3, 50, 20)]
    services.claim(worker, made[0])
    framework = services.framework_of(CB)

    def pages(filters: dict) -> list[list[int]]:
        out, page, more = [], 1, True
        while more:
            rows, more = queries.page_of(worker, queries.QueueFilters(page=page, **filters), now, framework)
            out.append(ids(row.triage for row in rows))
            page += 1
        return out

    def by_deadline(chosen) -> list[int]:
        return [t.pk for t in sorted(chosen, key=lambda t: (t.due_at, t.pk))]

    everything = by_deadline(type(made[0]).objects.filter(pk__in=[t.pk for t in made]))
    assert pages({}) == [everything[:3], everything[3:6], everything[6:]]
    level_4 = [pk for pk in everything if type(made[0]).objects.get(pk=pk).referrer_level == 4]
    assert list(chain.from_iterable(pages({"level": 4}))) == level_4 and len(level_4) == 3
    assert list(chain.from_iterable(pages({"unclaimed": True}))) == [pk for pk in everything if pk != made[0].pk]


# -- RAG and the amber point, against known dates --------------------------------------------

CALENDAR = Calendar()  # Monday to Friday, 9am to 5pm, England and Wales bank holidays


def test_the_amber_point_counts_working_time_over_a_weekend():
    start = datetime(2026, 12, 4, 13, 0, tzinfo=UK)  # a Friday afternoon
    due = CALENDAR.due(start, "1 working day")  # Monday 1pm
    amber = clocks.amber_point(CALENDAR, start, due, 0.25)
    assert due == datetime(2026, 12, 7, 13, 0, tzinfo=UK)
    assert amber == datetime(2026, 12, 7, 11, 0, tzinfo=UK)  # 8 working hours, a quarter (2 h) left


def test_the_amber_point_of_a_clock_set_out_of_hours_uses_elapsed_time():
    start = datetime(2026, 12, 5, 10, 0, tzinfo=UK)  # a Saturday: a 4-hour clock has no working minutes
    due = CALENDAR.due(start, "4 hours")
    assert clocks.amber_point(CALENDAR, start, due, 0.25) == datetime(2026, 12, 5, 13, 0, tzinfo=UK)


def test_rag_from_the_deadline_and_amber_point():
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UK)
    assert clocks.rag(None, None, now) == clocks.Rag.NONE
    assert clocks.rag(now, now, now) == clocks.Rag.RED
    assert clocks.rag(now + timedelta(hours=1), now - timedelta(hours=1), now) == clocks.Rag.AMBER
    assert clocks.rag(now + timedelta(hours=3), now + timedelta(hours=1), now) == clocks.Rag.GREEN


def test_time_left_is_working_time_and_says_when_there_is_no_deadline():
    friday = datetime(2026, 12, 4, 16, 0, tzinfo=UK)
    assert (
        clocks.time_left(CALENDAR, datetime(2026, 12, 7, 10, 30, tzinfo=UK), friday)
        == "2 h 30 min of working time left"
    )
    saturday_noon = datetime(2026, 12, 5, 12, 0, tzinfo=UK)
    assert clocks.time_left(CALENDAR, saturday_noon, friday.replace(hour=18)) == "Due before the office next opens"
    assert clocks.time_left(CALENDAR, None, friday) == "No deadline: the document does not say"
    assert clocks.time_left(CALENDAR, datetime(2026, 12, 4, 15, 0, tzinfo=UK), friday) == "Overdue by 1 h"
    # due on Friday evening, read on Saturday: no working time has passed, but it is overdue (never "by 0 min")
    assert clocks.time_left(CALENDAR, friday.replace(hour=18), saturday_noon) == "Overdue since the office closed"
