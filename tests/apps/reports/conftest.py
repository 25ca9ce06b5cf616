"""Fixtures for the reports' tests: the repository's frameworks on offer, and small synthetic records
with known answers (checks and their indicator rows, contacts and their front-door triage)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.checks.models import Check, CheckIndicator, LowerView
from continuum.apps.frontdoor.models import Triage
from continuum.apps.referrals.models import Referral
from continuum.apps.reports.queries import Filters
from continuum.calendar import UK
from tests.apps.frontdoor.factories import ReferralFactory
from tests.conftest import FRAMEWORKS_DIR
from tests.django_support import frameworks_offered
from tests.people import member

CB = "central-bedfordshire"  # office hours Mon-Thu 08:45-17:20, Fri 08:45-16:20
OTHER = "luton"
APRIL_2026 = Filters(start=date(2026, 4, 1), end=date(2026, 4, 30))


@pytest.fixture(autouse=True)
def real_frameworks(settings: Any) -> Iterator[None]:
    """The service offers the repository's frameworks (autouse: scopes read the partnership's framework,
    and the loaded frameworks must not leak into other tests)."""
    with frameworks_offered(settings, FRAMEWORKS_DIR):
        yield


def person(role: Role, partnership: str = CB) -> Actor:
    """A person holding ``role`` in ``partnership``, acting in it."""
    return member(role, partnership)


def at(day: int, hour: int, minute: int = 0, month: int = 4) -> datetime:
    """A moment in 2026, London time."""
    return datetime(2026, month, day, hour, minute, tzinfo=UK)


def check(
    recommended: int,
    *,
    own: int | None = None,
    agree: bool = False,
    version: str = "2.0.0",
    digest: str = "sha256:aaaa",
    created: datetime | None = None,
    partnership: str = CB,
    indicators: tuple[tuple[str, int, bool, bool], ...] = (),
) -> Check:
    """A stored check with a known recommendation and judgement, and its indicator rows
    ``(indicator_id, level, offered, selected)``."""
    judged = own is not None or agree
    made = Check.objects.create(
        framework_id=partnership,
        framework_name="Test",
        framework_version=version,
        framework_hash=digest,
        engine_version="test",
        inputs={},
        result={},
        recommended_level=recommended,
        recommended_level_name=f"Level {recommended}",
        judgement="own" if own is not None else ("agree" if agree else ""),
        own_level=own,
        judgement_reason="Known to the family" if own is not None else "",
        judged_at=at(2, 11) if judged else None,
    )
    Check.objects.filter(pk=made.pk).update(created_at=created or at(2, 10))
    for indicator_id, level, offered, selected in indicators:
        CheckIndicator.objects.create(
            stored_check=made, indicator_id=indicator_id, level=level, offered=offered, selected=selected
        )
    made.refresh_from_db()
    return made


def lower_view(stored: Check, level: int) -> LowerView:
    return LowerView.objects.create(
        stored_check=stored, level=level, recommended_level=stored.recommended_level, reason="Seems lower"
    )


def contact(received: datetime, partnership: str = CB, **fields: Any) -> Referral:
    return ReferralFactory(partnership=partnership, received_at=received, **fields)


def decided(
    referral: Referral,
    *,
    decided_at: datetime,
    due_at: datetime | None,
    outcome: str = "assessment-s17",
    level: int | None = 3,
    **fields: Any,
) -> Triage:
    """The front door's decision on ``referral``, with the numbers a test needs (not through the service)."""
    worker = person(Role.FRONT_DOOR_WORKER, referral.partnership)
    return Triage.objects.create(
        referral=referral,
        partnership=referral.partnership,
        state="decided",
        opened_at=referral.received_at,
        clock_started_at=referral.received_at,
        due_at=due_at,
        claimed_by=worker.user,
        claimed_at=referral.received_at,
        outcome_code=outcome,
        outcome_name={"assessment-s17": "Child and family assessment", "nfa": "No further action"}.get(
            outcome, outcome
        ),
        frontdoor_level=level,
        decided_by=worker.user,
        decided_at=decided_at,
        **fields,
    )


def a_month_of_figures() -> None:
    """April at Central Bedfordshire: three decided contacts (NFA, s17, s47), one open, and two checks, one of
    them with a practitioner's lower view (what the reports' pages are looked at with)."""
    for day, hour, outcome, level in ((1, 10, "nfa", 2), (2, 10, "assessment-s17", 3), (7, 9, "strategy-s47", 4)):
        decided(contact(at(day, hour)), decided_at=at(day, hour + 3), due_at=at(day + 1, hour), outcome=outcome,
                level=level)  # fmt: skip
    contact(at(9, 10))
    lower_view(check(3, agree=True, indicators=(("neglect-hygiene", 3, True, True),)), 2)
    check(2, own=3, indicators=(("school-attendance", 2, True, False), ("neglect-hygiene", 3, False, True)))
