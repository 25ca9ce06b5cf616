"""Fixtures for the Django apps' tests (SQLite by default; PostgreSQL with DATABASE_URL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from continuum.apps.checks.catalogue import catalogue, forget
from continuum.frameworks import LoadedFramework

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.web)


@pytest.fixture(autouse=True)
def _fresh_catalogue():
    """Forget loaded frameworks between tests: some tests point the service at another directory."""
    forget()
    yield
    forget()


@pytest.fixture
def tiny() -> LoadedFramework:
    """The tiny test framework (tests/fixtures/frameworks/tiny), as the service offers it."""
    loaded = catalogue().get("tiny")
    assert loaded is not None
    return loaded
