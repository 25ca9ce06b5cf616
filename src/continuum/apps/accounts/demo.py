"""Demo accounts for a local installation: one per role per partnership, never in production.

Usernames are ``demo-<role>-<partnership>``. The password is ``CONTINUUM_DEMO_PASSWORD``, or
one made up and printed once when the accounts are first made (``--reset-password`` makes a
new one). Every role but practitioner signs in with a code too, so those accounts get an
authenticator device whose current code the local sign-in page shows: a newcomer needs no
phone to try each role.
"""

from __future__ import annotations

import secrets
from base64 import b32encode
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from continuum.apps.accounts import events
from continuum.apps.accounts.actor import ROLE_LABELS, Actor, Role
from continuum.apps.accounts.models import Membership, User
from continuum.apps.accounts.partnerships import partnership_ids, partnership_name
from continuum.apps.audit.services import record

PREFIX = "demo-"
DEVICE_NAME = "Demo authenticator"
ACTOR = Actor.for_system("demo")


class DemoRefusedError(RuntimeError):
    """Demo accounts are refused under production settings."""


@dataclass
class DemoResult:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    password: str | None = None  # set when a new password was made up (print it once)
    keys: dict[str, str] = field(default_factory=dict)  # username → TOTP key (base32) of new devices


def username(role: Role, partnership: str) -> str:
    return f"{PREFIX}{role.value}-{partnership}"


def refuse_in_production() -> None:
    if getattr(settings, "CONTINUUM_PRODUCTION", False):
        raise DemoRefusedError("demo accounts are never made under production settings")


@transaction.atomic
def ensure_demo_accounts(*, password: str | None = None, reset_password: bool = False) -> DemoResult:
    """Make the missing demo accounts (idempotent); set the password when given or asked to."""
    refuse_in_production()
    result = DemoResult()
    wanted = [(username(role, p), role, p) for p in partnership_ids() for role in Role]
    have = set(User.objects.filter(username__in=[name for name, _, _ in wanted]).values_list("username", flat=True))
    if password is None and (reset_password or len(have) < len(wanted)):
        password = result.password = secrets.token_urlsafe(12)
    touched: list[User] = []
    for name, role, partnership in wanted:
        user, created = User.objects.get_or_create(
            username=name, defaults={"first_name": "Demo", "last_name": ROLE_LABELS[role]}
        )
        (result.created if created else result.existing).append(name)
        if password is not None and (created or not user.check_password(password)):
            user.set_password(password)
            user.save(update_fields=["password"])
            touched.append(user)
        Membership.objects.get_or_create(user=user, partnership=partnership, role=role)
        if role != Role.PRACTITIONER and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
            result.keys[name] = b32encode(device.bin_key).decode("ascii")
    if result.created or touched:
        anchor = User.objects.filter(username__startswith=PREFIX).order_by("username").first()
        if anchor is not None:
            payload = {"created": len(result.created), "password_set": len(touched)}
            record(events.DEMO_ACCOUNTS_CREATED, target=anchor, actor=ACTOR, payload=payload)
    return result


def current_code(device: TOTPDevice) -> str:
    """The code the device's authenticator would show now (for the local sign-in page only)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def sign_in_listing() -> list[dict[str, str]]:
    """The demo accounts with their role, partnership and, for two-factor roles, the current code."""
    if getattr(settings, "CONTINUUM_PRODUCTION", False):
        return []
    devices = {d.user_id: d for d in TOTPDevice.objects.filter(user__username__startswith=PREFIX, name=DEVICE_NAME)}
    rows = []
    memberships = Membership.objects.filter(user__username__startswith=PREFIX).select_related("user")
    for m in memberships.order_by("partnership", "role"):
        device = devices.get(m.user_id)
        rows.append(
            {
                "username": m.user.username,
                "role": m.role_label,
                "partnership": partnership_name(m.partnership),
                "code": current_code(device) if device is not None else "",
            }
        )
    return rows


def sign_in_listing_code(username: str) -> str:
    """The current code of one demo account (empty if it needs none)."""
    return next((row["code"] for row in sign_in_listing() if row["username"] == username), "")
