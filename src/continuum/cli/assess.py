"""``continuum assess``, ``match`` and ``replay``, one at a time or a batch of JSON lines."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Mapping
from typing import IO, Any

import click

from continuum.cli import (
    batch_option,
    echo_json,
    fail,
    framework_option,
    get_framework,
    json_option,
    registry_of,
    show_progress,
    user_error,
)
from continuum.cli.render import render_recommendation
from continuum.frameworks import Registry


def _assess_one(registry: Registry, request: dict[str, Any]) -> Mapping[str, Any]:
    """Assess one request ``{"framework", "indicators", "protective", "facts", "age_years", "text"}``."""
    from continuum.engine import AssessmentInputError, assess

    framework_id = request.get("framework")
    if not isinstance(framework_id, str) or not framework_id:
        raise AssessmentInputError("'framework' (a framework id) is required")
    loaded = registry.get(framework_id)
    text = request.get("text")
    if text is None:
        return assess(loaded, request)
    from continuum.assess_text import assess_text

    return assess_text(loaded, text, selection=request)


def _parse_facts(values: tuple[str, ...]) -> dict[str, bool]:
    facts: dict[str, bool] = {}
    for value in values:
        name, _, flag = value.partition("=")
        if flag and flag.lower() not in {"true", "false", "yes", "no"}:
            raise click.BadParameter(f"{value!r}: use NAME or NAME=true/false", param_hint="--fact")
        facts[name.strip()] = flag.lower() not in {"false", "no"}
    return facts


def _run_one(handle: Callable[[dict[str, Any]], Mapping[str, Any]], request: dict[str, Any]) -> Mapping[str, Any]:
    """``handle(request)``, or exit with the message for an expected error."""
    try:
        return handle(request)
    except Exception as exc:
        message = user_error(exc, request.get("framework"))
        if message is None:
            raise
        fail(message)


def _run_batch(stream: IO[str], handle: Callable[[dict[str, Any]], Mapping[str, Any]]) -> int:
    """Run ``handle`` on each JSON line; print one result per line with ``elapsed_ms``.

    A bad line yields ``{"line": N, "error": "..."}`` and the rest still run; the exit
    code is 1 if any line failed.
    """
    failed = 0
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        started = time.perf_counter()
        result: dict[str, Any]
        try:
            request = json.loads(raw)
        except json.JSONDecodeError as exc:
            result, failed = {"line": number, "error": f"not valid JSON: {exc.msg} at column {exc.colno}"}, failed + 1
        else:
            try:
                if not isinstance(request, dict):
                    from continuum.engine import AssessmentInputError

                    raise AssessmentInputError("each line must be a JSON object")
                result = dict(handle(request))
            except Exception as exc:
                message = user_error(exc, request.get("framework") if isinstance(request, dict) else None)
                if message is None:
                    raise
                result, failed = {"line": number, "error": message}, failed + 1
        result["elapsed_ms"] = round((time.perf_counter() - started) * 1000, 3)
        click.echo(json.dumps(result, ensure_ascii=False))
    return 1 if failed else 0


@click.command("assess")
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
    batch: IO[str] | None,
) -> None:
    """Recommend a level of need from indicators, facts and/or free text."""
    show_progress()
    registry = registry_of(ctx)
    if batch is not None:
        sys.exit(_run_batch(batch, lambda request: _assess_one(registry, request)))
    if not framework_id:
        fail("--framework is required (see `continuum frameworks list`)")
    if not indicators and not protective and not text and not facts:
        fail("give at least one --indicator, --protective, --fact or --text")
    request: dict[str, Any] = {
        "framework": framework_id,
        "indicators": list(indicators),
        "protective": list(protective),
        "facts": _parse_facts(facts),
        "age_years": age_years,
    }
    if text is not None:
        request["text"] = text
    result = _run_one(lambda r: _assess_one(registry, r), request)
    if as_json:
        echo_json(result)
    else:
        click.echo(render_recommendation(result))


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


@click.command("match")
@click.argument("text", required=False)
@framework_option
@click.option("--top", type=click.IntRange(1, 100), default=5, show_default=True, help="How many results.")
@json_option
@batch_option('{"framework": ..., "text": ...} per line')
@click.pass_context
def match_command(
    ctx: click.Context, text: str | None, framework_id: str | None, top: int, as_json: bool, batch: IO[str] | None
) -> None:
    """Find the indicators that free text describes, best first."""
    show_progress()
    registry = registry_of(ctx)
    if batch is not None:
        sys.exit(_run_batch(batch, lambda request: _match_one(registry, request, top)))
    if not framework_id:
        fail("--framework is required (see `continuum frameworks list`)")
    if not text or not text.strip():
        fail('give the worry in words, e.g. continuum match --framework ID "he has been sofa surfing"')
    result = _run_one(lambda r: _match_one(registry, r, top), {"framework": framework_id, "text": text})
    if as_json:
        echo_json(result)
        return
    click.echo(f"{result['framework']}: {len(result['results'])} match(es) [{result.get('mode', '?')} mode]")
    for rank, item in enumerate(result["results"], start=1):
        kind = "protective" if item.get("protective") else f"level {item['level']}"
        flag = "  (negated: not a concern)" if item.get("negated") else ""
        click.echo(
            f"{rank:>2}. {item['score']:.3f}  [{kind}, {item['domain']}] {item['indicator']}: {item['text']}{flag}"
        )


@click.command("replay")
@click.argument("stored", type=click.File("r", encoding="utf-8"))
@json_option
@click.pass_context
def replay_command(ctx: click.Context, stored: IO[str], as_json: bool) -> None:
    """Re-run a stored recommendation (an `assess --json` output) under the current framework."""
    from continuum.engine import AssessmentInputError
    from continuum.engine.replay import replay

    try:
        before = json.load(stored)
        framework_id = before["framework"]["id"]
        stored_input = before["input"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        fail(f"{stored.name} is not a stored recommendation (the output of `continuum assess --json`): {exc}")
    loaded = get_framework(ctx, framework_id)
    try:
        outcome = replay(loaded, stored_input, before)
    except AssessmentInputError as exc:
        fail(str(exc))
    if as_json:
        echo_json(outcome)
        return
    old, new = before["framework"], outcome["result"]["framework"]
    click.echo(
        f"replayed {framework_id} {old['version']} ({old['hash'][:19]}…) under {new['version']} ({new['hash'][:19]}…)"
    )
    if outcome["same"]:
        click.echo("no difference")
    for change in outcome["changes"]:
        click.echo(f" - {change['change']}")
