"""A form sent again with other answers: "already sent", not a change dropped in silence (ADR 0018)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from continuum.apps.govuk.submissions import Reused

log = logging.getLogger(__name__)


class ResentFormMiddleware:
    """Answers :class:`~continuum.apps.govuk.submissions.Reused` from a page's view with 409 and the
    GOV.UK page that says the form was saved before, nothing of this sending was kept, and where
    to go to see what was saved and make the change again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, Reused):
            return None
        log.warning("a form was sent again with other answers: %s %s (nothing kept)", request.method, request.path)
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = ""
        return render(request, "errors/resent.html", {"back": back}, status=409)
