"""The reports app's only change of state: recording an export, with its audit event."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from continuum.apps.accounts.actor import Actor
from continuum.apps.accounts.permissions import require
from continuum.apps.audit.services import record
from continuum.apps.reports import events
from continuum.apps.reports.models import Export


def record_export(actor: Actor, kind: str, filters: dict[str, Any], rows: int) -> Export:
    """Record that ``actor`` exported ``rows`` rows of ``kind`` with ``filters`` (before the file streams)."""
    require(actor, "reports.export")
    with transaction.atomic():
        export = Export.objects.create(
            partnership=actor.partnership or "",
            kind=kind,
            filters=filters,
            rows=rows,
            exported_by=actor.user,
            exported_at=timezone.now(),
        )
        record(events.EXPORTED, target=export, actor=actor, payload={"kind": kind, "filters": filters, "rows": rows})
    return export
