"""The audit hash chain's canonical form: one function turns an event's content into its hash.

Each event's ``hash`` is the SHA-256 of the canonical JSON of its content *including*
``prev_hash``, the hash of the event before it (``GENESIS`` for the first). Changing any
stored field of any event, deleting an event or inserting one out of turn therefore breaks
the chain at that event, and ``continuum audit verify`` finds it.

The canonical form (format 1) is frozen: the service, the migration that chained the events
written before the chain existed, ``audit verify`` and ``bench/audit.py`` all call
:func:`event_hash`. A change to it is a new format number, never an edit of this one.

Canonical JSON: keys sorted, no whitespace, UTF-8 (not ``\\u`` escapes), no NaN. Times are
UTC ISO 8601 with microseconds. Payloads may not hold floats: their text form is not stable
across databases (PostgreSQL's jsonb prints 1e16 as 10000000000000000), so a float would
make an untouched event look tampered with; store such values as strings.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

FORMAT = 1
GENESIS = "0" * 64


class PayloadError(TypeError):
    """An audit payload holds a value the canonical form cannot keep stable (e.g. a float)."""


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, no whitespace, UTF-8 text and no NaN: one text for one value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _check_values(value: Any, path: str) -> None:
    if isinstance(value, float):
        raise PayloadError(f"audit payload value at {path or 'top level'} is a float ({value!r}): store it as a string")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise PayloadError(f"audit payload key {key!r} at {path or 'top level'} is not a string")
            _check_values(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_values(item, f"{path}[{index}]")
    elif value is not None and not isinstance(value, str | int | bool):
        raise PayloadError(f"audit payload value at {path or 'top level'} is a {type(value).__name__}, not JSON")


def normalise_payload(payload: dict[str, Any] | None) -> dict[str, Any]:
    """The payload as the database will give it back (lists for tuples), refusing unstable values."""
    payload = payload or {}
    if not isinstance(payload, dict):
        raise PayloadError("an audit payload is a JSON object (a dict)")
    _check_values(payload, "")
    normalised: dict[str, Any] = json.loads(canonical_json(payload))
    return normalised


def timestamp(moment: datetime) -> str:
    """A time as the chain writes it: UTC, ISO 8601, always with microseconds."""
    if moment.tzinfo is None:
        raise ValueError("audit times are timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(
    *,
    sequence: int,
    created_at: datetime,
    actor: str,
    actor_user_id: int | None,
    partnership: str,
    role: str,
    request_id: str,
    verb: str,
    target_type: str,
    target_id: str,
    payload: dict[str, Any],
    prev_hash: str,
) -> bytes:
    """The bytes that are hashed for one event (format 1)."""
    document = {
        "v": FORMAT,
        "sequence": sequence,
        "created_at": timestamp(created_at),
        "actor": {
            "label": actor,
            "user": actor_user_id,
            "partnership": partnership,
            "role": role,
            "request_id": request_id,
        },
        "verb": verb,
        "target": {"type": target_type, "id": target_id},
        "payload": payload,
        "prev_hash": prev_hash,
    }
    return canonical_json(document).encode("utf-8")


def event_hash(**content: Any) -> str:
    """SHA-256 (hex) of :func:`canonical` of one event's content and its predecessor's hash."""
    return hashlib.sha256(canonical(**content)).hexdigest()


# The columns, in this order, that verify and the bench read to recompute a hash.
HASHED_FIELDS = (
    "sequence",
    "created_at",
    "actor",
    "actor_user_id",
    "partnership",
    "role",
    "request_id",
    "verb",
    "target_type",
    "target_id",
    "payload",
    "prev_hash",
)
