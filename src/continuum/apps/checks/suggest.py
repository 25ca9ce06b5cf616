"""Suggested indicators from the practitioner's own words, via continuum.matching.

Matching is optional: if it is not installed or fails, the practitioner is told and
chooses indicators from the list instead. Nothing they type can cause a server error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from continuum.apps.checks.matching_pool import BUSY_NOTE, SLOW_NOTE, run_within_budget
from continuum.frameworks import LoadedFramework
from continuum.frameworks.schema import fact_label

log = logging.getLogger(__name__)

TOP = 10


@dataclass(frozen=True)
class Suggestions:
    available: bool
    matches: list[dict[str, Any]] = field(default_factory=list)
    mode: str | None = None
    note: str | None = None  # why the mode is not the usual one (e.g. matching by meaning still preparing)


def suggest(loaded: LoadedFramework, text: str, top: int = TOP, *, budget: float | None = None) -> Suggestions:
    """The indicators ``text`` most likely describes, best first; ``available=False`` when matching is not.

    Matching runs on a bounded pool within a time budget (:mod:`.matching_pool`): when the
    pool is full or the budget runs out, the text is matched by words only and ``note`` says
    why. ``budget`` (seconds) replaces the configured one (start-up's warm-up waits longer).
    """
    try:
        from continuum.matching import Mode, match
    except ImportError as exc:
        log.warning("matching is unavailable: %s", exc)
        return Suggestions(available=False)
    try:
        # never wait for the model on a request (wait=False), nor for longer than the budget
        outcome = run_within_budget(match, text, loaded, text, top=top, wait=False, budget=budget)
        found = outcome.found
        if found is None:
            found = match(loaded, text, top=top, mode=Mode.LEXICAL, wait=False)
            found["note"] = BUSY_NOTE if outcome.why_not == "busy" else SLOW_NOTE
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
    return Suggestions(available=True, matches=matches, mode=found.get("mode"), note=_note(found))


def _note(found: dict[str, Any]) -> str | None:
    """Why matching ran as it did and, where the words would select nothing to set a level by,
    "not enough in these words to set a level — tell us more about …" (shown on the suggestions page)."""
    short = found.get("not_enough") or {}
    notes = [found.get("note"), str(short.get("message", "")).rstrip(".")]
    return ". ".join(n for n in notes if n) or None


@dataclass(frozen=True)
class ChildFromWords:
    """The child step's answers as the practitioner's words state them, and what each came from."""

    initial: dict[str, Any]
    said: list[dict[str, str]]  # {"what": ..., "words": ...} for each answer filled in


def child_from_words(text: str) -> ChildFromWords | None:
    """Age and key facts read from the concern, to pre-fill the child step; None if it states none."""
    from continuum.matching.facts import read_facts

    read = read_facts(text or "")
    if read.age_years is None and not read.facts:
        return None
    initial: dict[str, Any] = {"age_years": None, "age_months": None, "facts": sorted(read.facts)}
    said = []
    if read.age_years is not None:
        years, months = int(read.age_years), round((read.age_years % 1) * 12)
        initial.update(age_years=years, age_months=months)
        parts = [_count(years, "year"), _count(months, "month")]
        shown = " and ".join(p for p in parts if p) or "under a month"
        said.append({"what": f"Age: {shown}", "words": read.evidence["age_years"]})
    said += [{"what": fact_label(name)[0], "words": read.evidence[name]} for name in sorted(read.facts)]
    return ChildFromWords(initial, said)


def _count(n: int, unit: str) -> str:
    return "" if n == 0 else f"{n} {unit}" + ("s" if n != 1 else "")
