"""Project-level pages: error pages in the GOV.UK pattern, the health checks."""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader

log = logging.getLogger(__name__)


def live(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers (restart it if this fails). Touches nothing else."""
    return JsonResponse({"status": "ok"})


def ready(request: HttpRequest) -> JsonResponse:
    """Readiness, for a load balancer: the database answers and matching is ready for every
    offered framework (no request would wait for the model); 503 naming what is still preparing."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        log.warning("not ready: the database does not answer", exc_info=True)
        return JsonResponse({"status": "unavailable", "unavailable": ["database"]}, status=503)
    preparing = _matching_not_ready()
    if preparing:
        return JsonResponse({"status": "preparing", "preparing": preparing}, status=503)
    return JsonResponse({"status": "ok"})


healthz = ready  # ``/healthz`` means readiness (``launch()`` and deployments wait on it)


def _matching_not_ready() -> list[str]:
    """Ids of the offered frameworks whose matching would need model work now."""
    from continuum.apps.partnerships.catalogue import catalogue

    try:
        from continuum.matching import is_ready
    except ImportError:  # matching not installed: the check pages say so; nothing to wait for
        return []
    preparing = []
    for loaded in catalogue().choices():
        try:
            if not is_ready(loaded):
                preparing.append(loaded.id)
        except Exception:  # an error here is "not ready", never a traceback
            log.exception("readiness of matching for %s could not be checked", loaded.id)
            preparing.append(loaded.id)
    return preparing


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    if database_unavailable(sys.exc_info()[1]):
        return unavailable()
    return render(request, "errors/500.html", status=500)


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` says the database cannot be reached now (down, restarting), not that a query is wrong."""
    return isinstance(exc, OperationalError | InterfaceError)


def unavailable() -> HttpResponse:
    """503, the GOV.UK "service unavailable" page, rendered without the request: its context (the
    signed-in person, their session) would need the database that is missing."""
    html = loader.render_to_string("errors/503.html", {"service_name": settings.CONTINUUM_SERVICE_NAME})
    return HttpResponse(html, status=503, headers={"Retry-After": "30"})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form came back without a valid security token, usually because the page was left open too long."""
    return render(request, "errors/csrf.html", status=403)
