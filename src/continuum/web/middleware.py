"""Middleware of the project: secure headers Django does not set by itself (Content-Security-Policy,
Permissions-Policy, no-store) and the rate limits of the web pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

# Everything from our own origin; no inline scripts or styles; no framing; forms post home.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


class SecurityHeadersMiddleware:
    """Adds the headers to every response the service makes (static files are served before this)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # Pages describe children and their families: no copies in shared or browser caches.
        response.headers.setdefault("Cache-Control", "no-store")
        return response


class EarlyRefusalMiddleware:
    """Refuses at once, before the session and sign-in are read, a POST to a limited page from a
    client already refused in this window (:func:`continuum.web.ratelimits.refused_before_the_session`):
    a client that keeps posting after its 429 then costs a cache read and a small page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from continuum.web import ratelimits

        limited = ratelimits.refused_before_the_session(request)
        if limited is not None:
            return ratelimits.too_many_requests(request, limited, session_read=False)
        return self.get_response(request)


class RateLimitMiddleware:
    """Refuses, with the 429 page, a POST to a limited page past its rate (:mod:`continuum.web.ratelimits`).

    After authentication (it counts per account) and before the view, so that a refused
    request costs no matching, no password hashing and no write.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        from continuum.web import ratelimits

        match = request.resolver_match
        if request.method != "POST" or match is None:
            return None
        limited = ratelimits.check(request, match.view_name)
        return ratelimits.too_many_requests(request, limited) if limited is not None else None
