"""The reports' pages through the Django test client: who may see them, what they show (figures, charts
with their tables, no child's name), and the exports (streamed, with the national field names and codes,
each an audit event)."""

from __future__ import annotations

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.test import Client

from continuum.apps.accounts.actor import Role
from continuum.apps.audit.queries import for_target
from continuum.apps.reports import events
from continuum.apps.reports.models import Export
from tests.people import client_for

from .conftest import CB, OTHER, at, check, contact, decided, person

pytestmark = pytest.mark.django_db

APRIL = "?start=2026-04-01&end=2026-04-30"


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def april() -> None:
    """Two contacts in April (one a referral to social care about a named child), one check, and another
    partnership's contact about a child whose name must never appear."""
    first = contact(at(2, 10), child_first_name="Zephyrine", child_last_name="Quill", nhs_number="", gender="2",
                    ethnicity="WBRI", referral_source="2A")  # fmt: skip
    decided(first, decided_at=at(2, 15), due_at=at(7, 10))
    second = contact(at(20, 10), child_first_name="Zephyrine", child_last_name="Quill",
                     date_of_birth=first.date_of_birth, referral_source="6")  # fmt: skip
    decided(second, decided_at=at(20, 15), due_at=at(21, 10))
    contact(at(3, 10))  # not yet decided
    contact(at(2, 10), partnership=OTHER, child_first_name="Othniel")
    check(3, agree=True, indicators=(("A", 3, True, True),))


def test_the_dashboard_shows_each_figure_with_its_chart_table_and_summary_and_names_no_child(april: None):
    page = client_for(person(Role.PARTNERSHIP_ADMIN)).get("/reports/" + APRIL)
    assert page.status_code == 200
    body = text(page)
    assert "Contacts and referrals by month" in body and "3 contacts in the period, of which 2 became" in body
    assert body.count("<svg") >= 5 and 'role="img"' in body and "the table below gives the same figures" in body
    assert "Time to decision against the deadline (working time)" in body
    assert "Zephyrine" not in body and "Quill" not in body and "Othniel" not in body
    assert "Not yet recorded" not in body  # every app is installed: no figure is left out


def test_the_calibration_page_says_what_it_is_for(april: None):
    body = text(client_for(person(Role.FRONT_DOOR_MANAGER)).get("/reports/calibration/" + APRIL))
    assert "This is how the partnership learns where its threshold document is unclear." in body
    assert "it never lowers the decided level" in body
    assert "By indicator" in body and '<th scope="row" class="govuk-table__header">A</th>' in body


@pytest.mark.parametrize(
    "role,dashboard,exports",
    [(Role.PARTNERSHIP_ADMIN, 200, 200), (Role.FRONT_DOOR_MANAGER, 200, 403), (Role.FRONT_DOOR_WORKER, 403, 403),
     (Role.PRACTITIONER, 403, 403), (Role.AUDITOR, 403, 403)],
)  # fmt: skip
def test_who_may_see_the_pages(role: Role, dashboard: int, exports: int):
    client = client_for(person(role))
    assert client.get("/reports/").status_code == dashboard
    assert client.get("/reports/calibration/").status_code == dashboard
    assert client.get("/reports/exports/").status_code == exports
    assert client.get("/reports/exports/annex-a-1.csv").status_code == exports


def test_nobody_signed_in_is_sent_to_sign_in():
    response = Client().get("/reports/")
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def rows_of(response: StreamingHttpResponse) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)  # streamed, not built in memory
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_annex_a_list_3_streams_referrals_with_the_templates_codes_and_earlier_referrals_counted(april: None):
    admin = person(Role.PARTNERSHIP_ADMIN)
    response = client_for(admin).get("/reports/exports/annex-a-3.csv" + APRIL)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    header, *rows = rows_of(response)
    assert header == ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
                      "Referral Date", "Referral Source", "Referral NFA", "Number of Referrals in Last 12 Months",
                      "Allocated Team", "Allocated Worker"]  # fmt: skip
    assert [r[1:3] + r[5:9] for r in rows] == [
        ["b) Female", "a) WBRI", "02/04/2026", "e) 2A: Schools", "b) No", "0"],
        ["c) Not stated/recorded", "u) UNKNOWN", "20/04/2026", "q) 6: Police", "b) No", "1"],
    ]
    export = Export.objects.get()
    assert (export.kind, export.rows, export.partnership, export.exported_by) == ("annex-a-3", 2, CB, admin.user)
    event = for_target(export).get()
    assert event.verb == events.EXPORTED.name and event.payload["filters"]["start"] == "2026-04-01"


def test_the_cin_census_and_ssd_exports_use_their_field_names(april: None):
    client = client_for(person(Role.PARTNERSHIP_ADMIN))
    header, *rows = rows_of(client.get("/reports/exports/cin-referrals.csv" + APRIL))
    assert header[:3] == ["LAchildID", "PersonBirthDate", "ExpectedPersonBirthDate"] and len(rows) == 2
    assert rows[0][3:] == ["2", "WBRI", "2026-04-02", "2A", "0"]  # the hand-off's values
    header, *rows = rows_of(client.get("/reports/exports/ssd-contacts.csv" + APRIL))
    assert header == ["cont_contact_id", "cont_person_id", "cont_contact_date", "cont_contact_source_code",
                      "cont_contact_source_desc", "cont_contact_outcome_json"]  # fmt: skip
    assert len(rows) == 3 and rows[0][2:5] == ["2026-04-02T09:00:00+00:00", "2A", "Schools"]
    header, *rows = rows_of(client.get("/reports/exports/annex-a-1.csv" + APRIL))
    assert header[-2:] == ["Date of Contact", "Contact Source"] and len(rows) == 3
    assert Export.objects.count() == 3


def test_an_unknown_export_is_not_found_and_records_nothing():
    assert client_for(person(Role.PARTNERSHIP_ADMIN)).get("/reports/exports/everything.csv").status_code == 404
    assert not Export.objects.exists()
