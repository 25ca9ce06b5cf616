"""Early help's clocks: which interval applies, whose words it is, and when it falls due.

The order of authority is the same for every clock: the document's own timescale (or a national default
the framework carries, marked as such); where neither gives a number, the partnership's own setting,
shown as the partnership's and never as the document's words; where there is none either, no clock,
and the product says the document does not say.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from continuum.calendar import Calendar, Within
from continuum.frameworks import LoadedFramework

DOCUMENT, NATIONAL, PARTNERSHIP, NONE = "document", "national", "partnership", "none"
SILENT = "The document does not say"


@dataclass(frozen=True)
class Clock:
    """An interval (or none) and the words behind it, for showing beside the due date."""

    within: Within | None
    basis: str  # DOCUMENT, NATIONAL, PARTNERSHIP or NONE
    text: str

    @property
    def runs(self) -> bool:
        return self.within is not None

    def due(self, loaded: LoadedFramework, start: datetime) -> datetime | None:
        """When something started at ``start`` is due, in the partnership's working time; ``None`` with no clock."""
        if self.within is None:
            return None
        return Calendar.for_framework(loaded.framework).due(start, self.within)


def _timescale(loaded: LoadedFramework, timescale_id: str) -> Any | None:
    fw = loaded.framework
    found = {t.id: t for t in fw.timescales}
    for level in fw.levels:
        found.update({t.id: t for t in level.timescales})
    return found.get(timescale_id)


def _setting(value: str, what: str) -> Clock | None:
    if not value:
        return None
    within = Within.parse(value)
    return Clock(within, PARTNERSHIP, f"The partnership's setting: {what} within {within}.")


def review_clock(loaded: LoadedFramework, settings: Any | None, number: int) -> Clock:
    """The clock of review ``number`` (1 = the first review; later ones use the framework's second id)."""
    help_ = loaded.framework.early_help
    ids = list(help_.reviews) if help_ is not None else []
    timescale_id = ids[0] if number == 1 and ids else (ids[1] if number > 1 and len(ids) > 1 else None)
    timescale = _timescale(loaded, timescale_id) if timescale_id else None
    if timescale is not None and timescale.within is not None and timescale.kind in ("deadline", "frequency"):
        basis = NATIONAL if timescale.is_national else DOCUMENT
        return Clock(Within.of(timescale.within), basis, timescale.text)
    own = _setting(
        getattr(settings, "first_review" if number == 1 else "review_interval", "") if settings else "",
        "the first review" if number == 1 else "each later review",
    )
    if own is not None:
        return own
    words = f" The document says: “{timescale.text}”" if timescale is not None else ""
    return Clock(None, NONE, f"{SILENT} when this review is due, and the partnership has set no interval.{words}")


def step_down_clock(settings: Any | None) -> Clock:
    """How long the receiving team has to answer a step-down: frameworks give no such timescale, so the setting."""
    own = _setting(settings.step_down_response if settings else "", "an answer to a step-down")
    return own or Clock(
        None, NONE, f"{SILENT} how soon early help must answer a step-down, and the partnership has set no time."
    )
