"""The ``continuum`` command line. Output for people by default, ``--json`` for programs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from continuum.frameworks.loader import (
    FrameworkError,
    LoadedFramework,
    Problem,
    Registry,
    framework_paths,
    frameworks_dir,
    load_framework,
)


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _registry(ctx: click.Context) -> Registry:
    registry: Registry = ctx.obj["registry"]
    return registry


def _get_framework(ctx: click.Context, framework_id: str) -> LoadedFramework:
    try:
        return _registry(ctx).get(framework_id)
    except LookupError as exc:
        _fail(str(exc.args[0]))
    except FrameworkError as exc:
        _fail(f"a framework file is invalid; run `continuum frameworks validate`:\n{exc}")
    raise AssertionError("unreachable")


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


@main.group()
def frameworks() -> None:
    """List, validate, show and compare frameworks."""


@frameworks.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_context
def frameworks_validate(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Validate framework files (default: every framework). Exit 1 if any is invalid."""
    targets = list(paths) or list(framework_paths(_registry(ctx).directory))
    if not targets:
        _fail(f"no framework files found in {_registry(ctx).directory}")
    problems: list[Problem] = []
    for path in targets:
        try:
            loaded = load_framework(path)
        except FrameworkError as exc:
            problems.extend(exc.problems)
            click.echo(f"INVALID {path}: {len(exc.problems)} problem(s)", err=True)
            continue
        fw = loaded.framework
        click.echo(
            f"ok {loaded.path}: {fw.id} {fw.version}, {len(fw.levels)} levels, "
            f"{len(fw.indicators)} indicators, {len(fw.rules)} rules, {len(fw.vignettes)} vignettes"
        )
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        sys.exit(1)


@frameworks.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def frameworks_list(ctx: click.Context, as_json: bool) -> None:
    """List the frameworks that are loaded."""
    try:
        loaded = _registry(ctx).all()
    except FrameworkError as exc:
        _fail(f"a framework file is invalid; run `continuum frameworks validate`:\n{exc}")
    rows = [
        {
            "id": f.id,
            "name": f.framework.name,
            "version": f.framework.version,
            "hash": f.content_hash,
            "levels": len(f.framework.levels),
            "indicators": len(f.framework.indicators),
        }
        for f in loaded
    ]
    if as_json:
        _echo_json(rows)
        return
    if not rows:
        click.echo(f"no frameworks in {frameworks_dir()}")
    for row in rows:
        click.echo(f"{row['id']:<30} {row['version']:<8} {row['levels']} levels {row['indicators']:>4} indicators  {row['name']}")


@frameworks.command("show")
@click.argument("framework_id")
@click.option("--json", "as_json", is_flag=True, help="The whole framework as JSON.")
@click.pass_context
def frameworks_show(ctx: click.Context, framework_id: str, as_json: bool) -> None:
    """Show one framework: its levels, domains and counts (or all of it with --json)."""
    loaded = _get_framework(ctx, framework_id)
    fw = loaded.framework
    if as_json:
        data = fw.model_dump(mode="json", by_alias=True, exclude_none=True)
        data["hash"] = loaded.content_hash
        _echo_json(data)
        return
    click.echo(f"{fw.name}\n{fw.id} version {fw.version}  {loaded.content_hash}")
    click.echo(f"source: {fw.source.title} ({fw.source.document})")
    click.echo("\nLevels:")
    for level in fw.levels:
        count = sum(1 for i in fw.indicators if i.level == level.number and not i.protective)
        tiers = ", ".join(t.value for t in level.tiers)
        click.echo(f"  {level.number}  {level.name}  [{tiers}]  {count} indicators")
    click.echo("\nDomains:")
    for domain in fw.domains:
        count = sum(1 for i in fw.indicators if i.domain == domain.id)
        click.echo(f"  {domain.id:<24} {domain.name}  ({count})")
    protective = sum(1 for i in fw.indicators if i.protective)
    click.echo(
        f"\n{len(fw.indicators)} indicators ({protective} protective), {len(fw.rules)} rules, "
        f"{len(fw.contacts)} contacts, {len(fw.vignettes)} vignettes, {len(fw.notes)} notes on the document"
    )
