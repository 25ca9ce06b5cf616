"""``continuum users token create|revoke|list``: API tokens for a person's role in a partnership.

The token is printed once, when it is made; only its hash is kept. Changes are made by the
actor ``system:cli`` through :mod:`continuum.apps.api.services` (one transaction, one audit event).
"""

from __future__ import annotations

import json

import click

from continuum.apps.accounts.cli import _actor, _django, _fail


@click.group("token")
def token() -> None:
    """API tokens (bearer tokens for /api/v1/), one per person per role in a partnership."""


@token.command("create")
@click.argument("username")
@click.option(
    "--membership", required=True, help="The role the token acts in, PARTNERSHIP:ROLE (e.g. bury:practitioner)."
)
@click.option("--name", default="", help="What the token is for (e.g. the system that uses it).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def create_command(username: str, membership: str, name: str, as_json: bool) -> None:
    """Make a token for USERNAME acting in one of their roles; print it once."""
    _django()
    from continuum.apps.accounts.models import Membership
    from continuum.apps.api import services

    partnership, sep, role = membership.partition(":")
    if not sep or not partnership or not role:
        _fail(f"--membership {membership!r}: write it as PARTNERSHIP:ROLE, e.g. bury:practitioner")
    found = (
        Membership.objects.select_related("user")
        .filter(user__username=username, partnership=partnership, role=role)
        .first()
    )
    if found is None:
        _fail(f"{username} holds no role {role!r} in {partnership!r} (see `continuum users list`)")
    try:
        made = services.create_token(_actor(), found, name=name)
    except services.TokenError as exc:
        _fail(str(exc))
    if as_json:
        click.echo(json.dumps({"id": made.token.public_id, "token": made.secret}))
        return
    click.echo(f"API token {made.token.public_id} for {username} as {role} in {partnership}:")
    click.echo(made.secret)
    click.echo("It is shown only now: keep it somewhere safe. Revoke it with `continuum users token revoke ID`.")


@token.command("revoke")
@click.argument("token_id")
def revoke_command(token_id: str) -> None:
    """Revoke the token TOKEN_ID (its id, not the secret): it is refused from now on."""
    _django()
    from continuum.apps.api import services

    try:
        services.revoke_token(_actor(), token_id)
    except services.TokenError as exc:
        _fail(str(exc))
    click.echo(f"revoked {token_id}")


@token.command("list")
@click.option("--user", "username", default=None, help="Only this person's tokens.")
def list_command(username: str | None) -> None:
    """Tokens (never the secrets): id, person, role, partnership, made, last used, revoked."""
    _django()
    from continuum.apps.api.models import ApiToken

    tokens = ApiToken.objects.select_related("user", "membership").order_by("created_at")
    if username:
        tokens = tokens.filter(user__username=username)
    for t in tokens:
        state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "live"
        used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
        click.echo(
            f"{t.public_id}  {t.user.get_username()}  {t.membership.role} in {t.membership.partnership}  "
            f"made {t.created_at:%Y-%m-%d}  last used {used}  {state}  {t.name}"
        )
