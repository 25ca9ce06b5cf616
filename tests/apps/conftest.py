"""Fixtures for the Django apps' tests (SQLite by default; PostgreSQL with DATABASE_URL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from continuum.apps.checks.catalogue import catalogue
from continuum.frameworks import LoadedFramework
from tests.django_support import fresh_catalogue, mark_as_web  # noqa: F401

HERE = Path(__file__).parent


pytest_collection_modifyitems = mark_as_web(HERE)


@pytest.fixture
def tiny() -> LoadedFramework:
    """The tiny test framework (tests/fixtures/frameworks/tiny), as the service offers it."""
    loaded = catalogue().get("tiny")
    assert loaded is not None
    return loaded
