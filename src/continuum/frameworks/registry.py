"""The frameworks on disk: where they live, and a registry that loads each once, by id."""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from continuum.frameworks.loader import FRAMEWORK_FILE, LoadedFramework, load_framework
from continuum.paths import repository_root


def frameworks_dir() -> Path:
    """Where frameworks live: ``CONTINUUM_FRAMEWORKS_DIR``, else the repository's ``frameworks/``."""
    configured = os.environ.get("CONTINUUM_FRAMEWORKS_DIR")
    if configured:
        return Path(configured)
    root = repository_root()
    if root is not None and (root / "frameworks" / "README.md").is_file():
        return root / "frameworks"
    return Path.cwd() / "frameworks"


def framework_paths(directory: Path | None = None) -> Iterator[Path]:
    directory = directory or frameworks_dir()
    yield from sorted(p for p in directory.glob(f"*/{FRAMEWORK_FILE}") if p.is_file())


class Registry:
    """The frameworks of one directory, each loaded once, on first use, and looked up by id."""

    def __init__(self, directory: Path | None = None):
        self.directory = directory or frameworks_dir()
        self._by_id: dict[str, LoadedFramework] = {}

    def ids(self) -> list[str]:
        return sorted(p.parent.name for p in framework_paths(self.directory))

    def all(self) -> list[LoadedFramework]:
        return [self.get(i) for i in self.ids()]

    def get(self, framework_id: str) -> LoadedFramework:
        if framework_id not in self._by_id:
            path = self.directory / framework_id / FRAMEWORK_FILE
            if "/" in framework_id or framework_id.startswith(".") or not path.is_file():
                known = ", ".join(self.ids()) or "none"
                raise LookupError(f"no framework with id {framework_id!r}; known: {known}")
            self._by_id[framework_id] = load_framework(path)
        return self._by_id[framework_id]


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    return Registry()
