"""Fixtures for the Django apps' tests (SQLite by default; PostgreSQL with DATABASE_URL).

The tiny test framework is tests/conftest.py's ``tiny``: the test settings offer the same
directory, so it is the framework the service offers (same id, version and content hash).
"""

from __future__ import annotations

from pathlib import Path

from tests.django_support import fresh_catalogue, mark_as_web  # noqa: F401

HERE = Path(__file__).parent


pytest_collection_modifyitems = mark_as_web(HERE)
