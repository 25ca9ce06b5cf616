"""The auditor's actions on the audit itself: asking for the whole chain to be walked now."""

from __future__ import annotations

from django.db import transaction

from continuum.apps.accounts.actor import Actor
from continuum.apps.accounts.permissions import require
from continuum.apps.audit import events
from continuum.apps.audit.models import AuditEvent
from continuum.apps.audit.services import record


def request_verification(actor: Actor) -> bool:
    """Record the request and enqueue the walk once the request is committed; ``False`` if there is nothing to walk."""
    from continuum.apps.audit.tasks import verify_chain

    require(actor, "audit.view")
    with transaction.atomic():
        head = AuditEvent.objects.order_by("-sequence").first()
        if head is None:
            return False
        record(events.VERIFICATION_REQUESTED, target=head, actor=actor, payload={"head": head.sequence})
        transaction.on_commit(lambda: verify_chain.enqueue(requested_by=actor.label))
    return True
