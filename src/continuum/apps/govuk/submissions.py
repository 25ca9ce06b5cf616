"""One record per form submission: a token per form shown, so a double click or a resent POST stores once.

Every form that creates or changes a record carries a hidden ``submission`` field with a fresh token
(``{% submission_field %}`` from ``{% load govuk %}``). The view passes the request and the service
call to :func:`of_form`: the first submission runs the call and stores the token beside the record it
returned, in the same transaction; a second submission with the same token and the same answers
(even one racing the first) returns that record and runs nothing. The same token sent with other
answers (a page kept open, changed and sent again after the first save) is refused with
:class:`Reused`, which a page answers with "already sent" (409, :mod:`.middleware`): a change is
never dropped in silence. A form without a token (an old page, a script) runs the call as before.
ADR 0018.

The HTTP API's ``Idempotency-Key`` goes through the same ledger (ADR 0012): its entries carry a
``scope`` (the API token that sent the key, so one token's key never finds another's record) and a
``fingerprint`` of the request (the same key sent with a different request is refused with
:class:`Reused`). The pages' forms use the empty scope and the fingerprint of what was posted
(:func:`form_fingerprint`). Old rows are deleted by a periodic job (``CONTINUUM_SUBMISSION_TOKEN_DAYS``).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest

from continuum.apps.govuk.models import Submission

FIELD = "submission"
SCOPE_MAX = 64  # characters of a scope (``Submission.scope``)
FINGERPRINT_MAX = 64  # a SHA-256 in hex (``Submission.fingerprint``)

M = TypeVar("M", bound=models.Model)


class Reused(ValueError):
    """The token was first submitted with a different request (its fingerprint differs)."""


def new_token() -> str:
    return str(uuid.uuid4())


def token_of(value: Any) -> uuid.UUID | None:
    """The token in ``value`` (a posted field), or ``None`` when there is none or it is not a token."""
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def posted(request: HttpRequest) -> uuid.UUID | None:
    """The token the request's form carried."""
    return token_of(request.POST.get(FIELD))


# Posted fields that are not the answers: the form's token itself and Django's CSRF token.
NOT_ANSWERS = frozenset({FIELD, "csrfmiddlewaretoken"})


def form_fingerprint(request: HttpRequest) -> str:
    """A SHA-256 of the answers a form posted (every field but the tokens, every value, in order):
    equal for a double click, different once anything was changed."""
    answers = sorted((name, request.POST.getlist(name)) for name in request.POST if name not in NOT_ANSWERS)
    return hashlib.sha256(json.dumps(answers, ensure_ascii=False).encode()).hexdigest()


def of_form(request: HttpRequest, call: Callable[[], M]) -> M:
    """:func:`once` for a page's form: its posted token, fingerprinted by its answers."""
    return once(posted(request), call, fingerprint=form_fingerprint(request))


def sent_before(request: HttpRequest) -> models.Model | None:
    """What this form's first submission stored, when these answers were sent before with its token
    (:func:`stored`; raises :class:`Reused` when the token came first with other answers)."""
    return stored(posted(request), fingerprint=form_fingerprint(request))


def stored(token: uuid.UUID | str | None, scope: str = "", fingerprint: str = "") -> models.Model | None:
    """The record the first submission with ``token`` (in ``scope``) made or changed, if there was one.

    Raises :class:`Reused` when that first submission's fingerprint is not ``fingerprint``.
    """
    key = token if isinstance(token, uuid.UUID) else token_of(token)
    if key is None:
        return None
    row = Submission.objects.select_related("content_type").filter(scope=scope, token=key).first()
    if row is None:
        return None
    if row.fingerprint != fingerprint:
        raise Reused("this token was first submitted with a different request")
    model = row.content_type.model_class()
    if model is None:  # pragma: no cover - a model removed since
        return None
    return cast(models.Model, model._default_manager.filter(pk=row.object_id).first())


def once(token: uuid.UUID | str | None, call: Callable[[], M], *, scope: str = "", fingerprint: str = "") -> M:
    """``call()`` (a service: it stores a record and returns it), once per ``token`` in ``scope``.

    The token is stored in the same transaction as what ``call`` stores; when it was stored before
    (or a racing submission stores it first), the earlier record is returned and nothing is kept of
    this call. Errors from ``call`` propagate with nothing stored. When the token was first stored
    with another ``fingerprint`` (another request), :class:`Reused` is raised and nothing runs.
    """
    if len(scope) > SCOPE_MAX or len(fingerprint) > FINGERPRINT_MAX:
        raise ValueError("a submission's scope is at most 64 characters and its fingerprint a SHA-256 in hex")
    key = token if isinstance(token, uuid.UUID) else token_of(token)
    if key is None:
        return call()
    earlier = stored(key, scope, fingerprint)
    if earlier is not None:
        return cast(M, earlier)
    try:
        with transaction.atomic():
            made = call()
            Submission.objects.create(
                scope=scope,
                token=key,
                fingerprint=fingerprint,
                content_type=ContentType.objects.get_for_model(made),
                object_id=str(made.pk),
            )
    except IntegrityError:
        earlier = stored(key, scope, fingerprint)
        if earlier is None:
            raise
        return cast(M, earlier)
    return made
