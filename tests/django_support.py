"""What the Django-layer test packages (tests/apps, tests/web) share; the core's tests never import it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from continuum.apps.checks.catalogue import forget


def mark_as_web(directory: Path) -> Callable[[list[pytest.Item]], None]:
    """A collection hook marking every test under ``directory`` `web` (run again on PostgreSQL)."""

    def hook(items: list[pytest.Item]) -> None:
        for item in items:
            if directory in Path(str(item.fspath)).parents:
                item.add_marker(pytest.mark.web)

    return hook


@pytest.fixture(autouse=True)
def fresh_catalogue() -> Iterator[None]:
    """Forget loaded frameworks between tests: some tests point the service at another directory."""
    forget()
    yield
    forget()
