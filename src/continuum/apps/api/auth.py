"""Bearer tokens → the same ``Actor`` the pages build, set on ``request.actor`` for the services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from continuum.apps.accounts.actor import Actor, new_request_id
from continuum.apps.api import services


class BearerToken(HttpBearer):
    """``Authorization: Bearer ctm_…``: a live token of an active person (see :mod:`.services`)."""

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        found = services.authenticate(token.strip())
        if found is None:
            return None
        previous: Any = getattr(request, "actor", None)
        actor = services.actor_for(found, previous.request_id if previous is not None else new_request_id())
        request.actor = actor  # type: ignore[attr-defined]
        request.api_token = found  # type: ignore[attr-defined]
        return actor


def actor_of(request: HttpRequest) -> Actor:
    """The actor the token authenticated (every endpoint but the document and docs needs one)."""
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return actor
