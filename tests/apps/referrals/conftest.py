"""Fixtures for the referrals' tests: the repository's frameworks on offer, people in their roles."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from continuum.apps.accounts.actor import Actor, Role
from tests.conftest import FRAMEWORKS_DIR
from tests.django_support import frameworks_offered
from tests.people import member

CP = "cambridgeshire-peterborough"  # refers at 3 (seek-unless-risk); national 1-working-day clocks; phone 24 h
CB = "central-bedfordshire"  # refers at 2-4; level 2 consent required with exceptions; decision 24 hours; grades
BEDFORD = "bedford-borough"  # refers at 4 only; level 3 consent required
LUTON = "luton"  # no decision or acknowledgement clock


@pytest.fixture(autouse=True)
def real_frameworks(settings: Any) -> Iterator[None]:
    """The service offers the repository's five frameworks (the tiny test framework has no front door).

    Autouse: every referral needs a framework with a ``front_door`` section.
    """
    with frameworks_offered(settings, FRAMEWORKS_DIR):
        yield


def person(role: Role, partnership: str = CP, **user: Any) -> Actor:
    """A signed-in person holding ``role`` in ``partnership``, as the Actor they act as."""
    return member(role, partnership, **user)


@pytest.fixture
def practitioner() -> Actor:
    return person(Role.PRACTITIONER, first_name="Pat", last_name="Teacher")


@pytest.fixture
def worker() -> Actor:
    return person(Role.FRONT_DOOR_WORKER, first_name="Wren", last_name="Walker")


@pytest.fixture
def manager() -> Actor:
    return person(Role.FRONT_DOOR_MANAGER, first_name="Mo", last_name="Manager")
