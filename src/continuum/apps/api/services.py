"""Making, revoking and checking API tokens. Each change is one transaction with its audit event."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.accounts.models import Membership
from continuum.apps.accounts.permissions import Refused
from continuum.apps.api import events
from continuum.apps.api.models import ApiToken
from continuum.apps.audit.services import record

PREFIX = "ctm_"  # so a leaked token is recognisable (secret scanners, logs)
LAST_USED_EVERY = timedelta(minutes=1)  # write "last used" at most this often per token


class TokenError(ValueError):
    """A token that cannot be made or revoked (the message is for the person asking)."""


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _may_manage(actor: Actor, user_id: int) -> None:
    """Tokens are made and revoked by their own person, a superuser, or the command line."""
    if actor.system is not None:
        return
    if actor.user is not None and (actor.user.pk == user_id or getattr(actor.user, "is_superuser", False)):
        return
    raise Refused(actor, "api.manage_tokens", "only the token's own person or an operator may do this")


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the bearer token itself: shown once, never stored


def create_token(actor: Actor, membership: Membership, *, name: str = "") -> NewToken:
    """A new token acting as ``membership``'s person in its partnership and role."""
    _may_manage(actor, membership.user_id)
    if not membership.user.is_active:
        raise TokenError(f"{membership.user} is deactivated")
    secret = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=membership.user, membership=membership, name=name.strip()[:100], token_hash=hash_token(secret)
        )
        record(
            events.TOKEN_CREATED,
            target=token,
            actor=actor,
            payload={
                "user": membership.user.get_username(),
                "partnership": membership.partnership,
                "role": membership.role,
            },
        )
    return NewToken(token, secret)


def revoke_token(actor: Actor, public_id: str) -> ApiToken:
    """Refuse ``public_id``'s requests from now on (the row and its audit trail stay)."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(public_id=public_id).first()
        if token is None:
            raise TokenError(f"no API token {public_id!r}")
        _may_manage(actor, token.user_id)
        if token.revoked_at is not None:
            raise TokenError(f"API token {public_id} was already revoked")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(events.TOKEN_REVOKED, target=token, actor=actor, payload={"user": token.user.get_username()})
    return token


def authenticate(raw: str) -> ApiToken | None:
    """The live token ``raw`` is, or ``None`` (unknown, revoked, or its person deactivated)."""
    if not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.active().select_related("user", "membership").filter(token_hash=hash_token(raw)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def actor_for(token: ApiToken, request_id: str) -> Actor:
    """The same ``Actor`` a page builds for this person acting in this role in this partnership."""
    return Actor(
        user=token.user,
        partnership=token.membership.partnership,
        role=Role(token.membership.role),
        request_id=request_id,
    )
