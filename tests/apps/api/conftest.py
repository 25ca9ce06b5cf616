"""Fixtures for the API tests: three partnerships (north, south, tiny), people with tokens, a client.

The partnerships are the accounts tests' (``two_partnerships``, autouse there and here).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.accounts.models import Membership, User
from continuum.apps.api import services
from tests.apps.accounts.conftest import OTHER, OWN, two_partnerships  # noqa: F401  (autouse)
from tests.apps.accounts.factories import MembershipFactory, UserFactory

OPERATOR = Actor.for_system("test")


@pytest.fixture(autouse=True)
def lexical_matching(monkeypatch: pytest.MonkeyPatch) -> None:
    """Match words lexically: fast, and the same on every machine (the semantic model is not needed here)."""
    monkeypatch.setenv("CONTINUUM_MATCH_MODE", "lexical")


@pytest.fixture(autouse=True)
def empty_rate_counts() -> Iterator[None]:
    """Rate limits are counted in the cache: each test starts from none (autouse: the cache is global)."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class Caller:
    """A person with a token for one role in one partnership, and a client that sends it."""

    user: User
    membership: Membership
    token: str
    token_id: str
    client: Client

    @property
    def actor(self) -> Actor:
        return Actor(user=self.user, partnership=self.membership.partnership, role=Role(self.membership.role))

    def get(self, path: str, **extra: Any) -> Any:
        return self.client.get(path, HTTP_AUTHORIZATION=f"Bearer {self.token}", **extra)

    def post(self, path: str, data: Any, **extra: Any) -> Any:
        return self.client.post(
            path, data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {self.token}", **extra
        )


@pytest.fixture
def caller(db: None) -> Callable[..., Caller]:
    """``caller(Role.PRACTITIONER, partnership=OWN, user=None)``: a person, their role and a live token."""

    def make(role: Role = Role.PRACTITIONER, partnership: str = OWN, user: User | None = None) -> Caller:
        user = user or UserFactory()
        membership = MembershipFactory(user=user, partnership=partnership, role=role)
        made = services.create_token(OPERATOR, membership, name="tests")
        return Caller(user, membership, made.secret, made.token.public_id, Client())

    return make


def error_of(response: Any) -> dict[str, Any]:
    """The error object of a response in the one error shape (asserting that shape)."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]) <= {"code", "message", "field"}, body
    assert body["error"]["message"], body
    return dict(body["error"])


__all__ = ["OTHER", "OWN", "Caller", "error_of"]
