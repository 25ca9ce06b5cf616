"""Messages to the referrer: one function per message, each enqueuing a job in the caller's transaction.

The job sends through Django's email backend: a file per message in tests and on a laptop
(``EMAIL_BACKEND`` = the file backend, the default), GOV.UK Notify in production (its
Django email backend set as ``EMAIL_BACKEND``; see docs/handoff.md). Messages name the
referral by its reference and never carry the child's details: an email can go astray.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection

if TYPE_CHECKING:
    from continuum.apps.referrals.models import Referral


def referral_received(referrals: list[Referral]) -> None:
    """ "We have your referral": the references and what happens next, to the referrer (enqueued, not sent)."""
    from continuum.apps.referrals.tasks import email_referral_received

    if not connection.in_atomic_block:
        raise RuntimeError("enqueue the referrer's email inside the transaction that stores the referral")
    email_referral_received.enqueue([r.pk for r in referrals])
