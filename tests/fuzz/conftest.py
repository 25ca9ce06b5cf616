"""Fixtures for the fuzz tests: the Django-side ones forget loaded frameworks between tests."""

from __future__ import annotations

from tests.django_support import fresh_catalogue  # noqa: F401
