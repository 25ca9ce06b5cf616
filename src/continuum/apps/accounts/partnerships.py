"""The partnerships a person can hold a role in: the frameworks in the configured directory.

``accounts`` sits below the apps that offer frameworks to practitioners (the checks
catalogue), so it reads the framework directory through the core registry instead. A
partnership is a framework id; its name comes from the framework file when it loads.
"""

from __future__ import annotations

import functools
from pathlib import Path

from django.conf import settings

from continuum.frameworks import FrameworkError, Registry


@functools.cache
def _registry(directory: str) -> Registry:
    return Registry(Path(directory)) if directory else Registry()


def registry() -> Registry:
    return _registry(settings.CONTINUUM_FRAMEWORKS_DIR or "")


def partnership_ids() -> list[str]:
    """Every framework id in the configured directory."""
    return registry().ids()


def partnership_name(partnership: str | None) -> str:
    """The framework's name, or the id itself when the framework does not load."""
    if not partnership:
        return ""
    try:
        return registry().get(partnership).framework.name
    except (LookupError, FrameworkError):
        return partnership


def partnership_choices() -> list[tuple[str, str]]:
    return [(pid, partnership_name(pid)) for pid in partnership_ids()]


def forget() -> None:
    """Drop loaded frameworks (tests that switch directories)."""
    _registry.cache_clear()
