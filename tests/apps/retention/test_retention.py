"""The retention job: through the real worker, casework past its date is anonymised (never deleted), nothing
before it is touched, expired sessions go, and old access-log events are trimmed with the chain still verifying."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.audit.queries import access_log, events, for_target
from continuum.apps.audit.services import record_access, stored_digest
from continuum.apps.audit.verify import checkpoints, verify
from continuum.apps.checks import services as check_services
from continuum.apps.checks.models import Check
from continuum.apps.frontdoor import services as frontdoor
from continuum.apps.frontdoor.models import Triage
from continuum.apps.jobs.worker import run
from continuum.apps.partnerships.catalogue import catalogue
from continuum.apps.referrals.models import Family, Referral
from continuum.apps.retention import services
from continuum.apps.retention.models import Disposal
from continuum.apps.retention.services import REMOVED
from continuum.apps.retention.tasks import apply_retention
from tests.apps.frontdoor.factories import ReferralFactory
from tests.conftest import FRAMEWORKS_DIR
from tests.django_support import frameworks_offered
from tests.people import member

pytestmark = pytest.mark.django_db(transaction=True)

CB = "central-bedfordshire"
NOW = timezone.now()
TODAY = timezone.localdate(NOW)


@pytest.fixture(autouse=True)
def real_frameworks(settings: Any) -> Iterator[None]:
    """The repository's frameworks (a front-door decision needs one with a front door)."""
    with frameworks_offered(settings, FRAMEWORKS_DIR):
        yield


@contextmanager
def clock_at(moment: datetime, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Work as if it were ``moment`` (Django's clock, which the services, the audit and the models read)."""
    with monkeypatch.context() as patch:
        patch.setattr(timezone, "now", lambda: moment)
        yield


def _years_ago(years: int, *, days: int = 0) -> date:
    return TODAY.replace(year=TODAY.year - years) - timedelta(days=days)


def decided_contact(born: date, worker: Actor) -> Triage:
    """A referral about a child born on ``born``, triaged and decided at the front door (through its services)."""
    check = lone_check(worker)
    referral = ReferralFactory(partnership=CB, date_of_birth=born, received_at=timezone.now(), stored_check=check)
    triage = frontdoor.open_triage(referral)
    triage = frontdoor.claim(worker, triage)
    rationale = frontdoor.Rationale(
        indicators={},
        added=[],
        information="School and health visitor spoken to.",
        consent_basis="obtained",
        consent_detail="Mother, by phone",
        level=triage.referral.referrer_level,
        level_reason="",
    )
    return frontdoor.decide(worker, triage, outcome="0", police=False, rationale=rationale)


def lone_check(actor: Actor) -> Check:
    """A practitioner's check, through the checks service, with the practitioner's words about the child."""
    loaded = catalogue().get(CB)
    assert loaded is not None
    inputs = {
        "text": "Sam is often late and hungry",
        "indicators": ["dev-l2-01"],
        "protective": [],
        "facts": {},
        "age_years": 8.0,
        "age": {"years": 8, "months": 0},
        "suggested": [],
        "rejected": [],
        "rejected_text": [],
        "matching_mode": "lexical",
    }
    return check_services.create_check(loaded, inputs, actor=actor)


@pytest.fixture
def worker() -> Actor:
    return member(Role.FRONT_DOOR_WORKER, CB)


@pytest.fixture
def casework(monkeypatch, worker) -> dict[str, Any]:
    """Ten years ago: two contacts decided at the front door (children born 30 and 15 years ago) and a
    check that went no further; two years ago: views of the first contact; now: a session long expired."""
    with clock_at(NOW - timedelta(days=10 * 366), monkeypatch):
        grown = decided_contact(_years_ago(30), worker)
        young = decided_contact(_years_ago(15), worker)
        alone = lone_check(worker)
    with clock_at(NOW - timedelta(days=2 * 366), monkeypatch):
        for n in range(3):
            record_access(worker, grown.referral, purpose=f"page {n}")
    Session.objects.create(session_key="expired", session_data="", expire_date=NOW - timedelta(days=1))
    Session.objects.create(session_key="current", session_data="", expire_date=NOW + timedelta(hours=1))
    return {"grown": grown, "young": young, "alone": alone}


def test_the_worker_anonymises_a_contact_past_its_date_and_keeps_its_decision(casework):
    grown: Triage = casework["grown"]
    decided_at, outcome = grown.decided_at, grown.outcome_code
    apply_retention.enqueue()
    run(batch=True, interval=0.1)

    done = DBTaskResult.objects.get(task_path__endswith="apply_retention", status="SUCCESSFUL")
    assert done.return_value["anonymised"]["referral"] == 1
    referral = Referral.objects.get(pk=grown.referral.pk)  # still there: never deleted
    assert (referral.child_first_name, referral.child_last_name, referral.nhs_number) == ("", "", "")
    assert referral.date_of_birth == _years_ago(30).replace(month=1, day=1)  # the year kept
    assert referral.what_done_so_far == REMOVED and referral.referrer_email == ""
    assert Check.objects.get(pk=referral.stored_check_id).inputs["text"] == ""  # the case's check with it
    triage = Triage.objects.get(pk=grown.pk)
    assert (triage.outcome_code, triage.decided_at, triage.state) == (outcome, decided_at, "decided")
    family = Family.objects.get(pk=referral.family_id)
    assert (family.address, family.postcode) == ("", "")
    event = for_target(referral).get(verb="retention.anonymised")
    assert event.actor == "system:retention" and event.payload["kind"] == "referral"
    assert event.payload["stored_sha256"] == stored_digest(referral)
    assert Disposal.objects.get(model="referrals.referral", object_id=str(referral.pk)).retention_date <= TODAY
    # the next run waits a day
    waiting = DBTaskResult.objects.get(task_path__endswith="apply_retention", status="READY")
    assert waiting.run_after > timezone.now() + timedelta(hours=23)


def test_a_decision_record_before_its_retention_date_is_not_touched_nor_its_check(casework):
    """The child is 15: the contact is kept to the 25th birthday, and its ten-year-old check with it,
    though a check that went no further is kept only six years."""
    young: Triage = casework["young"]
    check = young.referral.stored_check
    assert check is not None and check.created_at < NOW - timedelta(days=9 * 365)
    before_referral, before_check = stored_digest(young.referral), stored_digest(check)
    services.apply()
    referral = Referral.objects.get(pk=young.referral.pk)
    assert referral.child_first_name and stored_digest(referral) == before_referral
    assert not Disposal.objects.filter(object_id=str(referral.pk), model="referrals.referral").exists()
    assert stored_digest(check) == before_check and Check.objects.get(pk=check.pk).inputs["text"]
    assert not for_target(referral).filter(verb="retention.anonymised").exists()


def test_a_check_that_went_no_further_is_anonymised_after_its_own_period(casework, monkeypatch, worker):
    with clock_at(NOW - timedelta(days=5 * 365), monkeypatch):
        recent = lone_check(worker)
    services.apply()
    alone = Check.objects.get(pk=casework["alone"].pk)
    assert alone.inputs["text"] == "" and alone.recommended_level == casework["alone"].recommended_level
    assert Check.objects.get(pk=recent.pk).inputs["text"]  # five years old: kept


def test_the_periods_are_configuration(casework, settings):
    settings.CONTINUUM_RETENTION = {**settings.CONTINUUM_RETENTION, "case_until_age": 14}
    summary = services.apply()
    assert summary.anonymised["referral"] == 2
    assert not Referral.objects.get(pk=casework["young"].referral.pk).child_first_name


def test_a_second_run_does_nothing_more(casework):
    services.apply()
    count = events().count()
    again = services.apply()
    assert sum(again.anonymised.values()) == 0 and again.access_events_trimmed == 0
    assert events().count() == count


def test_the_run_purges_sessions_and_trims_the_access_log_and_the_chain_verifies(casework):
    grown: Triage = casework["grown"]
    assert access_log(grown.referral).count() == 3
    apply_retention.enqueue()
    run(batch=True, interval=0.1)
    assert list(Session.objects.values_list("session_key", flat=True)) == ["current"]
    assert access_log(grown.referral).count() == 0  # two years old: past the 400 days
    (point,) = checkpoints()
    assert events().get(sequence=point.at).verb == "audit.trimmed"
    result = verify()
    assert result.ok, result.broken
