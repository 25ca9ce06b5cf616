"""Fixture frameworks for the checks app: the tiny framework, edited for one test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from continuum.frameworks import LoadedFramework, load_framework

TinyEditor = Callable[..., LoadedFramework]


@pytest.fixture
def edited_tiny(tiny_copy: Path) -> TinyEditor:
    """``edited_tiny(("old", "new"), ...)``: the tiny framework with those replacements in its file,
    loaded from a copy in a temporary directory (``.parent`` of its ``path`` is a frameworks directory)."""

    def edit(*replacements: tuple[str, str]) -> LoadedFramework:
        path = tiny_copy / "framework.yaml"
        text = path.read_text(encoding="utf-8")
        for old, new in replacements:
            assert old in text, f"the tiny framework has no {old!r} to replace"
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
        return load_framework(tiny_copy)

    return edit


WITHOUT_STRENGTHS = (
    "  - {id: family-p-1, level: 1, domain: family, text: Parent with supportive grandparents, "
    "protective: true, source: {lines: [10]}}\n",
    "",
)
NEW_VERSION = ("version: 1.0.0", "version: 1.1.0")
