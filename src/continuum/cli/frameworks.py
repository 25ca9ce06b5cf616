"""``continuum frameworks``: list, validate, show, diff and crosswalk."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import click

from continuum.cli import (
    all_frameworks,
    echo_json,
    fail,
    get_framework,
    json_option,
    registry_of,
    show_progress,
    user_error,
)
from continuum.frameworks import FrameworkError, Problem, framework_paths, load_framework


@click.group()
def frameworks() -> None:
    """List, validate, show and compare frameworks."""


@frameworks.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_context
def frameworks_validate(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Validate framework files (default: every framework). Exit 1 if any is invalid."""
    targets = list(paths) or list(framework_paths(registry_of(ctx).directory))
    if not targets:
        fail(f"no framework files found in {registry_of(ctx).directory}")
    problems: list[Problem] = []
    for path in targets:
        try:
            loaded = load_framework(path)
        except FrameworkError as exc:
            problems.extend(exc.problems)
            click.echo(f"INVALID {path}: {len(exc.problems)} problem(s)", err=True)
            continue
        fw = loaded.framework
        phrased = sum(len(p) for p in loaded.phrasings.values())
        click.echo(
            f"ok {loaded.path}: {fw.id} {fw.version}, {len(fw.levels)} levels, "
            f"{len(fw.indicators)} indicators, {len(fw.rules)} rules, {len(fw.vignettes)} vignettes, "
            f"{phrased} everyday phrasings for {len(loaded.phrasings)} indicators"
        )
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        sys.exit(1)


@frameworks.command("list")
@json_option
@click.pass_context
def frameworks_list(ctx: click.Context, as_json: bool) -> None:
    """List the frameworks that are loaded."""
    loaded = all_frameworks(ctx)
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
        echo_json(rows)
        return
    if not rows:
        click.echo(f"no frameworks in {registry_of(ctx).directory}")
    for row in rows:
        click.echo(
            f"{row['id']:<30} {row['version']:<8} {row['levels']} levels {row['indicators']:>4} indicators  {row['name']}"
        )


@frameworks.command("prepare")
@click.argument("framework_ids", nargs=-1)
@json_option
@click.pass_context
def frameworks_prepare(ctx: click.Context, framework_ids: tuple[str, ...], as_json: bool) -> None:
    """Make matching ready for every framework (or those named): build and cache its embeddings.

    Slow once per framework version (the model embeds its indicators and phrasings), then a
    check of the cache. ``make run`` runs it before serving; ``continuum serve`` also prepares
    whatever is missing before it accepts requests. A framework that does not validate is
    skipped with a warning, as the service skips it.
    """
    from continuum.matching import prepare

    if not as_json:
        show_progress()
    registry = registry_of(ctx)
    rows = []
    for framework_id in framework_ids or registry.ids():
        try:
            loaded = registry.get(framework_id)
        except FrameworkError as exc:
            if framework_ids:
                fail(user_error(exc) or str(exc))
            click.echo(f"skipped {framework_id}: it does not validate ({exc.problems[0]})", err=True)
            continue
        done = prepare(loaded)
        rows.append(
            {
                "id": done.framework,
                "version": done.version,
                "mode": done.mode,
                "source": done.source,
                "texts": done.texts,
                "seconds": round(done.seconds, 2),
            }
        )
        if not as_json:
            how = {"built": f"embedded {done.texts} texts", "lexical": "word matching only"}.get(
                done.source, f"{done.texts} embeddings from the {done.source}"
            )
            click.echo(f"ready {done.framework} {done.version}: {how} in {done.seconds:.1f} s")
    if as_json:
        echo_json(rows)


@frameworks.command("show")
@click.argument("framework_id")
@click.option("--json", "as_json", is_flag=True, help="The whole framework as JSON.")
@click.pass_context
def frameworks_show(ctx: click.Context, framework_id: str, as_json: bool) -> None:
    """Show one framework: its levels, domains and counts (or all of it with --json)."""
    loaded = get_framework(ctx, framework_id)
    fw = loaded.framework
    if as_json:
        data = fw.model_dump(mode="json", by_alias=True, exclude_none=True)
        data["hash"] = loaded.content_hash
        echo_json(data)
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


@frameworks.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@json_option
def frameworks_diff(old: Path, new: Path, as_json: bool) -> None:
    """What changed from framework file OLD to NEW: levels, indicators, rules, contacts, timescales, casework sections."""
    from continuum.frameworks.diff import describe, diff

    try:
        before, after = load_framework(old), load_framework(new)
    except FrameworkError as exc:
        fail(f"cannot compare: a framework file is invalid:\n{exc}")
    changes = diff(before.framework, after.framework)
    if as_json:
        echo_json(
            {
                "old": {"id": before.id, "version": before.framework.version, "hash": before.content_hash},
                "new": {"id": after.id, "version": after.framework.version, "hash": after.content_hash},
                "changes": changes,
            }
        )
        return
    click.echo(f"{before.id} {before.framework.version} → {after.id} {after.framework.version}")
    if before.content_hash == after.content_hash:
        click.echo("no changes: the content hashes are equal")
        return
    if before.framework.version == after.framework.version:
        click.echo("warning: the content changed but the version did not; bump `version`")
    counts: dict[str, int] = {}
    for change in changes:
        counts[change["change"]] = counts.get(change["change"], 0) + 1
        click.echo(describe(change))
    click.echo(", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "no item changed")


@frameworks.command("crosswalk")
@json_option
@click.pass_context
def frameworks_crosswalk(ctx: click.Context, as_json: bool) -> None:
    """Every framework's levels side by side on the common tiers."""
    from continuum.frameworks.crosswalk import crosswalk

    loaded = all_frameworks(ctx)
    table = crosswalk(loaded)
    if as_json:
        echo_json({"frameworks": [f.id for f in loaded], "tiers": table})
        return
    width = 34
    click.echo("tier".ljust(18) + "".join(f.id[: width - 2].ljust(width) for f in loaded))
    for tier, row in table.items():
        cells = [
            "; ".join(f"{lv['number']} {lv['name']}" + ("*" if len(lv["spans"]) > 1 else "") for lv in row[f.id]) or "—"
            for f in loaded
        ]
        wrapped = [textwrap.wrap(c, width - 2) for c in cells]
        for line in range(max(len(w) for w in wrapped)):
            label = tier if line == 0 else ""
            click.echo(label.ljust(18) + "".join((w[line] if line < len(w) else "").ljust(width) for w in wrapped))
    click.echo("\n* the level spans several tiers; its tier_split rules tell them apart")


@frameworks.command("review")
@click.argument("framework_id")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown", "html", "pdf"]),
    default="text",
    show_default=True,
    help="text for a terminal; json for programs; markdown is the framework's NOTES.md; html or pdf to print.",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write to this file (needed for pdf).")
@click.pass_context
def frameworks_review(
    ctx: click.Context, framework_id: str, output_format: str, as_json: bool, output: Path | None
) -> None:
    """A report for the partnership's safeguarding lead to sign off: every judgement call, note,
    national default and omission, with the document's lines beside the data's reading."""
    from continuum.frameworks import review

    loaded = get_framework(ctx, framework_id)
    report = review.build_review(loaded)
    output_format = "json" if as_json else output_format
    if output_format == "pdf":
        if output is None:
            fail("a PDF needs --output FILE.pdf")
        try:
            from weasyprint import HTML
        except ImportError:
            fail("PDF output needs the web extra (weasyprint): pip install -e '.[web]'")
        HTML(string=review.render_html(report)).write_pdf(str(output))
        click.echo(f"wrote {output}")
        return
    if output_format == "json":
        import json

        text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    else:
        renderers = {"text": review.render_text, "markdown": review.render_markdown, "html": review.render_html}
        text = renderers[output_format](report)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
