"""The lists that count earlier referrals (Annex A list 3, the CIN census items), against hand-counted
answers: matched by NHS number or by name and date of birth (counted once when both match), within the
365 days before (inclusive of exactly 365 days, never the same moment), statutory outcomes only, one
partnership; and the CIN referral date as the UK date across a BST midnight."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from continuum.apps.accounts.actor import Role
from continuum.apps.referrals import handoff
from tests.people import client_for

from .conftest import CB, OTHER, at, contact, decided, person

pytestmark = pytest.mark.django_db

NHS = "9434765919"
BORN = date(2015, 1, 1)


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def referral(received: datetime, *, outcome: str = "assessment-s17", partnership: str = CB, **child) -> None:
    fields = {"child_first_name": "Ann", "child_last_name": "Lee", "date_of_birth": BORN, "nhs_number": ""} | child
    made = contact(received, partnership=partnership, **fields)
    decided(made, decided_at=received + timedelta(hours=2), due_at=None, outcome=outcome)


@pytest.fixture
def history() -> None:
    """One child's referrals over two years (and look-alikes that must not count)."""
    x = at(10, 10)  # 10 April 2026, 10:00 BST
    referral(x - timedelta(days=365), nhs_number=NHS)  # exactly 365 days before: counts
    referral(x - timedelta(days=366), nhs_number=NHS)  # a day too early
    referral(at(1, 10, month=5) - timedelta(days=365), nhs_number=NHS, child_first_name="Annie")  # NHS only
    referral(at(5, 10), child_first_name="ANN", child_last_name="lee")  # name and birth only (any case)
    referral(at(6, 10), nhs_number=NHS, outcome="nfa")  # no further action: not a referral to social care
    referral(at(7, 10), nhs_number=NHS, partnership=OTHER)  # another partnership's
    referral(at(8, 10), child_first_name="Ann", date_of_birth=date(2015, 1, 2))  # another child
    referral(x, nhs_number=NHS, referrer_level=4, referral_source="6")  # matches both ways: each earlier once
    referral(x, nhs_number=NHS, referral_source="5D")  # the same moment: neither is the other's earlier


def earlier_counts(query: str) -> list[tuple[str, str, str]]:
    client = client_for(person(Role.PARTNERSHIP_ADMIN))
    header, *rows = rows_of(client.get("/reports/exports/annex-a-3.csv?" + query))
    assert header[8] == "Number of Referrals in Last 12 Months"
    return [(r[5], r[6], r[8]) for r in rows]


def test_annex_a_list_3_counts_each_earlier_referral_of_the_same_child_once(history: None):
    assert earlier_counts("start=2026-04-01&end=2026-04-30") == [
        # 5 April: the two of April 2025 by name and birth (it has no NHS number); not "Annie"'s
        ("05/04/2026", "e) 2A: Schools", "2"),
        ("08/04/2026", "e) 2A: Schools", "0"),  # another date of birth
        # 10 April: exactly 365 days before (both ways, once), "Annie" by NHS number, 5 April by name and
        # birth; not the 366-days one, the refused-as-NFA one, the other partnership's, nor each other
        ("10/04/2026", "q) 6: Police", "3"),
        ("10/04/2026", "p1) 5D: LA services", "3"),
    ]


def test_the_filters_pick_the_rows_listed_not_the_referrals_counted(history: None):
    assert earlier_counts("start=2026-04-10&end=2026-04-10&level=4") == [("10/04/2026", "q) 6: Police", "3")]


def test_the_cin_referral_date_is_the_uk_date_across_a_bst_midnight():
    late_june = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 on 1 July in London (BST)
    winter = datetime(2026, 1, 15, 23, 30, tzinfo=UTC)  # 23:30 in London (GMT): the same day
    summer = contact(late_june, referral_source="2A")
    decided(summer, decided_at=late_june + timedelta(hours=9), due_at=None)
    january = contact(winter)
    assert handoff.row(summer)["CINreferralDate"] == "2026-07-01"
    assert handoff.row(january)["CINreferralDate"] == "2026-01-15"
    client = client_for(person(Role.PARTNERSHIP_ADMIN))
    header, *rows = rows_of(client.get("/reports/exports/cin-referrals.csv?start=2026-07-01&end=2026-07-31"))
    assert [r[header.index("CINreferralDate")] for r in rows] == ["2026-07-01"]
    assert rows_of(client.get("/reports/exports/cin-referrals.csv?start=2026-06-01&end=2026-06-30"))[1:] == []
