"""The ``continuum`` command line. Output for people by default, ``--json`` for programs."""

from __future__ import annotations

import json
import logging
import sys
import textwrap
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
from continuum.frameworks.schema import fact_label

json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
framework_option = click.option("--framework", "framework_id", help="Framework id (see `continuum frameworks list`).")


def batch_option(lines: str) -> Any:
    """``--batch FILE``: JSON lines in (``lines``), one JSON result per line out."""
    return click.option(
        "--batch",
        type=click.File("r", encoding="utf-8"),
        help=f"JSON lines in ({lines}, '-' for stdin); one JSON result per line out.",
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


def _all_frameworks(ctx: click.Context) -> list[LoadedFramework]:
    try:
        return _registry(ctx).all()
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


_PROGRESS = logging.StreamHandler()
_PROGRESS.setFormatter(logging.Formatter("%(message)s"))


def _show_progress() -> None:
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
    loaded = _all_frameworks(ctx)
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
        click.echo(
            f"{row['id']:<30} {row['version']:<8} {row['levels']} levels {row['indicators']:>4} indicators  {row['name']}"
        )


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


# --- assess -----------------------------------------------------------------------------


def _text_matches(loaded: LoadedFramework, text: str) -> list[dict[str, Any]]:
    """The indicators free text selects (matches above the confidence threshold)."""
    from continuum.matching import selection_from_text

    return selection_from_text(loaded, text)


def _assess_one(registry: Registry, request: dict[str, Any]) -> dict[str, Any]:
    """Assess one request ``{"framework", "indicators", "protective", "facts", "age_years", "text"}``."""
    from continuum.engine import AssessmentInputError, assess

    framework_id = request.get("framework")
    if not isinstance(framework_id, str) or not framework_id:
        raise AssessmentInputError("'framework' (a framework id) is required")
    loaded = registry.get(framework_id)
    request = dict(request)
    matches: list[dict[str, Any]] = []
    text = request.get("text")
    if text is not None:
        if not isinstance(text, str) or not text.strip():
            raise AssessmentInputError("'text' must be a non-empty string")
        matches = _text_matches(loaded, text)
        facts_read = _facts_from_text(request, text)
        concerns = [m["indicator"] for m in matches if not m.get("protective")]
        protective = [m["indicator"] for m in matches if m.get("protective")]
        request["indicators"] = list(dict.fromkeys([*(request.get("indicators") or []), *concerns]))
        request["protective"] = list(dict.fromkeys([*(request.get("protective") or []), *protective]))
    result = assess(loaded, request)
    if text is not None:
        from continuum.matching import higher_near_misses, resolve_mode, writer_conclusion

        scores = {m["indicator"]: m for m in matches}
        for item in (*result["drivers"], *result["protective_factors"]):
            match = scores.get(item["indicator"])
            if match is not None:
                item["score"] = match["score"]
                item["matched_from_text"] = True
        considered = _also_considered(loaded, text, {m["indicator"] for m in matches})
        level = result["recommended_level"]["number"]
        mode = matches[0]["mode"] if matches else None
        result["text"] = {
            "query": text,
            "mode": mode,
            "matched": len(matches),
            "also_considered": considered,
            "check_higher": higher_near_misses(considered, matches, level, mode=mode or resolve_mode()[0]),
            "facts_read": facts_read,
            "writer_conclusion": writer_conclusion(text),
        }
    return result


def _facts_from_text(request: dict[str, Any], text: str) -> dict[str, Any]:
    """Read key facts from ``text`` into ``request`` where it does not already say them.

    A fact or age given explicitly (``--fact unborn=false``, ``--age``) always wins; what
    was read and what was used are reported for the practitioner to check.
    """
    from continuum.matching.facts import read_facts

    read = read_facts(text)
    given = request.get("facts") or {}
    if not isinstance(given, dict):  # malformed: leave it for the engine to refuse with a message
        return {**read.as_dict(), "used": []}
    used = [name for name in read.facts if name not in given]
    request["facts"] = {**{name: True for name in used}, **given}
    if read.age_years is not None and request.get("age_years") is None:
        request["age_years"] = read.age_years
        used.append("age_years")
    return {**read.as_dict(), "used": used}


def _also_considered(loaded: LoadedFramework, text: str, selected: set[str]) -> list[dict[str, Any]]:
    """Close matches that were not selected: a person must see what the words might also mean."""
    from continuum.matching import CLOSE_SHOWN, close_not_selected, match

    found = match(loaded, text, top=CLOSE_SHOWN + len(selected))["results"]
    keep = ("indicator", "text", "level", "domain", "score", "protective", "negated")
    return [{k: r.get(k) for k in keep} for r in close_not_selected(found, selected)]


def _parse_facts(values: tuple[str, ...]) -> dict[str, bool]:
    facts: dict[str, bool] = {}
    for value in values:
        name, _, flag = value.partition("=")
        if flag and flag.lower() not in {"true", "false", "yes", "no"}:
            raise click.BadParameter(f"{value!r}: use NAME or NAME=true/false", param_hint="--fact")
        facts[name.strip()] = flag.lower() not in {"false", "no"}
    return facts


@main.command("assess")
@framework_option
@click.option("--indicator", "indicators", multiple=True, help="An indicator id; repeat for several.")
@click.option("--protective", multiple=True, help="A protective factor's indicator id; repeat for several.")
@click.option("--fact", "facts", multiple=True, help="A key fact, e.g. --fact non_mobile or --fact unborn=false.")
@click.option("--age", "age_years", type=click.FloatRange(0, 25), help="The child's age in years.")
@click.option("--text", help="The worry in your own words; matched indicators become the selection.")
@json_option
@batch_option("one request per line")
@click.pass_context
def assess_command(
    ctx: click.Context,
    framework_id: str | None,
    indicators: tuple[str, ...],
    protective: tuple[str, ...],
    facts: tuple[str, ...],
    age_years: float | None,
    text: str | None,
    as_json: bool,
    batch: Any,
) -> None:
    """Recommend a level of need from indicators, facts and/or free text."""
    _show_progress()
    from continuum.engine import AssessmentInputError

    registry = _registry(ctx)
    if batch is not None:
        sys.exit(_run_batch(batch, lambda request: _assess_one(registry, request)))
    if not framework_id:
        _fail("--framework is required (see `continuum frameworks list`)")
    if not indicators and not protective and not text and not facts:
        _fail("give at least one --indicator, --protective, --fact or --text")
    request = {
        "framework": framework_id,
        "indicators": list(indicators),
        "protective": list(protective),
        "facts": _parse_facts(facts),
        "age_years": age_years,
    }
    if text is not None:
        request["text"] = text
    try:
        result = _assess_one(registry, request)
    except (AssessmentInputError, LookupError) as exc:
        _fail(str(exc.args[0]) if exc.args else str(exc))
    except FrameworkError as exc:
        _fail(f"framework {framework_id!r} is invalid; run `continuum frameworks validate`:\n{exc}")
    except ImportError as exc:
        _fail(f"free-text matching is not available: {exc}")
    if as_json:
        _echo_json(result)
    else:
        click.echo(render_recommendation(result))


def _run_batch(stream: Any, handle: Any) -> int:
    """Run ``handle`` on each JSON line; print one result per line with ``elapsed_ms``.

    A bad line yields ``{"line": N, "error": "..."}`` and the rest still run; the exit
    code is 1 if any line failed.
    """
    import time

    from continuum.engine import AssessmentInputError

    failed = 0
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        started = time.perf_counter()
        try:
            request = json.loads(raw)
            if not isinstance(request, dict):
                raise AssessmentInputError("each line must be a JSON object")
            result = handle(request)
        except json.JSONDecodeError as exc:
            result, failed = {"line": number, "error": f"not valid JSON: {exc.msg} at column {exc.colno}"}, failed + 1
        except (AssessmentInputError, LookupError, ImportError) as exc:
            result, failed = {"line": number, "error": str(exc.args[0]) if exc.args else str(exc)}, failed + 1
        except FrameworkError as exc:
            result, failed = {"line": number, "error": f"invalid framework: {exc}"}, failed + 1
        result["elapsed_ms"] = round((time.perf_counter() - started) * 1000, 3)
        click.echo(json.dumps(result, ensure_ascii=False))
    return 1 if failed else 0


def _lines(source: dict[str, Any] | None) -> str:
    if not source:
        return ""
    lines = source["lines"]
    if len(lines) > 1 and lines == list(range(lines[0], lines[-1] + 1)):
        return f" (source lines {lines[0]}–{lines[-1]})"
    return f" (source line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))})"


def _contact_line(contact: dict[str, Any]) -> str:
    parts = [contact["name"]]
    for key in ("phone", "email", "hours"):
        if contact.get(key):
            parts.append(contact[key])
    line = " — ".join(parts)
    ooh = contact.get("out_of_hours")
    if ooh:
        extra = ", ".join(v for v in (ooh.get("phone"), ooh.get("hours")) if v)
        line += f"\n      out of hours: {ooh['name']}" + (f" — {extra}" if extra else "")
    return line


def render_recommendation(result: dict[str, Any]) -> str:
    """The recommendation as text for a person: danger first, then level, why, what to do."""
    fw = result["framework"]
    out = [f"{fw['name']}", f"framework {fw['id']} {fw['version']} ({fw['hash'][:19]}…)", ""]
    danger = result["immediate_danger"]
    if danger["applies"]:
        out += ["!! IMMEDIATE DANGER — act now, before anything else:", f"   {danger['text']}"]
        out += [f"   - {a}" for a in danger["actions"]]
        out.append("")
    else:
        actions = " ".join(a if a.rstrip().endswith((".", "!", "?")) else f"{a}." for a in danger["actions"])
        out += [f"If a child is in immediate danger: {actions}", ""]
    level = result["recommended_level"]
    out.append(f"Recommended level: {level['number']} — {level['name']}  [{', '.join(level['tiers'])}]")
    out.append(f"   {level['description']}")
    out.append(f"   tier: {level['tier_basis']}")
    higher = (result.get("text") or {}).get("check_higher") or []
    if higher:
        out += ["", "Check before you act: your words came nearly as close to a concern at a higher level:"]
        out += [
            f"   ^ Level {h['level']}: {h['text']} [match {h['score']:.2f}] (--indicator {h['indicator']})"
            for h in higher
        ]
        out.append(f"   If one fits, the level is at least {max(h['level'] for h in higher)}: add it and assess again.")
    return "\n".join(out + _render_why(result) + _render_what_to_do(result))


def _render_why(result: dict[str, Any]) -> list[str]:
    out = ["", "Why:"]
    if not result["drivers"] and not result["rules_fired"]:
        out.append("   no concern selected")
    for driver in result["drivers"]:
        score = f" [match {driver['score']:.2f}]" if "score" in driver else ""
        out.append(
            f"   - Level {driver['level']}: {driver['text']}{score} — {driver['domain_name']}{_lines(driver['source'])}"
        )
    for rule in result["rules_fired"]:
        out.append(f"   - Rule: {rule['name']} → {rule['outcome']}{_lines(rule['source'])}")
    for prompt in result["prompts"]:
        out.append(f"   ? Consider level {prompt['consider']}: {prompt['prompt']}")
    facts_read = (result.get("text") or {}).get("facts_read") or {}
    if facts_read.get("used") or facts_read.get("note"):
        out += ["", "Read from your words — check them (give --fact NAME=false or --age to correct):"]
        for name in facts_read.get("used", []):
            value = (
                f"age {facts_read['age_years']:g} years" if name == "age_years" else f"{fact_label(name)[0]} ({name})"
            )
            out.append(f'   * {value} ("{facts_read["evidence"][name]}")')
        if facts_read.get("note"):
            out.append(f"   * {facts_read['note']}")
    conclusion = (result.get("text") or {}).get("writer_conclusion")
    if conclusion:
        out += [
            "",
            f'You concluded "{conclusion}": a concern had to match your words more clearly to be selected.',
        ]
    shown = {h["indicator"] for h in (result.get("text") or {}).get("check_higher") or []}
    considered = [c for c in (result.get("text") or {}).get("also_considered") or [] if c["indicator"] not in shown]
    if considered:
        out += ["", "Matched from your words — check them. Also close, not selected (would any fit better?):"]
        for item in considered:
            kind = "strength" if item.get("protective") else f"Level {item['level']}"
            flag = " (you said this is not the case)" if item.get("negated") else ""
            out.append(f"   ~ {kind}: {item['text']} [match {item['score']:.2f}]{flag}")
    if result["protective_factors"]:
        out += ["", "Protective factors (reported; they never lower the level):"]
        out += [f"   + {p['text']}{_lines(p['source'])}" for p in result["protective_factors"]]
    if result["unanswered"]:
        out += ["", "Not yet answered: " + "; ".join(u["name"] for u in result["unanswered"])]
    return out


def _render_what_to_do(result: dict[str, Any]) -> list[str]:
    out = ["", "What to do now:"]
    out += [f"   - {a}" for a in result["actions"]] or ["   (the document gives no actions for this level)"]
    if result["assessment"]:
        out.append(f"   Assessment: {result['assessment']}")
    if result["lead"]:
        out.append(f"   Who leads: {result['lead']}")
    if result["contacts"]:
        out.append("   Contacts:")
        out += [f"    - {_contact_line(c)}" for c in result["contacts"]]
    consent = result["consent"]
    if consent:
        out.append(f"   Consent ({consent['rule']}): {consent['summary']}")
        for exception in consent.get("exceptions", []):
            context = f"{exception['context']} " if exception.get("context") else ""
            out.append(f"    ! {context}{exception['text']}{_lines(exception['source'])}")
    if result["timescales"]:
        out.append("   Timescales:")
        for t in result["timescales"]:
            within = t.get("within")
            when = f"within {within['value']:g} {within['unit']}" if within else "as stated"
            out.append(f"    - {t['what']}: {when} — “{t['text']}”")
    return out


# --- match ------------------------------------------------------------------------------


def _match_one(registry: Registry, request: dict[str, Any], top: int) -> dict[str, Any]:
    from continuum.engine import AssessmentInputError
    from continuum.matching import match

    framework_id, text = request.get("framework"), request.get("text")
    if not isinstance(framework_id, str) or not framework_id:
        raise AssessmentInputError("'framework' (a framework id) is required")
    if not isinstance(text, str) or not text.strip():
        raise AssessmentInputError("'text' must be a non-empty string")
    k = request.get("top", top)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise AssessmentInputError("'top' must be a positive whole number")
    return match(registry.get(framework_id), text, top=k)


@main.command("match")
@click.argument("text", required=False)
@framework_option
@click.option("--top", type=click.IntRange(1, 100), default=5, show_default=True, help="How many results.")
@json_option
@batch_option('{"framework": ..., "text": ...} per line')
@click.pass_context
def match_command(
    ctx: click.Context, text: str | None, framework_id: str | None, top: int, as_json: bool, batch: Any
) -> None:
    """Find the indicators that free text describes, best first."""
    _show_progress()
    from continuum.engine import AssessmentInputError

    registry = _registry(ctx)
    if batch is not None:
        sys.exit(_run_batch(batch, lambda request: _match_one(registry, request, top)))
    if not framework_id:
        _fail("--framework is required (see `continuum frameworks list`)")
    if not text or not text.strip():
        _fail('give the worry in words, e.g. continuum match --framework ID "he has been sofa surfing"')
    try:
        result = _match_one(registry, {"framework": framework_id, "text": text}, top)
    except (AssessmentInputError, LookupError) as exc:
        _fail(str(exc.args[0]) if exc.args else str(exc))
    except FrameworkError as exc:
        _fail(f"framework {framework_id!r} is invalid; run `continuum frameworks validate`:\n{exc}")
    except ImportError as exc:
        _fail(f"free-text matching is not available: {exc}")
    if as_json:
        _echo_json(result)
        return
    click.echo(f"{result['framework']}: {len(result['results'])} match(es) [{result.get('mode', '?')} mode]")
    for rank, item in enumerate(result["results"], start=1):
        kind = "protective" if item.get("protective") else f"level {item['level']}"
        flag = "  (negated: not a concern)" if item.get("negated") else ""
        click.echo(
            f"{rank:>2}. {item['score']:.3f}  [{kind}, {item['domain']}] {item['indicator']}: {item['text']}{flag}"
        )


# --- serve ------------------------------------------------------------------------------


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
def serve_command(host: str, port: int) -> None:
    """Start the web service (migrates its database first)."""
    try:
        from continuum.web.serve import serve
    except ImportError as exc:
        _fail(f"the web service is not installed ({exc}); run `make run`")
    serve(host=host, port=port)


# --- versions ---------------------------------------------------------------------------


@frameworks.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@json_option
def frameworks_diff(old: Path, new: Path, as_json: bool) -> None:
    """What changed from framework file OLD to NEW: levels, indicators, rules, contacts, timescales."""
    from continuum.frameworks.diff import describe, diff

    try:
        before, after = load_framework(old), load_framework(new)
    except FrameworkError as exc:
        _fail(f"cannot compare: a framework file is invalid:\n{exc}")
    changes = diff(before.framework, after.framework)
    if as_json:
        _echo_json(
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


@main.command("replay")
@click.argument("stored", type=click.File("r", encoding="utf-8"))
@json_option
@click.pass_context
def replay_command(ctx: click.Context, stored: Any, as_json: bool) -> None:
    """Re-run a stored recommendation (an `assess --json` output) under the current framework."""
    from continuum.engine import AssessmentInputError
    from continuum.engine.replay import replay

    try:
        before = json.load(stored)
        framework_id = before["framework"]["id"]
        stored_input = before["input"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        _fail(f"{stored.name} is not a stored recommendation (the output of `continuum assess --json`): {exc}")
    loaded = _get_framework(ctx, framework_id)
    try:
        outcome = replay(loaded, stored_input, before)
    except AssessmentInputError as exc:
        _fail(str(exc))
    if as_json:
        _echo_json(outcome)
        return
    old, new = before["framework"], outcome["result"]["framework"]
    click.echo(
        f"replayed {framework_id} {old['version']} ({old['hash'][:19]}…) under {new['version']} ({new['hash'][:19]}…)"
    )
    if outcome["same"]:
        click.echo("no difference")
    for change in outcome["changes"]:
        click.echo(f" - {change['change']}")


@frameworks.command("crosswalk")
@json_option
@click.pass_context
def frameworks_crosswalk(ctx: click.Context, as_json: bool) -> None:
    """Every framework's levels side by side on the common tiers."""
    from continuum.frameworks.schema import Tier

    loaded = _all_frameworks(ctx)
    table = {
        tier.value: {
            f.id: [
                {"number": level.number, "name": level.name, "spans": [t.value for t in level.tiers]}
                for level in f.framework.levels
                if tier in level.tiers
            ]
            for f in loaded
        }
        for tier in Tier
    }
    if as_json:
        _echo_json({"frameworks": [f.id for f in loaded], "tiers": table})
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
