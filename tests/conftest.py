"""Shared fixtures: the repository's frameworks and the small test framework."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from continuum.frameworks import LoadedFramework, Registry, load_framework

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORKS_DIR = ROOT / "frameworks"
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures" / "frameworks"
FRAMEWORK_IDS = sorted(p.parent.name for p in FRAMEWORKS_DIR.glob("*/framework.yaml"))


@pytest.fixture(scope="session")
def registry() -> Registry:
    """The repository's frameworks, each loaded once per test session."""
    return Registry(FRAMEWORKS_DIR)


@pytest.fixture(scope="session")
def tiny() -> LoadedFramework:
    """A small framework written for tests, with every kind of rule."""
    return load_framework(FIXTURES_DIR / "tiny")


@pytest.fixture
def tiny_copy(tmp_path: Path) -> Path:
    """A writable copy of the tiny framework's directory, for editing in a test."""
    target = tmp_path / "tiny"
    shutil.copytree(FIXTURES_DIR / "tiny", target)
    return target


def missing_part(reason: str) -> None:
    """A part the suite needs is missing: skip on a developer's machine, fail in CI.

    CI installs everything (`make test`), so a part missing there is a broken set-up,
    never a reason to pass with fewer tests.
    """
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI installs it: this is a set-up failure)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium, one per test session for every browser test.

    Playwright's sync API allows one running instance per thread, so every module shares
    this one rather than starting its own.
    """
    from continuum.web.serve import CHROMIUM, launch_chromium

    if not CHROMIUM.exists():
        missing_part("Chromium is not installed: run scripts/system-deps")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()
