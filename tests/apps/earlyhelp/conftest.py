"""Fixtures for early help: partnerships whose documents have an early help section, and people in them.

``north`` and ``south`` say when the first review is due (12 weeks) and that later reviews are "regular"
(no number); ``quiet`` names the assessment but says nothing about reviews.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from continuum.apps.accounts.actor import Actor, Role
from tests.django_support import frameworks_offered
from tests.people import member

TINY = Path(__file__).resolve().parents[2] / "fixtures" / "frameworks" / "tiny"
OWN, OTHER, QUIET = "north", "south", "quiet"

SOURCE_LINES = """Early Help Assessment: the assessment for families with additional needs.
Any practitioner working with the family may start it.
The first review should take place within 12 weeks.
Reviews should take place regularly.
"""
EARLY_HELP = """
timescales:
  - {id: first-review, kind: deadline, what: first review of the plan, within: {value: 12, unit: weeks}, text: The first review should take place within 12 weeks., source: {lines: [16]}}
  - {id: regular-reviews, kind: frequency, what: later reviews, text: Reviews should take place regularly., source: {lines: [17]}}
early_help:
  assessment: {name: Tiny Early Help Assessment, text: the assessment for families with additional needs., source: {lines: [14]}}
  who_may_start:
    - {text: Any practitioner working with the family may start it., source: {lines: [15]}}
"""


def _write(target: Path, framework_id: str, *, reviews: bool) -> None:
    shutil.copytree(TINY, target / framework_id)
    source = target / framework_id / "source.txt"
    source.write_text(source.read_text(encoding="utf-8").rstrip("\n") + "\n" + SOURCE_LINES, encoding="utf-8")
    path = target / framework_id / "framework.yaml"
    text = path.read_text(encoding="utf-8").replace("id: tiny", f"id: {framework_id}", 1)
    text += EARLY_HELP + ("  reviews: [first-review, regular-reviews]\n" if reviews else "")
    path.write_text(text, encoding="utf-8")


@pytest.fixture(autouse=True)
def early_help_partnerships(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """The service offers north, south (reviews in the document), quiet (none) and tiny (no early help section).

    Autouse: memberships are validated against the frameworks on offer, and loaded frameworks must not leak.
    """
    directory = tmp_path / "frameworks"
    directory.mkdir()
    _write(directory, OWN, reviews=True)
    _write(directory, OTHER, reviews=True)
    _write(directory, QUIET, reviews=False)
    shutil.copytree(TINY, directory / "tiny")
    with frameworks_offered(settings, directory):
        yield directory


@pytest.fixture
def acting(db: None) -> Callable[..., Actor]:
    """A new person holding ``role`` in ``partnership``, as the Actor services take."""

    def make(role: Role = Role.EARLY_HELP, partnership: str = OWN, **fields: Any) -> Actor:
        return member(role, partnership, **fields)

    return make
