"""API tokens: one per person per role in a partnership, kept only as a hash."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

from continuum.apps.accounts.models import Membership

if TYPE_CHECKING:
    from continuum.apps.accounts.actor import Actor


def new_public_id() -> str:
    """How people and the audit name a token (not the secret): short and random."""
    return secrets.token_hex(6)


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def visible_to(self, actor: Actor) -> ApiTokenQuerySet:
        """A person sees their own tokens; nobody sees anyone else's."""
        if actor.user is None:
            return self.none()
        return self.filter(user=actor.user)

    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A bearer token acting as ``user`` in ``membership`` (a role in a partnership).

    Only the SHA-256 of the token is stored (a token is 256 random bits, so a fast hash is
    enough: there is nothing to guess); the token is shown once, when it is made. Removing
    the membership removes its tokens; revoking keeps the row, and the audit names it.
    """

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True, default="")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at",)
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"API token {self.public_id} ({self.membership})"
