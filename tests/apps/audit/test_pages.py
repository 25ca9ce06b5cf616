"""The auditor's pages: their own partnership's audit only, filters that say what to fix, keyset pages,
their own reading logged, and the chain's check run on the queue by the real worker."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.test import Client

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.audit import events
from continuum.apps.audit.queries import events as audit_events
from continuum.apps.audit.services import record
from continuum.apps.jobs.worker import run
from tests.apps.accounts import conftest as accounts
from tests.apps.accounts.conftest import OTHER, OWN
from tests.people import signed_in

from .conftest import refusals_set_aside

pytestmark = pytest.mark.django_db
# The real worker closes its database connection after each job, which on PostgreSQL would end a
# test wrapped in a transaction: these tests commit for real.
WORKER_RUNS = pytest.mark.django_db(transaction=True)

# the accounts tests' partnerships (north, south; autouse) and people
two_partnerships = accounts.two_partnerships
person = accounts.person


def _events(user, partnership: str, count: int, verb: str = "audit.verification_requested") -> None:
    actor = Actor(user=user, partnership=partnership, role=Role.FRONT_DOOR_WORKER, request_id="r1")
    with transaction.atomic():
        for number in range(count):
            record(verb, target=user, actor=actor, payload={"n": number, "partnership": partnership})


@pytest.fixture(autouse=True)
def no_periodic_jobs(settings):
    """The worker runs only what a test enqueues (its own daily walk would add a second result)."""
    settings.CONTINUUM_PERIODIC_JOBS = []


@pytest.fixture
def auditor(person):
    return signed_in(Client(), person("audrey", (OWN, Role.AUDITOR)), acting=(OWN, Role.AUDITOR))


def test_an_auditor_reads_only_their_own_partnerships_events(auditor, person):
    worker = person("walt", (OWN, Role.FRONT_DOOR_WORKER), (OTHER, Role.FRONT_DOOR_WORKER))
    _events(worker, OWN, 3)
    _events(worker, OTHER, 2)
    own = list(audit_events().filter(partnership=OWN).values_list("sequence", flat=True))
    other = list(audit_events().filter(partnership=OTHER).values_list("sequence", flat=True))
    page = auditor.get("/audit/")
    assert page.status_code == 200
    body = page.content.decode()
    for sequence in own:
        assert f'href="/audit/{sequence}/"' in body
    for sequence in other:
        assert f'href="/audit/{sequence}/"' not in body
        assert auditor.get(f"/audit/{sequence}/").status_code == 404
    detail = auditor.get(f"/audit/{own[0]}/").content.decode()
    assert "walt" in detail and "audit.verification_requested" in detail and '"partnership"' not in detail


@pytest.mark.parametrize("role", [r for r in Role if r != Role.AUDITOR], ids=str)
def test_no_other_role_reads_the_audit(person, role):
    client = signed_in(Client(), person("nia", (OWN, role)), acting=(OWN, role))
    assert client.get("/audit/").status_code == 403
    assert client.post("/audit/verify/").status_code == 403


def test_signed_out_people_are_sent_to_sign_in():
    response = Client().get("/audit/")
    assert response.status_code == 302 and "/accounts/sign-in" in response["Location"]


def test_filters_narrow_the_events_and_bad_ones_say_what_to_fix(auditor, person):
    worker = person("walt", (OWN, Role.FRONT_DOOR_WORKER))
    _events(worker, OWN, 2)
    _events(worker, OWN, 1, verb="audit.verified")
    only = auditor.get("/audit/", {"verb": "audit.verified"}).content.decode()
    verified = audit_events().get(verb="audit.verified", partnership=OWN)
    assert f'href="/audit/{verified.sequence}/"' in only
    assert re.findall(r'href="/audit/(\d+)/"', only) == [str(verified.sequence)]

    bad = auditor.get("/audit/", {"start": "30/11/2026", "verb": "nothing.happened"})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "From must be a date, like 2026-11-30" in body and "Choose an action from the list" in body
    assert "govuk-error-summary" in body

    backwards = auditor.get("/audit/", {"start": "2026-12-02", "end": "2026-12-01"})
    assert backwards.status_code == 400 and "To must be the same as or after From" in backwards.content.decode()


def test_pages_go_back_in_time_by_sequence(auditor, person):
    worker = person("walt", (OWN, Role.FRONT_DOOR_WORKER))
    _events(worker, OWN, 60)
    first = auditor.get("/audit/", {"who": "walt"}).content.decode()
    sequences = sorted(audit_events().filter(actor="walt").values_list("sequence", flat=True))
    assert f'href="/audit/{sequences[-1]}/"' in first and f'href="/audit/{sequences[9]}/"' not in first
    assert f"before={sequences[10]}" in first
    second = auditor.get("/audit/", {"who": "walt", "before": sequences[10]}).content.decode()
    assert f'href="/audit/{sequences[0]}/"' in second and f'href="/audit/{sequences[10]}/"' not in second
    assert "Older events" not in second


def test_reading_the_audit_is_itself_recorded(auditor, person):
    _events(person("walt", (OWN, Role.FRONT_DOOR_WORKER)), OWN, 1)
    auditor.get("/audit/", {"who": "walt"})
    searched = audit_events().filter(verb=events.SEARCHED.name).get()
    assert searched.actor == "audrey" and searched.partnership == OWN
    assert searched.payload == {"filters": {"who": "walt"}, "shown": 1}


@WORKER_RUNS
def test_the_chain_is_checked_on_the_queue_and_the_page_shows_the_result(
    auditor, person, django_capture_on_commit_callbacks
):
    _events(person("walt", (OWN, Role.FRONT_DOOR_WORKER)), OWN, 3)
    assert "has not been checked yet" in auditor.get("/audit/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = auditor.post("/audit/verify/")
    assert response.status_code == 302
    run(batch=True, interval=0.1)
    verified = audit_events().get(verb=events.VERIFIED.name)
    assert verified.payload["ok"] is True and verified.payload["requested_by"] == "audrey"
    assert verified.payload["events"] == verified.sequence - 1
    assert "Intact" in auditor.get("/audit/").content.decode()


@WORKER_RUNS
def test_a_broken_chain_is_shown_as_broken(auditor, person, django_capture_on_commit_callbacks):
    _events(person("walt", (OWN, Role.FRONT_DOOR_WORKER)), OWN, 3)
    with refusals_set_aside() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor = 'someone else' WHERE sequence = 2")
    with django_capture_on_commit_callbacks(execute=True):
        auditor.post("/audit/verify/")
    run(batch=True, interval=0.1)
    body = auditor.get("/audit/").content.decode()
    assert "Broken" in body and "The chain breaks at event 2" in body


@WORKER_RUNS
def test_the_daily_walk_records_its_result_and_schedules_the_next(person, settings):
    from django_tasks_db.models import DBTaskResult

    from continuum.apps.audit.tasks import verify_chain_daily

    settings.CONTINUUM_PERIODIC_JOBS = ["continuum.apps.audit.tasks.verify_chain_daily"]
    _events(person("walt", (OWN, Role.FRONT_DOOR_WORKER)), OWN, 2)
    verify_chain_daily.enqueue()
    run(batch=True, interval=0.1)
    assert audit_events().get(verb=events.VERIFIED.name).payload["requested_by"] == "schedule"
    assert DBTaskResult.objects.filter(status="READY").count() == 1  # tomorrow's walk
