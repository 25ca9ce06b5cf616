"""The ``continuum`` command line. Output for people by default, ``--json`` for programs.

The group and what every command shares live here: the options, ``_fail`` and the one
mapping from domain errors to messages (:func:`user_error`). The commands live by topic in
``frameworks.py`` and ``assess.py``; text rendering in ``render.py``.

To add a command group (``users``, ``demo``, ``audit``, ``calendar``, ...): define it with
``@click.group()`` in its own module and register it below with one line,
``main.add_command(module.group)``. Import Django only inside the command, so that the core
commands run without it.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from continuum.frameworks import FrameworkError, LoadedFramework, Registry

FC = TypeVar("FC", bound=Callable[..., Any])


def json_option(f: FC) -> FC:
    """``--json``: machine-readable output."""
    return click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")(f)


def framework_option(f: FC) -> FC:
    """``--framework ID``."""
    return click.option("--framework", "framework_id", help="Framework id (see `continuum frameworks list`).")(f)


def batch_option(lines: str) -> Any:
    """``--batch FILE``: JSON lines in (``lines``), one JSON result per line out."""
    return click.option(
        "--batch",
        type=click.File("r", encoding="utf-8"),
        help=f"JSON lines in ({lines}, '-' for stdin); one JSON result per line out.",
    )


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code`` (2: bad usage or input)."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def user_error(exc: BaseException, framework_id: str | None = None) -> str | None:
    """The message a person sees for ``exc``, or None if it is not an expected error (a bug).

    The one place that maps domain errors to words, for single commands and batch lines alike.
    """
    from continuum.engine import AssessmentInputError

    if isinstance(exc, FrameworkError):
        which = f"framework {framework_id!r} is invalid" if framework_id else "a framework file is invalid"
        return f"{which}; run `continuum frameworks validate`:\n{exc}"
    if isinstance(exc, ImportError):
        return f"free-text matching is not available: {exc}"
    if isinstance(exc, (AssessmentInputError, LookupError)):
        return str(exc.args[0]) if exc.args else str(exc)
    return None


def registry_of(ctx: click.Context) -> Registry:
    registry: Registry = ctx.obj["registry"]
    return registry


def get_framework(ctx: click.Context, framework_id: str) -> LoadedFramework:
    """The framework ``framework_id``, or exit with a message saying why it cannot be had."""
    try:
        return registry_of(ctx).get(framework_id)
    except (LookupError, FrameworkError) as exc:
        fail(user_error(exc) or str(exc))


def all_frameworks(ctx: click.Context) -> list[LoadedFramework]:
    try:
        return registry_of(ctx).all()
    except FrameworkError as exc:
        fail(user_error(exc) or str(exc))


_PROGRESS = logging.StreamHandler()
_PROGRESS.setFormatter(logging.Formatter("%(message)s"))


def show_progress() -> None:
    """Long first-use steps of matching (embedding a framework's texts) say so on stderr.

    For the commands that match; stdout stays clean for ``--json``. ``serve`` logs through
    the service's own logging configuration instead.
    """
    _PROGRESS.setStream(sys.stderr)
    logger = logging.getLogger("continuum.matching")
    if _PROGRESS not in logger.handlers:
        logger.addHandler(_PROGRESS)
        logger.setLevel(logging.INFO)
        logger.propagate = False


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--frameworks-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="CONTINUUM_FRAMEWORKS_DIR",
    help="Directory of framework folders (default: the repository's frameworks/).",
)
@click.pass_context
def main(ctx: click.Context, frameworks_dir: Path | None) -> None:
    """Continuum: executable threshold documents for safeguarding partnerships."""
    ctx.ensure_object(dict)
    ctx.obj["registry"] = Registry(frameworks_dir)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    envvar="WEB_WORKERS",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes: 1 is waitress in one process; more is gunicorn's workers (set CACHE_URL to Redis).",
)
def serve_command(host: str, port: int, workers: int) -> None:
    """Start the web service (migrates its database first)."""
    try:
        from continuum.web.serve import serve
    except ImportError as exc:
        fail(f"the web service is not installed ({exc}); run `make run`")
    serve(host=host, port=port, workers=workers)


@main.command("worker")
@click.option("--batch", is_flag=True, help="Run the jobs that are due now, then stop.")
@click.option(
    "--interval", default=1.0, show_default=True, type=click.FloatRange(0.1, 60), help="Seconds between polls."
)
def worker_command(batch: bool, interval: float) -> None:
    """Run the job worker: reminders, escalations, maintenance. `continuum serve` starts one itself."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "continuum.web.settings.base")
    try:
        import django

        django.setup()
        from continuum.apps.jobs.worker import run
    except ImportError as exc:
        fail(f"the web service is not installed ({exc}); run `make run`")
    run(batch=batch, interval=interval)


# Command modules import the helpers above, so they are imported after them.
# One line per command or group: main.add_command(module.command).
from continuum.apps.accounts.cli import demo, users  # noqa: E402
from continuum.apps.api.cli import token  # noqa: E402
from continuum.apps.audit.cli import audit  # noqa: E402
from continuum.apps.audit.roles import db  # noqa: E402
from continuum.apps.referrals.cli import referrals  # noqa: E402
from continuum.cli.assess import assess_command, match_command, replay_command  # noqa: E402
from continuum.cli.calendar import calendar  # noqa: E402
from continuum.cli.frameworks import frameworks  # noqa: E402
from continuum.cli.render import render_recommendation  # noqa: E402

main.add_command(frameworks)
main.add_command(assess_command)
main.add_command(match_command)
main.add_command(replay_command)
main.add_command(calendar)
main.add_command(audit)
main.add_command(db)
main.add_command(referrals)
main.add_command(users)
users.add_command(token)  # continuum users token create|revoke|list (the API app owns tokens)
main.add_command(demo)

__all__ = ["main", "render_recommendation"]
