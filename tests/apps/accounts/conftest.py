"""Fixtures for the accounts tests: two partnerships, people with roles, signing them in."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from continuum.apps.accounts.actor import Role
from continuum.apps.accounts.models import User
from tests.apps.accounts.factories import MembershipFactory, UserFactory
from tests.django_support import frameworks_offered

TINY = Path(__file__).resolve().parents[2] / "fixtures" / "frameworks" / "tiny"
PASSWORD = "correct horse battery staple"
OWN, OTHER = "north", "south"


def _copy_tiny(target: Path, framework_id: str) -> None:
    shutil.copytree(TINY, target / framework_id)
    path = target / framework_id / "framework.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("id: tiny", f"id: {framework_id}", 1)
    text = text.replace("name: Tiny Partnership", f"name: {framework_id.title()} Partnership", 1)
    path.write_text(text, encoding="utf-8")


@pytest.fixture(autouse=True)
def two_partnerships(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """The service offers three partnerships: ``north`` and ``south`` (copies of tiny) and ``tiny``.

    Autouse because memberships are validated against the frameworks on offer, and the
    caches of loaded frameworks must not leak into other tests.
    """
    directory = tmp_path / "frameworks"
    directory.mkdir()
    for framework_id in (OWN, OTHER):
        _copy_tiny(directory, framework_id)
    shutil.copytree(TINY, directory / "tiny")
    with frameworks_offered(settings, directory):
        yield directory


@pytest.fixture
def person(db: None) -> Callable[..., User]:
    """Make a person with a password and roles: ``person("ann", (OWN, Role.PRACTITIONER), ...)``."""

    def make(username: str, *roles: tuple[str, Role], **fields: Any) -> User:
        user = UserFactory(username=username, password=PASSWORD, **fields)
        for partnership, role in roles:
            MembershipFactory(user=user, partnership=partnership, role=role)
        return user

    return make
