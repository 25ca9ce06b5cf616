"""The audit event: append-only and hash-chained, in the application and in the database."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(RuntimeError):
    """Audit events are never changed or deleted."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are append-only: they cannot be updated")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit events are append-only: they cannot be deleted")


class AuditEvent(models.Model):
    """Who did what to which record, with what, and when; one link of the hash chain.

    ``actor`` is the actor's label (a username, ``system:<job>`` or ``anonymous``);
    ``actor_user``, ``partnership``, ``role`` and ``request_id`` come from the
    :class:`~continuum.apps.accounts.actor.Actor`. The verb is text, validated against the
    registry, not a ``choices`` field, so that a new verb needs no migration.

    ``sequence`` numbers events 1, 2, 3… without gaps; ``hash`` is the SHA-256 of the
    event's canonical content and ``prev_hash`` (see :mod:`continuum.apps.audit.chain`).
    Only :func:`continuum.apps.audit.services.record` makes events.
    """

    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    actor = models.CharField(max_length=150)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    partnership = models.CharField(max_length=100, blank=True, default="")
    role = models.CharField(max_length=50, blank=True, default="")
    request_id = models.CharField(max_length=64, blank=True, default="")
    verb = models.CharField(max_length=100, db_index=True)
    target_type = models.CharField(max_length=100)
    target_id = models.CharField(max_length=100)
    payload = models.JSONField(default=dict, blank=True)
    # An access-log event (its verb is registered with access=True): the only kind retention may
    # trim, below a checkpoint (ADR 0018). Not hashed: the verb is, and verify checks they agree.
    access = models.BooleanField(default=False, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ("sequence",)
        indexes = (models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),)

    def __str__(self) -> str:
        return (
            f"#{self.sequence} {self.created_at:%Y-%m-%d %H:%M:%S} {self.actor} {self.verb} "
            f"{self.target_type}:{self.target_id}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events are append-only: they cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are append-only: they cannot be deleted")
