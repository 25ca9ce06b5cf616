"""Suggested indicators from the practitioner's own words, via continuum.matching.

Matching is optional: if it is not installed or fails, the practitioner is told and
chooses indicators from the list instead. Nothing they type can cause a server error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from continuum.frameworks import LoadedFramework

log = logging.getLogger(__name__)

TOP = 10


@dataclass(frozen=True)
class Suggestions:
    available: bool
    matches: list[dict[str, Any]] = field(default_factory=list)
    mode: str | None = None


def suggest(loaded: LoadedFramework, text: str, top: int = TOP) -> Suggestions:
    """The indicators ``text`` most likely describes, best first; ``available=False`` when matching is not."""
    try:
        from continuum.matching import match
    except ImportError as exc:
        log.warning("matching is unavailable: %s", exc)
        return Suggestions(available=False)
    try:
        found = match(loaded, text, top=top)
    except Exception:  # a failure here must not stop the practitioner; they can still browse
        log.exception("matching failed for framework %s", loaded.id)
        return Suggestions(available=False)
    known = {i.id for i in loaded.framework.indicators}
    matches = [
        {
            "indicator": r["indicator"],
            "score": float(r.get("score") or 0.0),
            "negated": bool(r.get("negated")),
        }
        for r in found.get("results", [])
        if r.get("indicator") in known
    ]
    return Suggestions(available=True, matches=matches, mode=found.get("mode"))
