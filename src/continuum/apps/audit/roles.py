"""``continuum db``: run migrations as the database owner and give the service's role its privileges.

PostgreSQL deployments use two roles (ADR 0020, docs/deployment.md): the **owner**
(``MIGRATION_DATABASE_URL``) owns every table and runs migrations; the **service's role**
(``DATABASE_URL``) reads and writes the ordinary tables but may only INSERT into and SELECT from
the audit, so the running service can neither change nor remove an event, nor drop the
triggers that refuse it. ``continuum db migrate`` migrates as the owner and then grants the
service's role; ``continuum db grant-app-role --role NAME`` grants only.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn
from urllib.parse import unquote, urlsplit

import click

EXIT_ERROR = 2


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _as_owner() -> str:
    """Set Django up connected as the owner; returns the service's role from ``DATABASE_URL`` ('' if none)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "continuum.web.settings.base")
    from django.core.exceptions import ImproperlyConfigured

    # Not through the settings module: importing it here would fix DATABASE_URL before the swap.
    app_url = os.environ.get("DATABASE_URL", "")
    owner_url = os.environ.get("MIGRATION_DATABASE_URL", "")
    try:
        app_role = unquote(urlsplit(app_url).username or "") if app_url.startswith("postgres") else ""
    except ValueError as exc:
        _fail(f"DATABASE_URL is not a database address Continuum can use ({exc})")
    if owner_url:
        os.environ["DATABASE_URL"] = owner_url  # this process acts as the owner
    import django

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        _fail(f"the configuration is not usable: {exc}")
    return app_role


def grant_app_role(role: str) -> list[str]:
    """Give ``role`` the service's privileges, connected as the owner; returns the statements run."""
    from django.conf import settings
    from django.db import connection, transaction

    from continuum.apps.audit import database

    if connection.vendor != "postgresql":
        raise click.ClickException("database roles are a PostgreSQL matter: SQLite has none (docs/deployment.md)")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema()")
        owner, schema = cursor.fetchone()
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
        found = cursor.fetchone()
        if found is None:
            raise click.ClickException(f"there is no role {role!r}: create it first (CREATE ROLE {role} LOGIN ...)")
        if role == owner:
            raise click.ClickException(
                f"{role!r} is the role this command is connected as (the owner): the service needs its own role"
            )
        if found[0]:
            raise click.ClickException(f"{role!r} is a superuser: no privilege can be withheld from it")
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = %s", [database.AUDIT_TABLE])
        table = cursor.fetchone()
        if table is None:
            raise click.ClickException("the audit table does not exist yet: migrate first (`continuum db migrate`)")
        if table[0] == role:
            raise click.ClickException(f"{role!r} owns the audit table: migrations must run as another role")
        # The trim function's floor is the access-log retention as configured now.
        cursor.execute(database.trim_function_sql(settings.CONTINUUM_RETENTION["access_log_days"]))
        statements = database.grant_app_role_sql(role, owner, schema)
        for statement in statements:
            cursor.execute(statement)
        return [statement.as_string(cursor.connection) for statement in statements]


@click.group("db")
def db() -> None:
    """The database's two roles: the owner migrates, the service appends to the audit and no more."""


@db.command("grant-app-role")
@click.option("--role", required=True, help="The service's PostgreSQL role (the user of DATABASE_URL).")
@click.option("--show", is_flag=True, help="Print the statements run.")
def grant_app_role_command(role: str, show: bool) -> None:
    """Grant the service's role its privileges (run as the owner: MIGRATION_DATABASE_URL, else DATABASE_URL)."""
    _as_owner()
    from django.db import DatabaseError

    try:
        statements = grant_app_role(role)
    except DatabaseError as exc:
        _fail(f"cannot grant {role!r} its privileges: {str(exc).strip()}")
    if show:
        for statement in statements:
            click.echo(f"{statement};")
    click.echo(f"{role} may read and write the service's tables, and only append to and read the audit.")


@db.command("migrate")
def migrate_command() -> None:
    """Migrate as the owner (MIGRATION_DATABASE_URL), then grant the role of DATABASE_URL its privileges."""
    app_role = _as_owner()
    from django.core.management import call_command
    from django.db import DatabaseError, connection

    try:
        call_command("migrate", interactive=False, verbosity=1)
    except DatabaseError as exc:
        _fail(f"cannot migrate the {connection.vendor} database: {str(exc).strip()}")
    if connection.vendor != "postgresql":
        click.echo("SQLite: one file, no roles; nothing to grant.")
        return
    owner = connection.settings_dict.get("USER") or ""
    if not app_role or app_role == owner:
        click.echo(
            "The service's role is the owner (DATABASE_URL and MIGRATION_DATABASE_URL name the same user): "
            "nothing granted. Give the service its own role (docs/deployment.md)."
        )
        return
    try:
        grant_app_role(app_role)
    except DatabaseError as exc:
        _fail(f"cannot grant {app_role!r} its privileges: {str(exc).strip()}")
    click.echo(f"Migrated as {owner}; {app_role} may read and write the service's tables and only append to the audit.")
