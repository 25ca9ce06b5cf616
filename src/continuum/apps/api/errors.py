"""Errors in one shape, ``{"error": {"code", "message", "field"?}}``, for every status the API answers with.

Every exception an endpoint can raise ends here: a domain error names its field, a refusal is
403, a missing or hidden record 404, a bad body 400 or 422, too many requests 429, and anything
unexpected is logged and answered with a 500 in the same shape — never a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as ModelValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

log = logging.getLogger(__name__)

CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}


class ErrorDetail(Schema):
    code: str
    message: str
    field: str | None = None


class ErrorOut(Schema):
    """The one error shape."""

    error: ErrorDetail


class ApiError(Exception):
    """An answer other than success, raised from an endpoint: status, message and the field it is about."""

    def __init__(self, status: int, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.code = code or CODES.get(status, "error")


def body(status: int, message: str, *, field: str | None = None, code: str | None = None) -> dict[str, Any]:
    detail: dict[str, Any] = {"code": code or CODES.get(status, "error"), "message": message}
    if field:
        detail["field"] = field
    return {"error": detail}


def error_response(status: int, message: str, *, field: str | None = None, code: str | None = None) -> JsonResponse:
    return JsonResponse(body(status, message, field=field, code=code), status=status)


def responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error statuses an endpoint documents, each with the error shape."""
    return dict.fromkeys(statuses, ErrorOut)


def _field_of(location: Any) -> str | None:
    """``("body", "payload", "indicators", 0)`` → ``indicators.0``; ``("path", "framework_id")`` → ``framework_id``."""
    parts = [str(p) for p in (location or ())]
    if parts and parts[0] == "body":
        parts = parts[2:] if len(parts) > 2 else parts[1:]
    elif parts and parts[0] in {"query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    return ".".join(parts) or None


def install(api: NinjaAPI) -> None:
    """Answer every exception of ``api`` in the error shape."""

    def respond(request: HttpRequest, status: int, message: str, **kw: Any) -> HttpResponse:
        return api.create_response(request, body(status, message, **kw), status=status)

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return respond(request, exc.status, exc.message, field=exc.field, code=exc.code)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        first = exc.errors[0] if exc.errors else {}
        message = str(first.get("msg") or "the request is not valid")
        return respond(request, 422, message, field=_field_of(first.get("loc")))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(
            request,
            401,
            "send a valid API token: Authorization: Bearer <token> (made with `continuum users token create`)",
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        return respond(request, 429, "too many requests: wait and try again (see Retry-After)")

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        message = "the request body is not valid JSON" if exc.status_code == 400 else str(exc)
        return respond(request, exc.status_code, message)

    @api.exception_handler(PermissionDenied)
    def refused(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, str(exc) or "your role does not allow this")

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, "not found, or not visible to your role in your partnership")

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return respond(request, 400, "the request body is too large")

    @api.exception_handler(ModelValidationError)
    def refused_by_the_model(request: HttpRequest, exc: ModelValidationError) -> HttpResponse:
        """A value the model's own validators refuse (e.g. an NHS number that fails its check digit)."""
        if hasattr(exc, "error_dict"):
            field, errors = next(iter(exc.message_dict.items()))
            return respond(request, 400, " ".join(errors), field=None if field == "__all__" else field)
        return respond(request, 400, " ".join(exc.messages))

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("API request %s %s failed", request.method, request.path)
        if isinstance(exc, OperationalError | InterfaceError):  # the database cannot be reached now
            response = respond(request, 503, "the service is unavailable for a moment; try again shortly")
            response["Retry-After"] = "30"
            return response
        return respond(request, 500, "something went wrong on our side; it has been logged")
