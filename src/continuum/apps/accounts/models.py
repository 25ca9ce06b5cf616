"""People and their roles: the user model (custom from the first migration) and ``Membership``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from continuum.apps.accounts.actor import ROLE_LABELS, Role
from continuum.apps.accounts.partnerships import partnership_ids

if TYPE_CHECKING:
    from continuum.apps.accounts.actor import Actor


class User(AbstractUser):
    """A person who signs in. What they may do comes from their memberships, per partnership."""

    class Meta:
        db_table = "accounts_user"

    def needs_two_factor(self, memberships: Sequence[Membership] | None = None) -> bool:
        """Everyone but a practitioner-only person (and staff) must sign in with a one-time code too.

        ``memberships``: this person's, already read (each request's middleware has them), else queried."""
        if self.is_staff or self.is_superuser:
            return True
        if memberships is not None:
            return any(m.role != Role.PRACTITIONER for m in memberships)
        return self.memberships.exclude(role=Role.PRACTITIONER).exists()


def validate_partnership(value: str) -> None:
    if value not in partnership_ids():
        raise ValidationError(f"{value!r} is not a partnership on offer (no such framework)")


class MembershipQuerySet(models.QuerySet["Membership"]):
    def visible_to(self, actor: Actor) -> MembershipQuerySet:
        """A partnership admin sees their partnership's members; anyone else only their own roles."""
        if actor.user is None:
            return self.none()
        if actor.role == Role.PARTNERSHIP_ADMIN and actor.partnership:
            return self.filter(partnership=actor.partnership)
        return self.filter(user=actor.user)


class Membership(models.Model):
    """``user`` holds ``role`` in ``partnership`` (a framework id). One person may hold several."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    partnership = models.CharField(max_length=100, validators=[validate_partnership])
    role = models.CharField(max_length=50, choices=[(role.value, ROLE_LABELS[role]) for role in Role])
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ("partnership", "role", "user_id")
        constraints = (
            models.UniqueConstraint(fields=("user", "partnership", "role"), name="accounts_membership_unique"),
        )

    def __str__(self) -> str:
        return f"{self.user} is {self.role_label} in {self.partnership}"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[Role(self.role)]


class SingleSignOnIdentity(models.Model):
    """``user`` is ``subject`` at the OpenID provider ``issuer``: how single sign-on finds them again.

    Made by :mod:`continuum.apps.accounts.oidc` (the first sign-in matched by a verified email,
    or an account made from the provider's claims), or set up in the back office. One link per
    provider per person; a provider's subject belongs to one person.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities")
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("issuer", "subject"), name="accounts_sso_identity_unique"),
            models.UniqueConstraint(fields=("user", "issuer"), name="accounts_sso_identity_one_per_issuer"),
        )

    def __str__(self) -> str:
        return f"{self.user} is {self.subject} at {self.issuer}"
