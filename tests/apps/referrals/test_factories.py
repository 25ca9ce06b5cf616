"""The factories make what they say: checks at the levels named, referrals through the service."""

from __future__ import annotations

import pytest

from continuum.apps.accounts.actor import Role

from .conftest import person
from .factories import INDICATORS, make_check, sent_referral

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("partnership", "level"), sorted(INDICATORS))
def test_make_check_recommends_the_level_asked_for(partnership: str, level: int):
    check = make_check(person(Role.PRACTITIONER, partnership), partnership, level)
    assert check.recommended_level == level and check.framework_id == partnership


def test_sent_referral_goes_through_the_service_with_an_audit_event(practitioner):
    from continuum.apps.audit import queries as audit

    referral = sent_referral(practitioner)
    assert referral.referrer == practitioner.user and referral.stored_check is not None
    assert audit.for_target(referral).filter(verb="referrals.submitted").count() == 1
