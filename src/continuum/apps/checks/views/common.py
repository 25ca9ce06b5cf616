"""What both kinds of checks page share."""

from __future__ import annotations

from django.http import HttpRequest

from continuum.apps.accounts.actor import Actor


def actor_for(request: HttpRequest) -> Actor:
    """Who is acting: ``request.actor`` (set by the accounts middleware), else nobody signed in."""
    actor = getattr(request, "actor", None)
    return actor if isinstance(actor, Actor) else Actor.anonymous()


MADE_KEY = "checks.made"
MADE_KEPT = 20  # the checks a browser session remembers making (their first judgement is theirs to record)


def remember_made(request: HttpRequest, public_id: str) -> None:
    """This session made the check ``public_id``: it may record the check's judgement (ADR 0018)."""
    made = [p for p in request.session.get(MADE_KEY, []) if p != public_id]
    request.session[MADE_KEY] = [*made, public_id][-MADE_KEPT:]


def made_here(request: HttpRequest, public_id: str) -> bool:
    """Whether this browser session made the check ``public_id`` (see :func:`remember_made`)."""
    return public_id in request.session.get(MADE_KEY, [])
