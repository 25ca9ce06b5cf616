"""People for the Django-layer tests (and bench/): a new person holding a role, as the Actor they act as,
and a test client signed in as someone, with their one-time code marked verified when their roles need one.

Only definitions: importing it changes nothing (bench/ imports it outside pytest, once Django is set up).
"""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.accounts.models import User
from tests.apps.accounts.factories import MembershipFactory, UserFactory


def member(role: Role, partnership: str, user: User | None = None, **fields: Any) -> Actor:
    """``user`` (by default a new person made with ``fields``) holding ``role`` in ``partnership``, acting in it."""
    user = user or UserFactory(**fields)
    MembershipFactory(user=user, partnership=partnership, role=role)
    return Actor(user=user, partnership=partnership, role=role)


def device_for(user: User) -> TOTPDevice:
    """The person's confirmed authenticator (made if they have none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)


def signed_in(client: Client, user: User, *, acting: tuple[str, Role] | None = None) -> Client:
    """``client`` signed in as ``user`` (with a verified code when their roles need one), acting as ``acting``."""
    client.force_login(user)
    session = client.session
    if user.needs_two_factor():
        session[DEVICE_ID_SESSION_KEY] = device_for(user).persistent_id
    if acting is not None:
        session["accounts.acting"] = {"partnership": acting[0], "role": str(acting[1])}
    session.save()
    return client


def client_for(actor: Actor) -> Client:
    """A new test client signed in as ``actor``'s person, acting in their partnership and role."""
    assert actor.user is not None and actor.partnership is not None and actor.role is not None, actor
    return signed_in(Client(), actor.user, acting=(actor.partnership, actor.role))
