"""Walk the audit hash chain in sequence order and find the first broken link.

The walk streams rows in batches (a server-side cursor on PostgreSQL, inside one read
transaction so the cursor is not materialised on commit), so memory stays flat however many
events there are. For each event it checks, in order:

- ``missing``: its sequence is not the one after the previous event's (a row was deleted);
- ``altered``: the hash of its content is not its stored ``hash`` (a field was changed);
- ``link``: its ``prev_hash`` is not the previous event's ``hash`` (the chain was re-linked,
  e.g. a changed event's hash was recomputed, or an event was inserted).

- ``kind``: its ``access`` column does not say what its verb's registration says.

Deleting the newest events leaves a shorter chain that is still intact: the report gives the
last event's sequence and hash so that they can be compared with a copy kept elsewhere.

**Checkpoints** (ADR 0020). Retention deletes old access-log events below a cut, recorded first
as an ``audit.trimmed`` event whose payload is the checkpoint: ``through_sequence`` (the cut),
``through_hash`` (the hash of the event at the cut), and ``kept_sha256``, a digest over the
events left at or below the cut (see :class:`Segment`), chained from the previous checkpoint's.
Below a cut, gaps are allowed; every event left must still match its hash, consecutive ones
must still link, and together they must give the checkpoint's digest and count (``trimmed``
if not: an event left below the cut was removed or added). Above the cut the walk goes on from
``through_hash`` as if nothing had been removed. The checkpoints are themselves chained events.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction

from continuum.apps.audit import chain, registry
from continuum.apps.audit.models import AuditEvent

PROBLEMS = {
    "missing": "an event is missing (a gap in the sequence)",
    "trimmed": "the events left below a retention checkpoint are not the ones it recorded",
    "kind": "the event's access-log mark does not match its verb",
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


FIELDS = ("id", "hash", "access", *chain.HASHED_FIELDS)
TRIMMED_VERB = "audit.trimmed"


class Segment:
    """The digest of the events left between two checkpoints: SHA-256 over the previous
    checkpoint's digest (``GENESIS`` for the first), a newline, then ``"<sequence>:<hash>\n"`` for
    each event left, in order. Retention computes it before trimming; verify recomputes it."""

    def __init__(self, previous: str) -> None:
        self._hash = hashlib.sha256(previous.encode("ascii") + b"\n")
        self.count = 0

    def add(self, sequence: int, event_hash: str) -> None:
        self._hash.update(f"{sequence}:{event_hash}\n".encode("ascii"))
        self.count += 1

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    at: int  # the sequence of the audit.trimmed event
    through: int
    through_hash: str
    kept_sha256: str
    kept: int

    @classmethod
    def from_payload(cls, at: int, payload: dict[str, Any]) -> Checkpoint | None:
        try:
            return cls(
                at,
                int(payload["through_sequence"]),
                str(payload["through_hash"]),
                str(payload["kept_sha256"]),
                int(payload["kept"]),
            )
        except (KeyError, TypeError, ValueError):
            return None


def checkpoints() -> list[Checkpoint]:
    """The retention checkpoints, oldest first (as their events say; verify checks the events)."""
    rows = AuditEvent.objects.filter(verb=TRIMMED_VERB).order_by("sequence").values_list("sequence", "payload")
    found = [Checkpoint.from_payload(at, payload) for at, payload in rows]
    return [point for point in found if point is not None]


def _is_access(verb: str) -> bool:
    try:
        return registry.get(verb).access
    except registry.UnknownVerbError:
        return False


def verify(*, chunk_size: int = 5000, progress: Callable[[int], None] | None = None) -> Verification:
    """Walk the whole chain; stop at the first broken link. ``progress(n)`` is called every chunk."""
    expected, prev_hash, count = 1, chain.GENESIS, 0
    with transaction.atomic():
        points = checkpoints()
        index, segment = 0, Segment(chain.GENESIS)
        rows = AuditEvent.objects.order_by("sequence").values_list(*FIELDS).iterator(chunk_size=chunk_size)
        for row in rows:
            event_id, stored_hash, access = row[0], row[1], row[2]
            content = dict(zip(chain.HASHED_FIELDS, row[3:], strict=True))
            sequence = content["sequence"]
            # Close every checkpoint whose cut lies before this event: the walk resumes after its cut.
            while index < len(points) and sequence > points[index].through:
                point = points[index]
                if point.at <= point.through or segment.hexdigest() != point.kept_sha256 or segment.count != point.kept:
                    detail = (
                        f"checkpoint at event {point.at} (through {point.through}): "
                        f"{segment.count} events left below the cut, {point.kept} recorded; digests "
                        f"{'match' if segment.hexdigest() == point.kept_sha256 else 'differ'}"
                    )
                    return Verification(
                        count, expected - 1 or None, prev_hash, Break(sequence, event_id, "trimmed", detail)
                    )
                if expected <= point.through:  # the cut itself and what precedes it were trimmed
                    expected, prev_hash = point.through + 1, point.through_hash
                segment, index = Segment(point.kept_sha256), index + 1
            below_cut = index < len(points) and sequence <= points[index].through
            problem = _problem(content, stored_hash, expected, prev_hash, gaps_allowed=below_cut)
            if problem is None and access != _is_access(content["verb"]):
                problem = "kind", f"event {sequence} ({content['verb']}): access mark {access}"
            if problem is not None:
                at = expected if problem[0] == "missing" else sequence
                return Verification(count, expected - 1 or None, prev_hash, Break(at, event_id, *problem))
            if below_cut:
                segment.add(sequence, stored_hash)
            count += 1
            expected, prev_hash = sequence + 1, stored_hash
            if progress is not None and count % chunk_size == 0:
                progress(count)
        if index < len(points):  # a checkpoint whose cut is at or after the last event: cannot be
            point = points[index]
            detail = f"checkpoint at event {point.at} names a cut at {point.through} that is not below it"
            return Verification(count, expected - 1 or None, prev_hash, Break(point.at, 0, "trimmed", detail))
    return Verification(count, expected - 1 if count else None, prev_hash if count else None, None)


def _problem(
    content: dict[str, Any], stored_hash: str, expected: int, prev_hash: str, *, gaps_allowed: bool = False
) -> tuple[str, str] | None:
    sequence = content["sequence"]
    if gaps_allowed and sequence > expected:  # below a checkpoint: trimmed events leave gaps
        if chain.event_hash(**content) != stored_hash:
            return "altered", f"event {sequence}: {PROBLEMS['altered']}"
        return None
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
