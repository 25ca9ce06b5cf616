"""Factories for the front door: referrals as they arrive (with their stored decision deadline) and triages.

Time is controlled by when a referral was received: a referral received long ago has a
deadline in the past, so its jobs are due now and the real worker runs them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import factory
from django.utils import timezone

from continuum.apps.frontdoor import clocks, services
from continuum.apps.frontdoor.models import Triage
from continuum.apps.referrals.models import Family, Referral
from continuum.calendar import Calendar


def _decision_due(partnership: str, received_at: datetime) -> datetime | None:
    framework = services.framework_of(partnership)
    clock = clocks.clock(framework, "decision")
    return Calendar.for_framework(framework).due(received_at, clock.within) if clock else None


class ReferralFactory(factory.django.DjangoModelFactory):
    """A referral received by a partnership's front door, about one child (deterministic)."""

    class Meta:
        model = Referral

    partnership = "central-bedfordshire"
    framework_version = "2.0.0"
    framework_hash = "sha256:test"
    child_first_name = factory.Sequence(lambda n: f"Child{n}")
    child_last_name = "Example"
    date_of_birth = factory.Sequence(lambda n: (datetime(2015, 1, 1) + timedelta(days=n)).date())
    nhs_number = ""
    referrer_name = "Rae Referrer"
    referrer_agency = "Example Primary School"
    referrer_email = "referrer@example.org"
    referral_source = "2A"
    referrer_level = 3
    referrer_level_name = factory.LazyAttribute(lambda r: f"Level {r.referrer_level}")
    indicator_ids = factory.LazyFunction(list)
    what_done_so_far = "Spoke to the parent."
    consent_basis = "obtained"
    channel = "online"
    received_at = factory.LazyFunction(timezone.now)
    decision_due = factory.LazyAttribute(lambda r: _decision_due(r.partnership, r.received_at))

    family = factory.LazyAttribute(
        lambda r: Family.objects.create(partnership=r.partnership, address="1 Example Street", postcode="AB1 2CD")
    )


def triage(**referral: Any) -> Triage:
    """A referral, opened at the front door (through the service)."""
    return services.open_triage(ReferralFactory(**referral))
