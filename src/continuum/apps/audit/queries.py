"""Reading the audit: the events of a record, and the access log. Read-only querysets.

Other apps and their tests read events here rather than importing the model (ruff's
banned-API list keeps ``AuditEvent`` inside this app, so that events are written only through
:func:`continuum.apps.audit.services.record`).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from continuum.apps.audit import registry
from continuum.apps.audit.models import AuditEvent, AuditEventQuerySet
from continuum.apps.audit.services import STORED_KEY, target_key


def events() -> AuditEventQuerySet:
    """Every event, in chain order."""
    return AuditEvent.objects.order_by("sequence")


def for_target(target: models.Model) -> AuditEventQuerySet:
    """The events about one record (named by its ``public_id`` when it has one), in chain order."""
    target_type, target_id = target_key(target)
    return events().filter(target_type=target_type, target_id=target_id)


def access_log(target: models.Model | None = None) -> AuditEventQuerySet:
    """Who saw what, when: the access events, of one record or of all."""
    chosen = for_target(target) if target is not None else events()
    return chosen.filter(verb__in=[verb.name for verb in registry.access_verbs()])


def recorded(event: AuditEvent) -> dict[str, Any]:
    """An event's payload as its caller gave it: without the audit's own digest of the stored row."""
    return {key: value for key, value in event.payload.items() if key != STORED_KEY}
