"""``/api/v1/``: the API, and the error shape for any other path or method under it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path, re_path
from django.views.decorators.csrf import csrf_exempt

from continuum.apps.api.api import api
from continuum.apps.api.errors import error_response


@csrf_exempt
def unknown(request: HttpRequest, rest: str = "") -> JsonResponse:
    return error_response(404, "no such API path; the OpenAPI document is /api/v1/openapi.json")


def _method_in_shape(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ninja answers a method a path does not have with a plain-text 405; say it in the error shape."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type", "").startswith("text/html"):
            allowed = response.get("Allow", "")
            shaped = error_response(405, f"{request.method} is not allowed here; allowed: {allowed}")
            shaped["Allow"] = allowed
            return shaped
        return response

    return wrapped


def _shaped(patterns: list[Any]) -> list[Any]:
    return [
        URLPattern(p.pattern, _method_in_shape(p.callback), p.default_args, p.name) if isinstance(p, URLPattern) else p
        for p in patterns
    ]


# Not ``app_name`` at module level: include() would read it as this module's namespace.
_patterns, _app, _namespace = api.urls

urlpatterns = [
    path("", (_shaped(_patterns), _app, _namespace)),
    re_path(r"^(?P<rest>.*)$", unknown),
]
