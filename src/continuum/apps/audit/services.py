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

from typing import TYPE_CHECKING, Any

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


def _append(verb: str, target_type: str, target_id: str, who: dict[str, Any], payload: dict[str, Any]) -> AuditEvent:
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

    ``actor`` is an :class:`~continuum.apps.accounts.actor.Actor`. A label with ``actor_user``
    is still accepted while callers move to ``Actor`` (the event then has no partnership,
    role or request id).
    """
    name = registry.get(str(verb)).name
    if not connection.in_atomic_block:
        raise AuditOutsideTransactionError(f"audit event {name!r} written outside a transaction")
    target_type, target_id = target_key(target)
    return _append(name, target_type, target_id, _who(actor, actor_user), chain.normalise_payload(payload))


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
