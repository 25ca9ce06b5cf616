"""``continuum users`` (create, invite, deactivate, list) and ``continuum demo``.

Django is set up the way ``continuum serve`` sets it up (``DJANGO_SETTINGS_MODULE``, default
the base settings; ``DATABASE_URL``), and the database is migrated first, so that both work
on a fresh machine. Each change is one service call: one transaction with its audit event,
made by the actor ``system:cli`` (or ``system:demo``).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, NoReturn

import click

MEMBERSHIP_HELP = "A role in a partnership, PARTNERSHIP:ROLE (e.g. bury:front-door-worker); repeat for several."


def _django(migrate: bool = True) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "continuum.web.settings.base")
    import django

    django.setup()
    if migrate:
        from django.conf import settings
        from django.core.management import call_command

        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _memberships(values: tuple[str, ...]) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        partnership, sep, role = value.partition(":")
        if not sep or not partnership or not role:
            _fail(f"--membership {value!r}: write it as PARTNERSHIP:ROLE, e.g. bury:practitioner")
        pairs.append((partnership, role))
    return pairs


def _actor() -> Any:
    from continuum.apps.accounts.actor import Actor

    return Actor.for_system("cli")


@click.group("users")
def users() -> None:
    """People and their roles in partnerships (set-up without the admin)."""


@users.command("create")
@click.argument("username")
@click.option("--email", default="", help="Email address (for password reset).")
@click.option("--membership", "memberships", multiple=True, help=MEMBERSHIP_HELP)
@click.option("--staff", is_flag=True, help="May use the back office (/admin/).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, envvar="CONTINUUM_USER_PASSWORD")
def create_command(username: str, email: str, memberships: tuple[str, ...], staff: bool, password: str) -> None:
    """Create a person with a password (asked for, or CONTINUUM_USER_PASSWORD)."""
    _django()
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from continuum.apps.accounts import services

    try:
        validate_password(password)
        user = services.create_user(
            _actor(), username, password=password, email=email, memberships=_memberships(memberships), is_staff=staff
        )
    except ValidationError as exc:
        _fail(" ".join(exc.messages))
    except services.AccountError as exc:
        _fail(str(exc))
    click.echo(f"created {user.username}")


@users.command("invite")
@click.argument("username")
@click.option("--email", required=True, help="Where the link to set a password goes.")
@click.option("--membership", "memberships", multiple=True, help=MEMBERSHIP_HELP)
@click.option("--base-url", default="http://127.0.0.1:8000", show_default=True, help="The service's address.")
@click.option("--send", is_flag=True, help="Email the link too (through the configured email backend).")
def invite_command(username: str, email: str, memberships: tuple[str, ...], base_url: str, send: bool) -> None:
    """Create a person without a password, and print the link where they set one."""
    _django()
    from django.core.mail import send_mail

    from continuum.apps.accounts import services

    try:
        invitation = services.invite_user(_actor(), username, email=email, memberships=_memberships(memberships))
    except services.AccountError as exc:
        _fail(str(exc))
    link = base_url.rstrip("/") + invitation.path
    if send:
        send_mail(
            "Set your Continuum password",
            f"An account called {username} has been made for you. Set its password here (the link works once):\n\n{link}\n",
            None,
            [email],
        )
    click.echo(f"invited {username}; they set their password at:\n{link}")


@users.command("deactivate")
@click.argument("username")
def deactivate_command(username: str) -> None:
    """Stop a person signing in (their records and audit trail stay)."""
    _django()
    from continuum.apps.accounts import services

    try:
        services.deactivate_user(_actor(), username)
    except services.AccountError as exc:
        _fail(str(exc))
    click.echo(f"deactivated {username}")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_command(as_json: bool) -> None:
    """Everyone, with their roles in each partnership."""
    _django()
    from continuum.apps.accounts import services

    people = services.list_users()
    if as_json:
        click.echo(json.dumps(people, indent=2))
        return
    for person in people:
        state = "" if person["active"] else " (deactivated)"
        staff = " [staff]" if person["staff"] else ""
        roles = ", ".join(f"{m['role']} in {m['partnership']}" for m in person["memberships"]) or "no roles"
        click.echo(f"{person['username']}{staff}{state}: {roles}")


@click.command("demo")
@click.option("--reset-password", is_flag=True, help="Make up a new password for every demo account and print it.")
def demo(reset_password: bool) -> None:
    """Demo accounts, one per role per partnership (local installations only; idempotent)."""
    _django()
    from continuum.apps.accounts.demo import DemoRefusedError, ensure_demo_accounts

    try:
        result = ensure_demo_accounts(
            password=os.environ.get("CONTINUUM_DEMO_PASSWORD") or None, reset_password=reset_password
        )
    except DemoRefusedError as exc:
        _fail(str(exc))
    total = len(result.created) + len(result.existing)
    click.echo(f"demo accounts: {len(result.created)} made, {len(result.existing)} kept ({total} in all)")
    if result.password:
        click.echo(f"password of every demo account (shown once): {result.password}")
    elif result.created or reset_password:
        click.echo("password of every demo account: CONTINUUM_DEMO_PASSWORD")
    else:
        click.echo(
            "password: as printed when they were made, or CONTINUUM_DEMO_PASSWORD (--reset-password for a new one)"
        )
    for username, key in sorted(result.keys.items()):
        click.echo(f"  {username}: authenticator key {key}")
    if result.keys or result.created:
        click.echo("Roles other than practitioner need a code: the local sign-in page shows each one's current code.")
