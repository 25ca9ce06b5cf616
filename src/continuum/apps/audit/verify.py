"""Walk the audit hash chain in sequence order and find the first broken link.

The walk streams rows in batches (a server-side cursor on PostgreSQL, inside one read
transaction so the cursor is not materialised on commit), so memory stays flat however many
events there are. For each event it checks, in order:

- ``missing``: its sequence is not the one after the previous event's (a row was deleted);
- ``altered``: the hash of its content is not its stored ``hash`` (a field was changed);
- ``link``: its ``prev_hash`` is not the previous event's ``hash`` (the chain was re-linked,
  e.g. a changed event's hash was recomputed, or an event was inserted).

Deleting the newest events leaves a shorter chain that is still intact: the report gives the
last event's sequence and hash so that they can be compared with a copy kept elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction

from continuum.apps.audit import chain
from continuum.apps.audit.models import AuditEvent

PROBLEMS = {
    "missing": "an event is missing (a gap in the sequence)",
    "altered": "the event's content was changed (its hash does not match it)",
    "link": "the link to the previous event is broken (prev_hash does not match)",
}


@dataclass(frozen=True)
class Break:
    """Where the chain first breaks. For ``missing``, ``sequence`` is the first missing number and
    ``id`` the row found in its place (the next event present)."""

    sequence: int
    id: int
    problem: str  # one of PROBLEMS
    detail: str


@dataclass(frozen=True)
class Verification:
    events: int  # events verified intact (all of them when the chain is intact)
    last_sequence: int | None  # the last event verified intact: the head when the chain is intact
    last_hash: str | None
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "last": {"sequence": self.last_sequence, "hash": self.last_hash},
            "broken": asdict(self.broken) if self.broken else None,
        }


FIELDS = ("id", "hash", *chain.HASHED_FIELDS)


def verify(*, chunk_size: int = 5000, progress: Callable[[int], None] | None = None) -> Verification:
    """Walk the whole chain; stop at the first broken link. ``progress(n)`` is called every chunk."""
    expected, prev_hash, count = 1, chain.GENESIS, 0
    with transaction.atomic():
        rows = AuditEvent.objects.order_by("sequence").values_list(*FIELDS).iterator(chunk_size=chunk_size)
        for row in rows:
            event_id, stored_hash = row[0], row[1]
            content = dict(zip(chain.HASHED_FIELDS, row[2:], strict=True))
            sequence = content["sequence"]
            problem = _problem(content, stored_hash, expected, prev_hash)
            if problem is not None:
                at = expected if problem[0] == "missing" else sequence
                return Verification(count, expected - 1 or None, prev_hash, Break(at, event_id, *problem))
            count += 1
            expected, prev_hash = sequence + 1, stored_hash
            if progress is not None and count % chunk_size == 0:
                progress(count)
    return Verification(count, expected - 1 if count else None, prev_hash if count else None, None)


def _problem(content: dict[str, Any], stored_hash: str, expected: int, prev_hash: str) -> tuple[str, str] | None:
    sequence = content["sequence"]
    if sequence > expected:
        last = sequence - 1
        missing = f"{expected}" if last == expected else f"{expected}–{last}"
        return "missing", f"sequence {missing} not found; the next event present is {sequence}"
    if sequence < expected:
        return "link", f"sequence {sequence} is out of order (expected {expected})"
    if chain.event_hash(**content) != stored_hash:
        return "altered", f"event {sequence}: {PROBLEMS['altered']}"
    if content["prev_hash"] != prev_hash:
        return "link", f"event {sequence}: {PROBLEMS['link']}"
    return None
