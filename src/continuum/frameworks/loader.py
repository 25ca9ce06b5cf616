"""Load one framework file: its schema, its cross-checks, its source document and phrasings.

Reading YAML with line numbers and the problem types live in :mod:`continuum.frameworks.yamlfile`;
the set of frameworks on disk in :mod:`continuum.frameworks.registry`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from continuum.frameworks.phrasings import PHRASINGS_FILE, load_phrasings
from continuum.frameworks.schema import Framework
from continuum.frameworks.validation import check_framework
from continuum.frameworks.yamlfile import (
    FrameworkError,
    LineIndex,
    Problem,
    field_name,
    parse_yaml,
    read_model,
    schema_problems,
)

FRAMEWORK_FILE = "framework.yaml"


@dataclass(frozen=True, eq=False)
class LoadedFramework:
    """A validated framework with what it was read from and its content hash."""

    framework: Framework
    path: Path
    content_hash: str
    source_lines: tuple[str, ...]
    # everyday phrasings per indicator id (phrasings.yaml): a matching aid, outside the hash
    phrasings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @cached_property
    def phrasings_hash(self) -> str:
        """SHA-256 of the phrasings: with ``content_hash``, what matching results depend on."""
        canonical = json.dumps(self.phrasings, sort_keys=True, ensure_ascii=False)
        return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def id(self) -> str:
        return self.framework.id

    def cited_text(self, lines: Iterable[int]) -> list[tuple[int, str]]:
        """The source document's text at these lines, for showing a citation."""
        return [(n, self.source_lines[n - 1]) for n in lines if 0 < n <= len(self.source_lines)]


def content_hash(framework: Framework) -> str:
    """SHA-256 of the parsed, normalised content; formatting and comments don't change it."""
    canonical = json.dumps(framework.model_dump(mode="json", by_alias=True), sort_keys=True, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read_source_lines(path: Path) -> tuple[str, ...]:
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return tuple(lines)


def load_framework(path: str | Path) -> LoadedFramework:
    """Load and fully validate one framework file (or its directory)."""
    path = Path(path)
    if path.is_dir():
        path = path / FRAMEWORK_FILE
    file = str(path)
    framework, index = read_model(path, Framework, "a mapping of framework fields")
    source_path = path.parent / framework.source.file
    try:
        source_lines = read_source_lines(source_path)
    except FileNotFoundError:
        source_lines = ()
        missing = Problem(
            file, index.line(("source", "file")), "source.file", f"source document {source_path} not found"
        )
        raise FrameworkError([missing]) from None
    problems = [
        Problem(file, index.line(loc), field_name(loc), message)
        for loc, message in check_framework(framework, source_lines, expected_id=path.parent.name)
    ]
    if problems:
        raise FrameworkError(problems)
    phrasings_path = path.parent / PHRASINGS_FILE
    phrasings = load_phrasings(phrasings_path, framework) if phrasings_path.is_file() else {}
    return LoadedFramework(framework, path, content_hash(framework), source_lines, phrasings)


__all__ = [
    "FRAMEWORK_FILE",
    "FrameworkError",
    "LineIndex",
    "LoadedFramework",
    "Problem",
    "content_hash",
    "field_name",
    "load_framework",
    "parse_yaml",
    "read_model",
    "read_source_lines",
    "schema_problems",
]
