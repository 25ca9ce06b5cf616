"""Retention of escalations: an open one holds its subject; a closed one follows its subject, then is anonymised."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from continuum.apps.accounts.actor import Role
from continuum.apps.audit.queries import for_target
from continuum.apps.audit.verify import verify
from continuum.apps.checks.models import Check
from continuum.apps.escalations import services as escalations
from continuum.apps.escalations.models import Escalation, Status
from continuum.apps.retention import services
from continuum.apps.retention.services import REMOVED
from tests.apps.escalations.conftest import two_real_partnerships  # noqa: F401  (fixture)
from tests.apps.escalations.factories import EscalationFactory, acting

pytestmark = pytest.mark.django_db

TEN_YEARS_AGO = timezone.now() - timedelta(days=10 * 366)


@pytest.fixture
def raised() -> Escalation:
    """A disagreement raised ten years ago by a front-door worker about a practitioner's check."""
    worker = acting(Role.FRONT_DOOR_WORKER)
    escalation = EscalationFactory(actor=worker, now=TEN_YEARS_AGO)
    escalation.raised_by = worker  # type: ignore[attr-defined]  (the test keeps who raised it)
    return escalation


def _subject(escalation: Escalation) -> Check:
    return Check.objects.get(pk=escalation.subject_id)


def test_an_open_escalation_holds_its_subject(raised):
    Check.objects.filter(pk=raised.subject_id).update(created_at=TEN_YEARS_AGO)
    summary = services.apply()
    assert summary.anonymised["check"] == 0 and summary.anonymised["escalation"] == 0
    assert Escalation.objects.get(pk=raised.pk).concern == raised.concern


def test_a_closed_escalation_is_anonymised_after_its_subject_and_keeps_its_outcome(raised):
    Check.objects.filter(pk=raised.subject_id).update(created_at=TEN_YEARS_AGO)
    escalations.withdraw(raised.raised_by, raised, reason="Resolved by talking", now=TEN_YEARS_AGO)  # type: ignore[attr-defined]
    summary = services.apply()
    assert summary.anonymised["check"] == 1 and summary.anonymised["escalation"] == 1
    escalation = Escalation.objects.get(pk=raised.pk)
    assert (escalation.concern, escalation.subject_decision) == (REMOVED, REMOVED)
    assert escalation.status == Status.WITHDRAWN and escalation.closed_at is not None  # the decision stays
    assert for_target(escalation).filter(verb="retention.anonymised").count() == 1
    assert verify().ok
