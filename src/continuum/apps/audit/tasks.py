"""The audit's job: walk the whole hash chain on the queue and record what it found as an event.

A walk of a million events takes most of a minute, so it never runs in a request: an auditor's
"check the chain now" enqueues it, and the worker runs it daily as well.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django_tasks import task

from continuum.apps.audit import events
from continuum.apps.audit.models import AuditEvent
from continuum.apps.audit.services import record
from continuum.apps.audit.verify import verify

log = logging.getLogger("continuum.audit")


def verify_and_record(requested_by: str = "") -> bool:
    """Walk the chain, then append ``audit.verified`` (about the head at the time of the walk)."""
    result = verify()
    with transaction.atomic():
        head = AuditEvent.objects.order_by("-sequence").first()
        if head is None:  # nothing to verify, and nothing to hang the record on
            return True
        payload = {**result.as_json(), "requested_by": requested_by}
        record(events.VERIFIED, target=head, actor="system:verify-chain", payload=payload)
    if result.ok:
        log.info("audit chain intact: %d events", result.events)
    else:
        log.error("audit chain BROKEN at %s", result.broken)
    return result.ok


@task()
def verify_chain(requested_by: str = "") -> bool:
    """The queued walk; see :func:`verify_and_record`."""
    return verify_and_record(requested_by)


@task()
def verify_chain_daily() -> bool:
    """The periodic walk: verify, then schedule the next one."""
    from continuum.apps.jobs.tasks import schedule_next

    ok = verify_and_record("schedule")
    schedule_next(verify_chain_daily, timedelta(seconds=settings.CONTINUUM_AUDIT_VERIFY_SECONDS))
    return ok
