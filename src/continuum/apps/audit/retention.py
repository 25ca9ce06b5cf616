"""Trimming the access log: old access events are deleted below a checkpoint the chain keeps (ADR 0020).

:func:`trim_access_log` first verifies the whole chain (a broken chain is never trimmed: that
would hide where it broke), then, in one transaction: computes the checkpoint at the newest
event older than the cut-off (the hash there and the digest of the events that stay at or
below it, chained from the previous checkpoint's), appends it as an ``audit.trimmed`` event,
and deletes the access events at or below it. On PostgreSQL the delete goes through
``audit_trim_access_log``, the owner's function (the service's role has no DELETE), which
refuses a cut younger than the owner's floor and a cut with no checkpoint event; on SQLite
the delete trigger lets through only access events at or below a checkpoint.
``audit verify`` then walks the kept events below each cut against its checkpoint.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Max

from continuum.apps.audit import chain, database, events
from continuum.apps.audit.models import AuditEvent
from continuum.apps.audit.services import record
from continuum.apps.audit.verify import Segment, checkpoints, verify

log = logging.getLogger("continuum.audit")


class ChainBrokenError(RuntimeError):
    """The chain does not verify: nothing is trimmed until someone has looked."""


def trim_access_log(cutoff: datetime, *, actor: str = "system:retention") -> tuple[int, int] | None:
    """Delete the access events written before ``cutoff``; returns (checkpoint sequence, events
    deleted), or ``None`` when there is nothing to trim."""
    through = AuditEvent.objects.filter(created_at__lt=cutoff).aggregate(last=Max("sequence"))["last"]
    if through is None:
        return None
    previous = checkpoints()
    after = previous[-1].through if previous else 0
    if (
        through <= after
        or not AuditEvent.objects.filter(access=True, sequence__gt=after, sequence__lte=through).exists()
    ):
        return None
    result = verify()
    if not result.ok:
        raise ChainBrokenError(f"the audit chain is broken ({result.broken}); the access log is not trimmed")
    with transaction.atomic():
        segment = Segment(previous[-1].kept_sha256 if previous else chain.GENESIS)
        kept = AuditEvent.objects.filter(sequence__gt=after, sequence__lte=through, access=False)
        for sequence, event_hash in kept.order_by("sequence").values_list("sequence", "hash").iterator():
            segment.add(sequence, event_hash)
        at_cut = AuditEvent.objects.get(sequence=through)
        removing = AuditEvent.objects.filter(access=True, sequence__gt=after, sequence__lte=through).count()
        checkpoint = record(
            events.TRIMMED,
            target=at_cut,
            actor=actor,
            payload={
                "through_sequence": through,
                "through_hash": at_cut.hash,
                "kept_sha256": segment.hexdigest(),
                "kept": segment.count,
                "trimmed": removing,
                "before": chain.timestamp(cutoff),
            },
        )
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT {database.TRIM_FUNCTION}(%s)", [through])
                removed = int(cursor.fetchone()[0])
            else:
                cursor.execute(f"DELETE FROM {database.AUDIT_TABLE} WHERE access AND sequence <= %s", [through])
                removed = cursor.rowcount
        if removed != removing:
            raise RuntimeError(f"the access-log trim removed {removed} events, {removing} expected: rolled back")
    log.info("audit: trimmed %d access events through #%d (checkpoint #%d)", removed, through, checkpoint.sequence)
    return checkpoint.sequence, removed
