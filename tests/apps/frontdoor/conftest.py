"""Fixtures for the front door's tests: the repository's frameworks on offer, people in front-door roles."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from continuum.apps.accounts.actor import Actor, Role
from tests.conftest import FRAMEWORKS_DIR
from tests.django_support import frameworks_offered
from tests.people import member

CB = "central-bedfordshire"  # decision 24 hours, grades, agency checks 24 hours, re-referral window 3 months
LUTON = "luton"  # no decision clock, no feedback clock
CP = "cambridgeshire-peterborough"  # a national decision clock, a feedback clock of 1 working day


@pytest.fixture(autouse=True)
def real_frameworks(settings: Any) -> Iterator[None]:
    """The service offers the repository's five frameworks (the tiny test framework has no front door).

    Autouse: every front-door test needs a framework with a ``front_door`` section.
    """
    with frameworks_offered(settings, FRAMEWORKS_DIR):
        yield


def person(role: Role, partnership: str = CB, **user: Any) -> Actor:
    """A signed-in person holding ``role`` in ``partnership``, as the Actor they act as."""
    return member(role, partnership, **user)


@pytest.fixture
def worker() -> Actor:
    return person(Role.FRONT_DOOR_WORKER, first_name="Wren", last_name="Walker")


@pytest.fixture
def manager() -> Actor:
    return person(Role.FRONT_DOOR_MANAGER, first_name="Mo", last_name="Manager")
