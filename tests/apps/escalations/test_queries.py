"""Reads: the register's scope and filters, its CSV, ages, and the access log of every escalation shown."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.http import Http404

from continuum.apps.accounts.actor import Role
from continuum.apps.accounts.permissions import Refused
from continuum.apps.audit.queries import access_log
from continuum.apps.escalations import queries, services
from continuum.apps.escalations.models import Status
from continuum.calendar import UK

from .conftest import STAGED, UNSTAGED
from .factories import EscalationFactory, acting

pytestmark = pytest.mark.django_db


def _resolved(**kwargs):
    escalation = EscalationFactory(**kwargs)
    party = acting(Role.FRONT_DOOR_WORKER, escalation.partnership)
    services.respond(party, escalation, response="Agreed on a call", now=datetime(2026, 4, 7, 9, tzinfo=UK))
    return services.resolve(party, escalation, outcome="=Level raised", now=datetime(2026, 4, 9, 9, tzinfo=UK))


def test_the_register_holds_the_partnerships_escalations_only():
    ours, theirs = EscalationFactory(), EscalationFactory(partnership=UNSTAGED)
    rows = list(queries.register(acting(Role.FRONT_DOOR_MANAGER), queries.Filters()))
    assert rows == [ours] and theirs not in rows


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.FRONT_DOOR_WORKER, Role.EARLY_HELP, Role.AUDITOR])
def test_the_register_is_refused_to_other_roles(role):
    with pytest.raises(Refused):
        queries.register(acting(role), queries.Filters())


def test_the_register_filters_by_status_stage_and_overdue():
    open_one, resolved = EscalationFactory(), _resolved()
    moved = EscalationFactory()
    services.escalate(
        acting(Role.FRONT_DOOR_WORKER), moved, reason="No answer", now=datetime(2026, 4, 13, 10, tzinfo=UK)
    )
    admin = acting(Role.PARTNERSHIP_ADMIN)
    assert set(queries.register(admin, queries.Filters(status=Status.RESOLVED))) == {resolved}
    assert set(queries.register(admin, queries.Filters(status=Status.OPEN))) == {open_one, moved}
    assert set(queries.register(admin, queries.Filters(stage=2))) == {moved}
    assert not queries.register(admin, queries.Filters(overdue=True)).exists()
    open_one.stages.filter(number=1).update(overdue_at=datetime(2026, 4, 13, 10, tzinfo=UK))
    assert set(queries.register(admin, queries.Filters(overdue=True))) == {open_one}


def test_filters_from_the_query_string_ignore_what_they_do_not_know():
    assert queries.Filters.from_query({"status": "resolved", "stage": "2", "overdue": "yes"}) == queries.Filters(
        "resolved", 2, True
    )
    assert queries.Filters.from_query({"status": "deleted", "stage": "two", "overdue": "1"}) == queries.Filters()
    assert queries.Filters("open", 3, True).as_dict() == {"status": "open", "stage": "3", "overdue": "yes"}


def test_age_counts_to_the_close_or_to_now():
    resolved = _resolved()
    assert queries.age_in_days(resolved) == 6  # 2 April 10:00 to 9 April 09:00
    opened = EscalationFactory()
    assert queries.age_in_days(opened, now=opened.raised_at + timedelta(days=3, hours=1)) == 3


def test_the_csv_has_a_row_per_escalation_and_defuses_formulas():
    resolved = _resolved()
    rows = list(queries.register(acting(Role.FRONT_DOOR_MANAGER), queries.Filters()))
    table = list(csv.reader(io.StringIO(queries.csv_text(rows))))
    assert table[0] == list(queries.CSV_HEADER)
    row = dict(zip(table[0], table[1], strict=True))
    assert row["reference"] == resolved.public_id
    assert (row["status"], row["stage"], row["stages"], row["procedure"]) == ("resolved", "1", "5", "document")
    assert row["outcome"] == "'=Level raised"  # a spreadsheet would run it as a formula
    assert row["age_days"] == "6"
    assert "concern" not in table[0]


def test_an_escalation_is_read_only_by_those_who_may_see_it_and_each_read_is_logged():
    escalation = EscalationFactory()
    reader = acting(Role.FRONT_DOOR_MANAGER)
    assert queries.escalation_for(reader, escalation.public_id) == escalation
    logged = access_log(escalation).get()
    assert logged.payload == {"purpose": "page"} and logged.role == Role.FRONT_DOOR_MANAGER
    for stranger in (acting(Role.FRONT_DOOR_MANAGER, UNSTAGED), acting(Role.PRACTITIONER, STAGED)):
        with pytest.raises(Http404):
            queries.escalation_for(stranger, escalation.public_id)
    assert access_log(escalation).count() == 1


def test_my_escalations_are_those_i_raised_in_this_partnership():
    me = acting(Role.FRONT_DOOR_WORKER)
    mine, others = EscalationFactory(actor=me), EscalationFactory()
    assert list(queries.raised_by(me)) == [mine] and others not in queries.raised_by(me)
