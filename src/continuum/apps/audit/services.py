"""Writing audit events: the only way events are made, each appended to the hash chain.

:func:`record` writes a change's event; :func:`record_access` writes the access log (who saw
which record, when, why). Both run inside the caller's transaction, so a failed audit write
fails the change or the read with it, and both append to the one chain.

Appends are serialised so that two transactions never take the same sequence number or chain
from the same predecessor: on PostgreSQL with a transaction-level advisory lock, taken just
before the chain head is read and held until the caller commits or rolls back; on SQLite the
database has one writer at a time (the service opens its transactions ``IMMEDIATE``). The
unique ``sequence`` is the backstop: a writer that somehow read a stale head fails, loudly,
instead of forking the chain.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db import connection, models, transaction
from django.utils import timezone

from continuum.apps.audit import chain, registry
from continuum.apps.audit.events import ACCESSED
from continuum.apps.audit.models import AuditEvent

if TYPE_CHECKING:
    from continuum.apps.accounts.actor import Actor

# The key of PostgreSQL's transaction-level advisory lock that serialises chain appends
# (an arbitrary 63-bit constant: "audit" in ASCII).
CHAIN_LOCK_KEY = 0x6175646974
# The payload key of a change's event that holds the digest of the target's stored row.
STORED_KEY = "stored_sha256"


class AuditOutsideTransactionError(RuntimeError):
    """An audit event must be written in the same transaction as the change it records."""


def _who(actor: Actor | str, actor_user: Any) -> dict[str, Any]:
    """The event's actor columns, from an ``Actor`` or (until callers move to it) a label and a user."""
    if isinstance(actor, str):
        user = actor_user
        return {"actor": actor, "actor_user": _person(user), "partnership": "", "role": "", "request_id": ""}
    if actor_user is not None:
        raise TypeError("pass the user inside the Actor, not as actor_user")
    return {
        "actor": actor.label,
        "actor_user": _person(actor.user),
        "partnership": actor.partnership or "",
        "role": str(actor.role) if actor.role is not None else "",
        "request_id": actor.request_id or "",
    }


def _person(user: Any) -> Any:
    """A signed-in user, or ``None`` (Django's ``AnonymousUser`` is nobody)."""
    if user is None or not getattr(user, "is_authenticated", True):
        return None
    return user


def _lock_chain() -> None:
    """Serialise appends until the caller's transaction ends (PostgreSQL; SQLite has one writer)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def _append(
    verb: str, target_type: str, target_id: str, who: dict[str, Any], payload: dict[str, Any], *, access: bool = False
) -> AuditEvent:
    _lock_chain()
    head = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    sequence, prev_hash = (head[0] + 1, head[1]) if head else (1, chain.GENESIS)
    user = who["actor_user"]
    event = AuditEvent(
        sequence=sequence,
        created_at=timezone.now(),
        verb=verb,
        target_type=target_type,
        target_id=target_id,
        payload=payload,
        access=access,
        prev_hash=prev_hash,
        **who,
    )
    event.hash = chain.event_hash(
        sequence=sequence,
        created_at=event.created_at,
        actor=event.actor,
        actor_user_id=user.pk if user is not None else None,
        partnership=event.partnership,
        role=event.role,
        request_id=event.request_id,
        verb=verb,
        target_type=target_type,
        target_id=target_id,
        payload=payload,
        prev_hash=prev_hash,
    )
    event.save(force_insert=True)
    return event


def _stored_value(value: Any) -> Any:
    """A column's value as canonical JSON keeps it: times in the chain's form, the rest as text."""
    if isinstance(value, datetime):
        return chain.timestamp(value) if value.tzinfo is not None else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, float | Decimal | UUID):
        return str(value)
    return value


def stored_digest(target: models.Model) -> str | None:
    """SHA-256 (hex) of ``target``'s row as the database holds it now (every concrete column), or
    ``None`` if there is no such row. A change's event carries it as ``payload["stored_sha256"]``,
    so a stored record later changed without an event of its own no longer matches its last event."""
    model = type(target)
    columns = [field.attname for field in model._meta.concrete_fields]
    row = model._base_manager.filter(pk=target.pk).values(*columns).first()
    if row is None:
        return None
    document = {"model": model._meta.label_lower, "row": {name: _stored_value(row[name]) for name in columns}}
    return hashlib.sha256(chain.canonical_json(document).encode("utf-8")).hexdigest()


def target_key(target: models.Model) -> tuple[str, str]:
    """How events name a record: its model label and its ``public_id`` (else its primary key)."""
    target_id = getattr(target, "public_id", None) or str(target.pk)
    return target._meta.label_lower, str(target_id)


def record(
    verb: str | registry.Verb,
    *,
    target: models.Model,
    actor: Actor | str = "anonymous",
    actor_user: Any = None,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event inside the caller's transaction; any failure propagates and rolls it back.

    A change's event (not an access verb) carries ``payload["stored_sha256"]``, the digest of the
    target's row as stored at that moment (:func:`stored_digest`): call it after the change is saved.

    ``actor`` is an :class:`~continuum.apps.accounts.actor.Actor`. A label with ``actor_user``
    is still accepted while callers move to ``Actor`` (the event then has no partnership,
    role or request id).
    """
    declared = registry.get(str(verb))
    name = declared.name
    if not connection.in_atomic_block:
        raise AuditOutsideTransactionError(f"audit event {name!r} written outside a transaction")
    target_type, target_id = target_key(target)
    content = chain.normalise_payload(payload)
    if not declared.access:
        if STORED_KEY in content:
            raise chain.PayloadError(f"{STORED_KEY!r} is the audit's own payload key (the stored row's digest)")
        digest = stored_digest(target)
        if digest is not None:
            content[STORED_KEY] = digest
    return _append(name, target_type, target_id, _who(actor, actor_user), content, access=declared.access)


def record_access(
    actor: Actor | str,
    target: models.Model,
    *,
    purpose: str,
    verb: str | registry.Verb = ACCESSED,
    actor_user: Any = None,
) -> AuditEvent:
    """The access log: ``actor`` saw ``target`` (a record holding a child's information) for ``purpose``.

    ``purpose`` says what was seen or why ("page", "print", "pdf", …). ``verb`` is an access
    verb (``register(..., access=True)``): ``audit.accessed`` unless the record's app declares
    its own. Written through the chain in its own transaction, or the caller's if it has one:
    if the write fails, the exception propagates and the view must not show the record.
    """
    declared = registry.get(str(verb))
    if not declared.access:
        raise ValueError(f"audit verb {declared.name!r} is not an access verb (register it with access=True)")
    if not purpose.strip():
        raise ValueError("say what the record was seen for (purpose)")
    with transaction.atomic():
        return record(declared, target=target, actor=actor, actor_user=actor_user, payload={"purpose": purpose})
