"""``/api/v1/``: the API, and the error shape for any other path under it."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from continuum.apps.api.api import api
from continuum.apps.api.errors import error_response


@csrf_exempt
def unknown(request: HttpRequest, rest: str = "") -> JsonResponse:
    return error_response(404, "no such API path; the OpenAPI document is /api/v1/openapi.json")


urlpatterns = [
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", unknown),
]
