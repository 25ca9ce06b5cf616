"""Free text → indicators: "mum's boyfriend hit her in front of the kids again" → domestic abuse.

Core layer: no Django, no web or casework imports. Lexical matching (BM25, stemming, a
vocabulary of everyday words and abbreviations kept as data) always works; semantic
matching (all-MiniLM-L6-v2, offline, on the CPU) joins it when the ``semantic`` extra is
installed. See docs/decisions/0002-free-text-matching.md.
"""

from continuum.matching.matcher import (
    CLOSE_SHOWN,
    DEFAULT_TUNING,
    MODE_ENV,
    NOT_ENOUGH,
    PREPARING_NOTE,
    Mode,
    Prepared,
    Reading,
    Tuning,
    close_not_selected,
    framework_index,
    higher_near_misses,
    is_ready,
    match,
    not_enough,
    prepare,
    prepare_in_background,
    read_selection,
    resolve_mode,
    selection_from_text,
    semantic_available,
    writer_conclusion,
)
from continuum.matching.semantic import SemanticUnavailable

__all__ = [
    "CLOSE_SHOWN",
    "DEFAULT_TUNING",
    "MODE_ENV",
    "NOT_ENOUGH",
    "PREPARING_NOTE",
    "Mode",
    "Prepared",
    "Reading",
    "SemanticUnavailable",
    "Tuning",
    "close_not_selected",
    "framework_index",
    "higher_near_misses",
    "is_ready",
    "match",
    "not_enough",
    "prepare",
    "prepare_in_background",
    "read_selection",
    "resolve_mode",
    "selection_from_text",
    "semantic_available",
    "writer_conclusion",
]
