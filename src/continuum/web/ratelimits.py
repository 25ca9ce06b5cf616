"""Rate limits on the web pages that cost the most or matter the most (ADR 0021).

Each limited action counts its form submissions (POST) twice, in django-ratelimit's fixed
windows: per client address and per account. The address is ``REMOTE_ADDR``: behind the TLS
proxy ``continuum serve`` (waitress) has already set it from the trusted proxy's
``X-Forwarded-For`` and removed anyone else's (``TRUSTED_PROXY``). The account is the person
signed in; before sign-in, the username typed (so that guessing one person's password from
many addresses is slowed too, beside django-axes' lockout); else the browser's session.

Whichever count goes over its rate first, the page is the GOV.UK-style 429 page, saying when
to try again, with ``Retry-After``. The rates are Continuum configuration
(``CONTINUUM_RATE_LIMITS``, from the environment), read at each request.

The counts live in Django's default cache. ``continuum serve`` is one process whose threads
share the default local-memory cache, whose increments are locked: correct for one process.
With several processes the cache must be shared: ``CACHE_URL=redis://127.0.0.1:6379/1``
(atomic increments; the recommended choice) or the database cache (``dbcache://continuum_cache``;
shared, but its increments are a read and a write, so a burst can slip a few over).
If the cache cannot be reached the limits let requests through (``RATELIMIT_FAIL_OPEN``): a
practitioner worried about a child is not turned away because a counter is down.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django_ratelimit.core import get_usage  # type: ignore[import-untyped]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Action:
    """A limited action: its settings key, the views (``namespace:name``) whose POSTs count, and
    how the 429 page names what was done too often."""

    key: str
    views: frozenset[str]
    done_too_often: str


ACTIONS = (
    Action(
        "sign-in",
        frozenset({"accounts:sign_in", "accounts:two_factor_verify", "accounts:password_reset"}),
        "tried to sign in too many times",
    ),
    Action("concern", frozenset({"checks:concern"}), "described too many concerns"),
    Action("check-create", frozenset({"checks:answers"}), "asked for too many recommendations"),
    Action("referral-send", frozenset({"referrals:check"}), "sent too many referrals"),
)
_BY_VIEW = {view: action for action in ACTIONS for view in action.views}


@dataclass(frozen=True)
class Limited:
    action: Action
    retry_after: int  # seconds until the window that refused the request ends


def account_key(request: HttpRequest) -> str | None:
    """Who, as far as the request says: the signed-in user, else the username typed, else the session."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    username = request.POST.get("username", "").strip().lower()
    if username:
        return f"username:{username[:150]}"
    session = getattr(request, "session", None)
    session_key = session.session_key if session is not None else None
    return f"session:{session_key}" if session_key else None


def _rates(action: Action) -> dict[str, str]:
    configured: dict[str, dict[str, str]] = getattr(settings, "CONTINUUM_RATE_LIMITS", {})
    return dict(configured.get(action.key, {}))


def check(request: HttpRequest, view_name: str) -> Limited | None:
    """Count this request against its action's limits; the refusal if any limit is exceeded."""
    action = _BY_VIEW.get(view_name)
    if action is None or request.method != "POST":
        return None
    rates = _rates(action)
    keys: dict[str, Any] = {"address": "ip", "account": lambda _group, req: account_key(req)}
    refused: list[int] = []
    for scope, rate in rates.items():
        if scope not in keys or not rate:
            continue
        if scope == "account" and account_key(request) is None:
            continue  # nothing to count by: the address limit still holds
        usage = get_usage(
            request, group=f"continuum:{action.key}:{scope}", key=keys[scope], rate=rate, method="POST", increment=True
        )
        if usage is not None and usage["should_limit"]:
            refused.append(max(1, int(usage["time_left"])))
    if not refused:
        return None
    limited = Limited(action, max(refused))
    log.warning("rate limit: %s refused for %d s (%s)", action.key, limited.retry_after, request.path)
    return limited


def refused_before_the_session(request: HttpRequest) -> Limited | None:
    """A POST to a limited page from an address, or a browser session, already refused in this
    window: refused again before the session is read, the person looked up or the form checked,
    so that a client that keeps posting after its 429 costs the least (a flood; ADR 0021).

    Counts nothing and refuses only on a counter that :func:`check` has already taken past its
    limit: the address, and the browser's session cookie as the account of someone not signed in
    (a signed-in person's account is counted by :func:`check` alone, after sign-in).
    """
    if request.method != "POST":
        return None
    try:
        view_name = resolve(request.path_info).view_name
    except Resolver404:
        return None
    action = _BY_VIEW.get(view_name)
    if action is None:
        return None
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    keys: dict[str, Any] = {"address": "ip"}
    if session_key:
        keys["account"] = lambda _group, _req: f"session:{session_key}"
    for scope, rate in _rates(action).items():
        if scope not in keys or not rate:
            continue
        usage = get_usage(
            request, group=f"continuum:{action.key}:{scope}", key=keys[scope], rate=rate, method="POST", increment=False
        )
        if usage is not None and usage["should_limit"]:
            return Limited(action, max(1, int(usage["time_left"])))
    return None


def too_many_requests(request: HttpRequest, limited: Limited, *, session_read: bool = True) -> HttpResponse:
    """The GOV.UK-style page for a refused request: status 429, ``Retry-After``, when to try again.

    Refused before the session was read (``session_read=False``), the page cannot know who is
    signed in, so it shows no account links at all rather than "Sign in" to someone signed in."""
    minutes = math.ceil(limited.retry_after / 60)
    wait = (
        f"{limited.retry_after} seconds"
        if limited.retry_after < 60
        else f"{minutes} minute" + ("s" if minutes > 1 else "")
    )
    response = render(
        request,
        "errors/429.html",
        {
            "done_too_often": limited.action.done_too_often,
            "wait": wait,
            "action": limited.action.key,
            "account_unread": not session_read,
        },
        status=429,
    )
    response["Retry-After"] = str(limited.retry_after)
    return response
