"""``request.actor`` for every request, and the steps a signed-in person must finish first.

After the password, a person who needs two-factor sign-in must set up or enter a code, and
a person with several roles must choose which to act in, before any page outside
the sign-in pages (sign-out, the code pages, the role chooser, password reset) and static files.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from continuum.apps.accounts.actor import Actor, Role, new_request_id
from continuum.apps.accounts.models import Membership

ACTING_KEY = "accounts.acting"  # the session's chosen {"partnership", "role"}
REQUEST_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
OPEN_PREFIXES = (
    "/accounts/sign-",
    "/accounts/two-factor",
    "/accounts/role",
    "/accounts/password-reset",
    "/accounts/reset/",
    "/static/",
    "/healthz",
)


def _request_id(request: HttpRequest) -> str:
    given = request.headers.get("X-Request-ID", "")
    return given if REQUEST_ID.match(given) else new_request_id()


def memberships_of(user: Any) -> list[Membership]:
    return list(Membership.objects.filter(user=user).order_by("partnership", "role"))


def chosen_membership(request: HttpRequest, memberships: list[Membership]) -> Membership | None:
    """The membership the person acts in: their choice this session, or their only one."""
    acting = request.session.get(ACTING_KEY) or {}
    for membership in memberships:
        if membership.partnership == acting.get("partnership") and membership.role == acting.get("role"):
            return membership
    return memberships[0] if len(memberships) == 1 else None


def choose(request: HttpRequest, membership: Membership) -> None:
    request.session[ACTING_KEY] = {"partnership": membership.partnership, "role": membership.role}


def _verified(user: object) -> bool:
    """Whether the person entered a code this session (django-otp's middleware marks the user;
    a user just signed in with a password in this request is not marked, and not verified)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else False


def build_actor(request: HttpRequest) -> tuple[Actor, str | None]:
    """The actor, and the page the person must visit first (or ``None``)."""
    request_id = _request_id(request)
    user = request.user
    if not user.is_authenticated:
        return Actor.anonymous(request_id), None
    memberships = memberships_of(user)
    request.role_count = len(memberships)  # type: ignore[attr-defined]  # for the page header
    if user.needs_two_factor(memberships) and not _verified(user):
        from django_otp import devices_for_user

        confirmed = any(devices_for_user(user, confirmed=True))
        pending = reverse("accounts:two_factor_verify" if confirmed else "accounts:two_factor_setup")
        return Actor(user=user, request_id=request_id), pending
    membership = chosen_membership(request, memberships)
    if membership is None:
        choice = reverse("accounts:choose_role") if memberships else None
        return Actor(user=user, request_id=request_id), choice
    return Actor(user=user, partnership=membership.partnership, role=Role(membership.role), request_id=request_id), None


class ActorMiddleware:
    """Sets ``request.actor``; sends a half-signed-in person to the step they still have to do."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        actor, pending = build_actor(request)
        request.actor = actor  # type: ignore[attr-defined]
        if pending is not None and not request.path.startswith(OPEN_PREFIXES):
            return HttpResponseRedirect(f"{pending}?{urlencode({'next': request.get_full_path()})}")
        response = self.get_response(request)
        response.headers.setdefault("X-Request-ID", actor.request_id)
        return response
