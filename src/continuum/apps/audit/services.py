"""Writing audit events. The only way events are made."""

from __future__ import annotations

from typing import Any

from django.db import connection, models

from continuum.apps.audit import registry
from continuum.apps.audit.models import AuditEvent


class AuditOutsideTransactionError(RuntimeError):
    """An audit event must be written in the same transaction as the change it records."""


def actor_of(request: Any) -> tuple[str, Any]:
    """The actor label and user for a request (anonymous until sign-in exists)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.get_username(), user
    return "anonymous", None


def record(
    verb: str | registry.Verb,
    *,
    target: models.Model,
    actor: str = "anonymous",
    actor_user: Any = None,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one event inside the caller's transaction; any failure propagates and rolls it back."""
    name = registry.get(str(verb)).name
    if not connection.in_atomic_block:
        raise AuditOutsideTransactionError(f"audit event {name!r} written outside a transaction")
    target_id = getattr(target, "public_id", None) or str(target.pk)
    return AuditEvent.objects.create(
        actor=actor,
        actor_user=actor_user,
        verb=name,
        target_type=target._meta.label_lower,
        target_id=str(target_id),
        payload=payload or {},
    )
