"""Factories for referrals: checks made through the checks service, referrals sent through ours.

Deterministic: names and dates come from sequences. ``details()`` is what a referrer's
answers come to; override any field.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date
from typing import Any

from continuum.apps.accounts.actor import Actor
from continuum.apps.checks import services as check_services
from continuum.apps.checks.models import Check
from continuum.apps.partnerships.catalogue import catalogue
from continuum.apps.referrals import services
from continuum.apps.referrals.models import Referral
from continuum.apps.referrals.services import Child, Consent, Details

_numbers = itertools.count(1)

# Indicators of each framework at the levels the tests need (ids from frameworks/<id>/framework.yaml).
INDICATORS: dict[tuple[str, int], str] = {
    ("cambridgeshire-peterborough", 2): "see-l2-1",
    ("cambridgeshire-peterborough", 3): "see-l3-1",
    ("central-bedfordshire", 2): "dev-l2-01",
    ("central-bedfordshire", 4): "dev-l4-01",
    ("bedford-borough", 3): "a1-1-l3",
    ("bedford-borough", 4): "a1-1-l4",
    ("luton", 3): "hea-l3-1",
}
CP_IMMEDIATE_RISK = "see-l3-7"  # fires a rule that names a consent exception (parents not told first)


def make_check(actor: Actor, framework_id: str, level: int = 3, indicators: list[str] | None = None) -> Check:
    """A stored check by ``actor`` against ``framework_id`` whose selection recommends ``level``."""
    loaded = catalogue().get(framework_id)
    assert loaded is not None, f"{framework_id} must be offered"
    selected = indicators if indicators is not None else [INDICATORS[(framework_id, level)]]
    inputs = {
        "text": "",
        "indicators": selected,
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


def child(**overrides: Any) -> Child:
    n = next(_numbers)
    values: dict[str, Any] = {
        "first_name": f"Sam{n}",
        "last_name": "Example",
        "date_of_birth": date(2016, 1, 1).replace(day=1 + n % 28),
        "gender": "2",
        "school_or_setting": "Example Primary School",
    }
    return Child(**(values | overrides))


def obtained() -> Consent:
    return Consent(
        basis="obtained", who="Alex Example (mother)", when=date(2026, 1, 5), shared="The concerns and this referral"
    )


def details(children: list[Child] | None = None, **overrides: Any) -> Details:
    values: dict[str, Any] = {
        "children": children if children is not None else [child()],
        "referrer_name": "Pat Teacher",
        "referrer_agency": "Example Primary School",
        "referral_source": "2A",
        "referrer_email": "pat.teacher@example.org",
        "referrer_phone": "01234 567890",
        "what_done_so_far": "Met the mother twice; school nurse involved.",
        "consent": obtained(),
        "address": "1 Example Street, Exampletown",
        "postcode": "ab1 2cd",
        "household": [{"name": "Alex Example", "relationship": "mother"}],
    }
    return Details(**(values | overrides))


def with_consent(d: Details, **consent: Any) -> Details:
    return replace(d, consent=Consent(**consent))


def sent_referral(actor: Actor, framework_id: str | None = None, level: int = 3, **overrides: Any) -> Referral:
    """One referral sent by ``actor`` (a referrer in ``framework_id``) from a fresh check."""
    check = make_check(actor, framework_id or str(actor.partnership), level)
    return services.send_referral(actor, check, details(**overrides))[0]
