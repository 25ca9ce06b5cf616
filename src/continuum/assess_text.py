"""Assess from free text: the worry in a practitioner's words → a selection → the engine's result.

The one use case behind ``continuum assess --text``, the benchmark (``bench/match.py``) and,
later, the API, so that what is measured is what people get. Core layer: no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from continuum.engine import Assessment, AssessmentInputError, assess
from continuum.frameworks.loader import LoadedFramework
from continuum.matching import (
    CLOSE_SHOWN,
    DEFAULT_TUNING,
    Mode,
    Tuning,
    close_not_selected,
    higher_near_misses,
    match,
    read_selection,
    resolve_mode,
)
from continuum.matching.facts import read_facts

_CONSIDERED_KEYS = ("indicator", "text", "level", "domain", "score", "protective", "negated")


@dataclass(frozen=True)
class TextAssessment:
    """The engine's ``result`` (with its ``text`` block) and the matches the words selected."""

    result: Assessment
    selected: list[dict[str, Any]]


def assess_text(
    loaded: LoadedFramework,
    text: str,
    *,
    selection: Mapping[str, Any] | None = None,
    mode: str | Mode | None = None,
    tuning: Tuning = DEFAULT_TUNING,
) -> Assessment:
    """Assess ``text`` together with an explicit ``selection`` (indicators, protective, facts, age).

    The indicators the words select join the selection; facts and the age read from the words
    are used where the selection does not give them (what is given always wins). The result
    is the engine's, its drivers marked ``matched_from_text`` with their score, plus a ``text``
    block: the mode, how many matched, close matches not selected, higher-level near misses
    to check, the facts read, the writer's own conclusion and, where the words select nothing
    and conclude nothing, ``not_enough``: "not enough in these words to set a level — tell us
    more about …" with the domains to ask about, instead of a guess.
    """
    return read_and_assess(loaded, text, selection=selection, mode=mode, tuning=tuning).result


def read_and_assess(
    loaded: LoadedFramework,
    text: str,
    *,
    selection: Mapping[str, Any] | None = None,
    mode: str | Mode | None = None,
    tuning: Tuning = DEFAULT_TUNING,
) -> TextAssessment:
    """:func:`assess_text`, also returning the matches selected (for the benchmark)."""
    if not isinstance(text, str) or not text.strip():
        raise AssessmentInputError("'text' must be a non-empty string")
    request = dict(selection or {})
    given = any(request.get(k) for k in ("indicators", "protective", "facts"))
    reading = read_selection(loaded, text, mode=mode, tuning=tuning)
    matches = reading.selected
    facts_read = _facts_from_text(request, text)
    concerns = [m["indicator"] for m in matches if not m.get("protective")]
    protective = [m["indicator"] for m in matches if m.get("protective")]
    request["indicators"] = list(dict.fromkeys([*(request.get("indicators") or []), *concerns]))
    request["protective"] = list(dict.fromkeys([*(request.get("protective") or []), *protective]))
    result = assess(loaded, request)

    scores = {m["indicator"]: m for m in matches}
    for item in (*result["drivers"], *result["protective_factors"]):
        found = scores.get(item["indicator"])
        if found is not None:
            item["score"] = found["score"]
            item["matched_from_text"] = True
    considered = _also_considered(loaded, text, {m["indicator"] for m in matches}, mode=mode, tuning=tuning)
    level = result["recommended_level"]["number"]
    used_mode = matches[0]["mode"] if matches else None
    result["text"] = {
        "query": text,
        "mode": used_mode,
        "matched": len(matches),
        "also_considered": considered,
        "check_higher": higher_near_misses(
            considered, matches, level, mode=used_mode or resolve_mode(mode)[0], tuning=tuning
        ),
        "facts_read": facts_read,
        "writer_conclusion": reading.concluded,
        # the words select nothing and conclude nothing: no level is set from them (the engine's
        # lowest level stands only for what was given explicitly); ask for more instead
        "not_enough": None if given or _level_set(loaded, result) else reading.not_enough,
    }
    return TextAssessment(result=result, selected=matches)


def _level_set(loaded: LoadedFramework, result: Assessment) -> bool:
    """Whether something other than the selection set the level (a rule, immediate danger)."""
    lowest = min(level.number for level in loaded.framework.levels)
    return bool(result["immediate_danger"]["applies"]) or result["recommended_level"]["number"] > lowest


def _facts_from_text(request: dict[str, Any], text: str) -> dict[str, Any]:
    """Read key facts from ``text`` into ``request`` where it does not already say them.

    A fact or age given explicitly (``--fact unborn=false``, ``--age``) always wins; what
    was read and what was used are reported for the practitioner to check.
    """
    read = read_facts(text)
    given = request.get("facts") or {}
    if not isinstance(given, dict):  # malformed: leave it for the engine to refuse with a message
        return {**read.as_dict(), "used": []}
    used = [name for name in read.facts if name not in given]
    request["facts"] = {**{name: True for name in used}, **given}
    if read.age_years is not None and request.get("age_years") is None:
        request["age_years"] = read.age_years
        used.append("age_years")
    return {**read.as_dict(), "used": used}


def _also_considered(
    loaded: LoadedFramework, text: str, selected: set[str], *, mode: str | Mode | None, tuning: Tuning
) -> list[dict[str, Any]]:
    """Close matches that were not selected: a person must see what the words might also mean."""
    found = match(loaded, text, top=CLOSE_SHOWN + len(selected), mode=mode, tuning=tuning)["results"]
    return [{k: r.get(k) for k in _CONSIDERED_KEYS} for r in close_not_selected(found, selected)]


__all__ = ["TextAssessment", "assess_text", "read_and_assess"]
