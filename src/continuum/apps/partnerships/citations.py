"""The source document's words at the lines a recommendation cites, kept with the check."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from continuum.frameworks import LoadedFramework


def cited_lines(value: Any) -> Iterator[int]:
    """Every line number under any ``source: {lines: [...]}`` in a JSON-like value."""
    if isinstance(value, dict):
        source = value.get("source")
        if isinstance(source, dict) and isinstance(source.get("lines"), list):
            yield from (n for n in source["lines"] if isinstance(n, int))
        for item in value.values():
            yield from cited_lines(item)
    elif isinstance(value, list):
        for item in value:
            yield from cited_lines(item)


def level_source(loaded: LoadedFramework, number: int) -> list[int]:
    for level in loaded.framework.levels:
        if level.number == number:
            return list(level.source.lines)
    return []


def collect(loaded: LoadedFramework, result: dict[str, Any]) -> dict[str, str]:
    """``{"<line>": text}`` for every line the result (and its level) cites."""
    lines = set(cited_lines(result)) | set(level_source(loaded, result["recommended_level"]["number"]))
    return {str(n): text for n, text in loaded.cited_text(sorted(lines))}


def quote(citations: dict[str, str], source: dict[str, Any] | None) -> list[tuple[int, str]]:
    """The stored text at a source's lines, for showing beside what cites it."""
    if not source:
        return []
    found = ((n, citations.get(str(n), "").strip()) for n in source.get("lines", []))
    return [(n, text) for n, text in found if text]
