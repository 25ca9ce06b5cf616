"""Who is signed in, as which role in which partnership: for the page header."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from continuum.apps.accounts.actor import ROLE_LABELS
from continuum.apps.accounts.partnerships import partnership_name


def account(request: HttpRequest) -> dict[str, Any]:
    lockout = {
        "attempts": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    actor = getattr(request, "actor", None)
    if actor is None or actor.user is None:
        return {"account": None, "lockout": lockout}
    role_count = getattr(request, "role_count", None)  # read by the middleware on this request
    if role_count is None:
        role_count = actor.user.memberships.count()
    return {
        "lockout": lockout,
        "account": {
            "name": actor.user.get_full_name() or actor.user.get_username(),
            "username": actor.user.get_username(),
            "role": ROLE_LABELS[actor.role] if actor.role else "",
            "partnership": partnership_name(actor.partnership),
            "several_roles": role_count > 1,
        },
    }
