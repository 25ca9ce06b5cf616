"""``Idempotency-Key``: a create sent twice with the same key stores one record and answers the same.

Every create (``POST /checks``, ``POST /referrals``, the front door's claim and decision) takes an
optional ``Idempotency-Key`` header, as the pages' forms take a one-time token, and goes through the
same ledger (:func:`continuum.apps.govuk.submissions.once`): the first call with a key runs and stores
the key beside the record it made, in the same transaction; a repeat returns that record with the
first call's status and stores nothing; a call that fails stores nothing, so the key can be sent again.

The ledger entry is scoped by the API token that sent the key, so one token's key never finds another
token's (another person's, role's or partnership's) record. The key is kept with a fingerprint of the
request (method, path and body): the same key with a different request is 422, not the first
request's record. A key is 1 to 255 visible ASCII characters (a UUID is the usual choice); anything
else is 400. Keys are kept ``CONTINUUM_SUBMISSION_TOKEN_DAYS`` (ADR 0012, amended).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable
from typing import Annotated, TypeVar

from django.db import models
from django.http import HttpRequest
from ninja.params.functions import Header
from pydantic import BaseModel, WithJsonSchema

from continuum.apps.api.errors import ApiError
from continuum.apps.govuk import submissions

HEADER = "Idempotency-Key"
KEY_MAX = 255
_KEY = re.compile(rf"[\x21-\x7e]{{1,{KEY_MAX}}}")  # visible ASCII: no spaces, controls or other characters
# Keys become the ledger's UUIDs under this namespace (uuid5), scoped by the token in the ledger's own column.
NAMESPACE = uuid.UUID("30a30776-5363-4d91-8006-d403e0814162")

DESCRIPTION = (
    "Optional. Send the same key again (a retry after a timeout, a resent request) and the first call's "
    "answer comes back, with the same status and id, and nothing new is stored. Keys are per API token and "
    "kept for `CONTINUUM_SUBMISSION_TOKEN_DAYS` days (30 unless configured); 1 to 255 visible ASCII "
    "characters, e.g. a UUID (anything else is 400). The same key with a different request is 422. A call "
    "that fails stores nothing, so its key may be sent again."
)

# Documented as the key must be (a header is a string or absent, never null); checked by :func:`key_of`,
# so a bad key is a 400 in words rather than pydantic's 422.
IdempotencyKey = Annotated[
    str | None,
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": KEY_MAX, "pattern": "^[!-~]+$"}),
    Header(None, alias=HEADER, description=DESCRIPTION, example=str(NAMESPACE)),
]

M = TypeVar("M", bound=models.Model)


def key_of(value: str | None) -> str | None:
    """The key the header carried (optional whitespace around it removed), or ``None`` without one;
    a malformed key is a 400 naming the header."""
    if value is None:
        return None
    key = value.strip(" \t")
    if not _KEY.fullmatch(key):
        raise ApiError(
            400,
            f"{HEADER} must be 1 to {KEY_MAX} visible ASCII characters (letters, digits and punctuation, no "
            "spaces), e.g. a UUID",
            field=HEADER,
        )
    return key


def scope_of(request: HttpRequest) -> str:
    """The ledger scope of the request's API token: its public id (never reused, unlike a row's number)."""
    token = getattr(request, "api_token", None)
    if token is None:  # pragma: no cover - every create needs a token
        raise ApiError(401, "send a valid API token: Authorization: Bearer <token>")
    return f"api:{token.public_id}"


def fingerprint(request: HttpRequest, payload: BaseModel | None = None) -> str:
    """SHA-256 (hex) of the request as the endpoint understood it: method, path and validated body."""
    body = payload.model_dump(mode="json") if payload is not None else None
    document = {"method": request.method, "path": request.path, "body": body}
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def once(request: HttpRequest, key: str | None, call: Callable[[], M], *, payload: BaseModel | None = None) -> M:
    """``call()`` once per key and token (:func:`continuum.apps.govuk.submissions.once`); without a key,
    ``call()`` as before. A repeat returns the record the first call returned and runs nothing."""
    checked = key_of(key)
    if checked is None:
        return call()
    try:
        return submissions.once(
            uuid.uuid5(NAMESPACE, checked),
            call,
            scope=scope_of(request),
            fingerprint=fingerprint(request, payload),
        )
    except submissions.Reused:
        raise ApiError(
            422,
            f"this {HEADER} was already used for a different request (another path or body); send a new key "
            "for a new request",
            field=HEADER,
        ) from None


__all__ = ["HEADER", "IdempotencyKey", "fingerprint", "key_of", "once", "scope_of"]
