"""What both kinds of checks page share."""

from __future__ import annotations

from django.http import HttpRequest

from continuum.apps.accounts.actor import Actor


def actor_for(request: HttpRequest) -> Actor:
    """Who is acting: ``request.actor`` (set by the accounts middleware), else nobody signed in."""
    actor = getattr(request, "actor", None)
    return actor if isinstance(actor, Actor) else Actor.anonymous()
