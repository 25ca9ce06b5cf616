"""Fixtures for the escalations tests: two real partnerships, one whose document gives escalation stages
(Central Bedfordshire: five, the first two a working week each) and one whose document gives none and
links out to its procedure (Cambridgeshire and Peterborough)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.django_support import frameworks_offered

REPO_FRAMEWORKS = Path(__file__).resolve().parents[3] / "frameworks"
STAGED, UNSTAGED = "central-bedfordshire", "cambridgeshire-peterborough"


@pytest.fixture(autouse=True)
def two_real_partnerships(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """The service offers exactly the two real frameworks (autouse: memberships and subjects are checked
    against the frameworks on offer, and the loaded frameworks must not leak into other tests)."""
    directory = tmp_path / "frameworks"
    directory.mkdir()
    for framework_id in (STAGED, UNSTAGED):
        (directory / framework_id).symlink_to(REPO_FRAMEWORKS / framework_id, target_is_directory=True)
    with frameworks_offered(settings, directory):
        yield directory
