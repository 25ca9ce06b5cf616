"""Where the repository is, for defaults that live in it (``frameworks/``, ``var/cache/``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def repository_root() -> Path | None:
    """The checkout this package runs from (it holds ``pyproject.toml`` and ``src/continuum``), if any.

    None when the package is installed outside a checkout; callers then use the working directory.
    """
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "src" / "continuum").is_dir():
            return parent
    return None


def in_repository(*parts: str) -> Path:
    """``parts`` under the repository root, or under the working directory outside a checkout."""
    return (repository_root() or Path.cwd()).joinpath(*parts)
