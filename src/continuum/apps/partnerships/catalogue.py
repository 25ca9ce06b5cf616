"""The frameworks the service offers: every framework in the directory that loads and validates.

A framework that does not validate is not offered (and is logged), so one broken file
never takes the service down. Results are kept for the life of the process: a new
framework version is picked up on restart.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from continuum.frameworks import FrameworkError, LoadedFramework, Registry, default_registry

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Catalogue:
    frameworks: dict[str, LoadedFramework]
    problems: dict[str, str]

    def get(self, framework_id: str) -> LoadedFramework | None:
        return self.frameworks.get(framework_id)

    def choices(self) -> list[LoadedFramework]:
        return sorted(self.frameworks.values(), key=lambda f: f.framework.name.lower())


_lock = threading.Lock()
_catalogues: dict[str, Catalogue] = {}


def _registry(directory: str | None) -> Registry:
    return Registry(Path(directory)) if directory else default_registry()


def _build(registry: Registry) -> Catalogue:
    frameworks: dict[str, LoadedFramework] = {}
    problems: dict[str, str] = {}
    for framework_id in registry.ids():
        try:
            frameworks[framework_id] = registry.get(framework_id)
        except FrameworkError as exc:
            problems[framework_id] = f"{len(exc.problems)} problem(s), first: {exc.problems[0]}"
            log.warning("framework %s does not validate and is not offered: %s", framework_id, exc.problems[0])
    return Catalogue(frameworks, problems)


def catalogue() -> Catalogue:
    """The frameworks for the configured directory (``CONTINUUM_FRAMEWORKS_DIR``)."""
    key = settings.CONTINUUM_FRAMEWORKS_DIR or ""
    found = _catalogues.get(key)
    if found is None:
        with _lock:
            found = _catalogues.get(key)
            if found is None:
                found = _catalogues[key] = _build(_registry(key or None))
    return found


def warm() -> list[tuple[str, str]]:
    """Load every framework now (at start-up); returns those that are not offered, and why."""
    return sorted(catalogue().problems.items())


def forget() -> None:
    """Drop what was loaded (tests that switch directories)."""
    with _lock:
        _catalogues.clear()
