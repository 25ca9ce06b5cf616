"""The referrals' jobs: the referrer's acknowledgement email (enqueued by :mod:`.notify`)."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django_tasks import task

log = logging.getLogger("continuum.referrals")


@task()
def email_referral_received(referral_ids: list[int]) -> str:
    """Email the referrer their references and what happens next; then the referrals are acknowledged."""
    from continuum.apps.accounts.actor import Actor
    from continuum.apps.referrals import services
    from continuum.apps.referrals.models import Referral
    from continuum.apps.referrals.presenters import what_happens_next

    referrals = list(Referral.objects.filter(pk__in=referral_ids).select_related("referrer").order_by("pk"))
    if not referrals:
        return "gone"
    first = referrals[0]
    to = first.referrer_email or (first.referrer.email if first.referrer is not None else "")
    if not to:
        return "no address"
    context = {"referrals": referrals, "next": what_happens_next(first.partnership)}
    subject = render_to_string("referrals/email/received_subject.txt", context).strip()
    body = render_to_string("referrals/email/received.txt", context)
    send_mail(subject, body, None, [to])
    actor = Actor.for_system("worker", first.partnership)
    for referral in referrals:
        services.acknowledge(actor, referral)
    log.info("acknowledged %d referral(s) to %s", len(referrals), first.partnership)
    return "sent"
