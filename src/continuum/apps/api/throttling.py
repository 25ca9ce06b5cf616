"""Rate limits on the costly or state-changing endpoints (assess, match, create): per token and per address.

ninja's throttles, on Django's cache: limits hold across processes only with a shared cache
(``CACHE_URL``, e.g. Redis); the default local-memory cache counts per process. The rates are
read from settings at each request (``CONTINUUM_API_RATES``), so an operator or a test can
change them without a restart.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import BaseThrottle, SimpleRateThrottle

DEFAULT_RATES = {"token": "60/min", "address": "120/min"}


class _SettingsRate(SimpleRateThrottle):
    scope = ""

    def __init__(self) -> None:
        super().__init__(rate=DEFAULT_RATES[self.scope])

    def allow_request(self, request: HttpRequest) -> bool:
        rates = {**DEFAULT_RATES, **getattr(settings, "CONTINUUM_API_RATES", {})}
        self.rate = rates[self.scope]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


class TokenThrottle(_SettingsRate):
    """So many requests per token (the person's role in a partnership) per period."""

    scope = "token"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        token = getattr(request, "api_token", None)
        return None if token is None else f"continuum-api-token-{token.pk}"


class AddressThrottle(_SettingsRate):
    """So many requests per client address per period, whichever tokens they use
    (the address is ``REMOTE_ADDR``, or ``X-Forwarded-For`` through ``NINJA_NUM_PROXIES`` proxies)."""

    scope = "address"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        ident = self.get_ident(request)
        return None if not ident else f"continuum-api-address-{ident}"


LIMITED: list[BaseThrottle] = [TokenThrottle(), AddressThrottle()]
