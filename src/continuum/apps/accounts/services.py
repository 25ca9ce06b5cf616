"""Changes to people and their roles. Each function is one transaction with its audit event.

The admin, the ``continuum users`` command and the demo data all come through here. The
``actor`` is whoever makes the change: a partnership admin in the back office (who may only
touch their own partnership), a superuser, or ``Actor.for_system("cli")`` at the command line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from continuum.apps.accounts import events
from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.accounts.models import Membership, User, validate_partnership
from continuum.apps.accounts.permissions import Refused, require
from continuum.apps.audit.services import record


class AccountError(ValueError):
    """A change to people or roles that cannot be made (the message is for the person making it)."""


@dataclass(frozen=True)
class Invitation:
    user: User
    path: str  # where the person sets their password, e.g. /accounts/reset/<uid>/<token>/


def _is_superuser(actor: Actor) -> bool:
    return actor.user is not None and bool(getattr(actor.user, "is_superuser", False))


def require_manage(actor: Actor, partnership: str) -> None:
    """Members of ``partnership`` are managed by its partnership admins, superusers and the command line."""
    if actor.system is not None or _is_superuser(actor):
        return
    require(actor, "accounts.manage_members")
    if actor.partnership != partnership:
        raise Refused(actor, "accounts.manage_members", f"only the admins of {partnership} manage its members")


def _role(value: str | Role) -> Role:
    try:
        return Role(value)
    except ValueError:
        known = ", ".join(role.value for role in Role)
        raise AccountError(f"{value!r} is not a role; roles: {known}") from None


def _partnership(value: str) -> str:
    from django.core.exceptions import ValidationError

    try:
        validate_partnership(value)
    except ValidationError as exc:
        raise AccountError(exc.messages[0]) from None
    return value


def _membership_payload(membership: Membership) -> dict[str, Any]:
    return {"user": membership.user.get_username(), "partnership": membership.partnership, "role": membership.role}


def _add_membership(actor: Actor, user: User, partnership: str, role: str | Role) -> Membership:
    partnership, role = _partnership(partnership), _role(role)
    require_manage(actor, partnership)
    membership, created = Membership.objects.get_or_create(user=user, partnership=partnership, role=role)
    if created:
        record(events.MEMBERSHIP_ADDED, target=membership, actor=actor, payload=_membership_payload(membership))
    return membership


def _new_user(username: str, email: str, first_name: str, last_name: str, is_staff: bool) -> User:
    if User.objects.filter(username=username).exists():
        raise AccountError(f"there is already an account called {username!r}")
    return User(username=username, email=email, first_name=first_name, last_name=last_name, is_staff=is_staff)


@transaction.atomic
def create_user(
    actor: Actor,
    username: str,
    *,
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    memberships: Iterable[tuple[str, str | Role]] = (),
    is_staff: bool = False,
) -> User:
    """A person with a password and their roles (``(partnership, role)`` pairs)."""
    user = _new_user(username, email, first_name, last_name, is_staff)
    user.set_password(password)
    user.save()
    record(events.USER_CREATED, target=user, actor=actor, payload={"user": username, "staff": is_staff})
    for partnership, role in memberships:
        _add_membership(actor, user, partnership, role)
    return user


def password_set_path(user: User) -> str:
    """The one-time page where ``user`` sets a password (valid until they set one, or it expires)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})


@transaction.atomic
def invite_user(
    actor: Actor,
    username: str,
    *,
    email: str,
    first_name: str = "",
    last_name: str = "",
    memberships: Iterable[tuple[str, str | Role]] = (),
) -> Invitation:
    """A person without a password yet, and the link where they set one."""
    user = _new_user(username, email, first_name, last_name, False)
    user.set_unusable_password()
    user.save()
    record(events.USER_INVITED, target=user, actor=actor, payload={"user": username})
    for partnership, role in memberships:
        _add_membership(actor, user, partnership, role)
    return Invitation(user, password_set_path(user))


@transaction.atomic
def deactivate_user(actor: Actor, username: str) -> User:
    """The person can no longer sign in; their records and audit trail stay."""
    user = User.objects.select_for_update().filter(username=username).first()
    if user is None:
        raise AccountError(f"there is no account called {username!r}")
    for partnership in set(user.memberships.values_list("partnership", flat=True)):
        require_manage(actor, partnership)
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        record(events.USER_DEACTIVATED, target=user, actor=actor, payload={"user": username})
    return user


@transaction.atomic
def add_membership(actor: Actor, user: User, partnership: str, role: str | Role) -> Membership:
    return _add_membership(actor, user, partnership, role)


@transaction.atomic
def change_membership(actor: Actor, membership: Membership, *, partnership: str, role: str | Role) -> Membership:
    """Move a membership to another role (or partnership); the admin must manage both partnerships."""
    before = Membership.objects.select_for_update().get(pk=membership.pk)
    partnership, role = _partnership(partnership), _role(role)
    require_manage(actor, before.partnership)
    require_manage(actor, partnership)
    if (before.partnership, before.role) == (partnership, role):
        return before
    if Membership.objects.filter(user_id=before.user_id, partnership=partnership, role=role).exists():
        raise AccountError("this person already holds that role in that partnership")
    old = _membership_payload(before)
    before.partnership, before.role = partnership, role
    before.save(update_fields=["partnership", "role"])
    record(
        events.MEMBERSHIP_CHANGED, target=before, actor=actor, payload={"from": old, "to": _membership_payload(before)}
    )
    return before


@transaction.atomic
def remove_membership(actor: Actor, membership: Membership) -> None:
    require_manage(actor, membership.partnership)
    record(events.MEMBERSHIP_REMOVED, target=membership, actor=actor, payload=_membership_payload(membership))
    membership.delete()


USER_FIELDS = ("username", "first_name", "last_name", "email", "is_active", "is_staff", "is_superuser")


@transaction.atomic
def save_user(actor: Actor, user: User, *, created: bool, changed: Iterable[str] = ()) -> User:
    """Save a person's account as edited in the back office, with what changed (never the password)."""
    if not created:
        for partnership in set(Membership.objects.filter(user=user).values_list("partnership", flat=True)):
            require_manage(actor, partnership)
    fields = sorted(set(changed) & set(USER_FIELDS))
    user.save()
    verb = events.USER_CREATED if created else events.USER_CHANGED
    record(verb, target=user, actor=actor, payload={"user": user.get_username(), "fields": fields})
    return user


@transaction.atomic
def confirm_two_factor(actor: Actor, device: Any) -> None:
    """The person proved they hold the authenticator (a valid code): the device now counts at sign-in."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(events.TWO_FACTOR_CONFIRMED, target=device.user, actor=actor, payload={"device": device.name})


def list_users() -> list[dict[str, Any]]:
    """Everyone, with their roles, for ``continuum users list``."""
    people = User.objects.order_by("username").prefetch_related("memberships")
    return [
        {
            "username": user.username,
            "email": user.email,
            "active": user.is_active,
            "staff": user.is_staff,
            "memberships": [{"partnership": m.partnership, "role": m.role} for m in user.memberships.all()],
        }
        for user in people
    ]
