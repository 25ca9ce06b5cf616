"""``frameworks review``: a report for a partnership's safeguarding lead to sign off.

It lists every place where the encoding is more than a copy of the document: the
encoders' notes (defects, contradictions, ambiguities, omissions, encoding choices), the
judgement calls (each rule's condition and effect, each level's consent reading and tier
split), every national default used where the document is silent, and every casework
field the document leaves empty ("the document does not say"). Each item shows the
document's own lines beside the data's reading, so a reviewer can agree or disagree item
by item. Rendered as text, JSON, Markdown (each framework's generated ``NOTES.md``) and a
printable HTML page (and PDF from it).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import BaseModel

from continuum.frameworks.casework import Attributed
from continuum.frameworks.loader import LoadedFramework
from continuum.frameworks.schema import Condition, Framework, SourceRef

REVIEW_VERSION = "1"

# What each casework field means, for the "the document does not say" list.
CASEWORK_FIELDS: dict[str, str] = {
    "front_door": "the front door",
    "front_door.contact": "the front door's contact",
    "front_door.referral_route": "how to refer to the front door",
    "front_door.outcomes": "the front door's outcomes",
    "front_door.grades": "RAG grades for the front door",
    "front_door.clocks.decision": "the front door's decision deadline",
    "front_door.clocks.acknowledgement": "when the referrer is told the referral was received",
    "front_door.clocks.feedback": "when the referrer is told the outcome",
    "front_door.clocks.written_follow_up": "when a phoned referral must be confirmed in writing",
    "front_door.clocks.agency_checks": "how fast partner agencies answer the front door's checks",
    "front_door.clocks.re_referral_window": "the window in which a new contact counts as a re-referral",
    "early_help": "early help",
    "early_help.assessment": "the early help assessment",
    "early_help.who_may_start": "who may start an early help assessment",
    "early_help.consent": "consent to early help",
    "early_help.team_around_the_family": "the team around the family",
    "early_help.lead_professional": "the lead professional",
    "early_help.reviews": "when early help plans are reviewed",
    "early_help.closure": "reasons for closing early help",
    "early_help.closure_text": "what the document says about closing early help",
    "early_help.step_up": "stepping up from early help to social care",
    "early_help.step_down": "stepping down from social care to early help",
    "escalation": "resolving professional disagreement",
    "escalation.procedure": "the escalation procedure",
    "escalation.stages": "the stages of escalation",
    "information_sharing": "information sharing",
    "information_sharing.without_consent": "sharing information without consent",
    "specific_risks": "pathways for specific risks",
}

_UNIT_WORDS = {
    "minutes": "minute",
    "hours": "hour",
    "working-hours": "working hour",
    "days": "day",
    "working-days": "working day",
    "weeks": "week",
    "months": "month",
}


def _cited(loaded: LoadedFramework, ref: SourceRef | None) -> list[dict[str, Any]]:
    if ref is None:
        return []
    return [{"line": n, "text": text.strip()} for n, text in loaded.cited_text(ref.lines)]


def describe_condition(condition: Condition, fw: Framework) -> str:
    """A rule's condition in words, with each indicator's text, for a reviewer."""
    texts = {i.id: i.text for i in fw.indicators}

    def named(ids: Iterable[str]) -> str:
        return "; ".join(f"{i} “{_short(texts.get(i, '?'))}”" for i in ids)

    if condition.any_of is not None:
        return f"any of: {named(condition.any_of)}"
    if condition.all_of is not None:
        return f"all of: {named(condition.all_of)}"
    if condition.at_least is not None:
        spec = condition.at_least
        what = "domains" if spec.distinct_domains else "concerns"
        filters = [
            f"at level {spec.level}" if spec.level is not None else "",
            f"at level {spec.min_level} or above" if spec.min_level is not None else "",
            f"in domains {', '.join(spec.domains)}" if spec.domains else "",
            f"tagged {', '.join(spec.tags)}" if spec.tags else "",
            f"among {named(spec.ids)}" if spec.ids else "",
        ]
        return f"at least {spec.count} {what} " + " ".join(f for f in filters if f)
    if condition.fact is not None:
        return f"the practitioner records: {condition.fact.value.replace('_', ' ')}"
    if condition.age_under is not None:
        return f"the child is under {condition.age_under:g}"
    if condition.age_at_least is not None:
        return f"the child is {condition.age_at_least:g} or older"
    if condition.any is not None:
        return "any of (" + "; or ".join(describe_condition(c, fw) for c in condition.any) + ")"
    if condition.all is not None:
        return "all of (" + "; and ".join(describe_condition(c, fw) for c in condition.all) + ")"
    assert condition.not_ is not None
    return "not (" + describe_condition(condition.not_, fw) + ")"


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _effect(rule: Any) -> str:
    then = rule.then
    parts = []
    if then.immediate_danger:
        parts.append("immediate danger: 999 first")
    if then.raise_to is not None:
        parts.append(f"the level becomes at least {then.raise_to}")
    if then.consider is not None:
        parts.append(f"prompts to consider level {then.consider}")
    if then.tier is not None:
        parts.append(f"tier {then.tier.value}")
    if then.prompt:
        parts.append(f"tells the practitioner: “{then.prompt}”")
    return "; ".join(parts)


def _within(amount: Any) -> str:
    if amount is None:
        return "no number given"
    value = f"{amount.value:g}"
    word = _UNIT_WORDS[amount.unit]
    return f"{value} {word}" + ("" if amount.value == 1 else "s")


def _nationals(value: Any, loc: str) -> Iterator[tuple[str, Attributed]]:
    if isinstance(value, Attributed) and value.national is not None:
        yield loc, value
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            child = getattr(value, name)
            if isinstance(child, BaseModel | list):
                yield from _nationals(child, f"{loc}.{name}" if loc else name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nationals(item, f"{loc}[{index}]")


def _silent(fw: Framework) -> list[dict[str, str]]:
    """Casework fields the document (and national guidance) leaves empty."""
    found = []
    for path, meaning in CASEWORK_FIELDS.items():
        value: Any = fw
        for part in path.split("."):
            value = getattr(value, part, None) if value is not None else None
        if value is None or value == []:
            section = path.split(".", 1)[0]
            if section != path and _empty_at(fw, section):
                continue  # the whole section is missing: reported once, for the section
            found.append({"field": path, "meaning": meaning})
    return found


def _empty_at(fw: Framework, path: str) -> bool:
    value: Any = fw
    for part in path.split("."):
        value = getattr(value, part, None) if value is not None else None
    return value is None or value == []


def build_review(loaded: LoadedFramework) -> dict[str, Any]:
    """The review of one framework as data (the JSON shape); the renderers below only format it."""
    fw = loaded.framework
    notes = [
        {
            "id": note.id,
            "kind": note.kind,
            "reading": note.text,
            "source": note.source.lines if note.source else [],
            "document": _cited(loaded, note.source),
        }
        for note in fw.notes
    ]
    rules = [
        {
            "id": rule.id,
            "kind": rule.kind,
            "name": rule.name,
            "condition": describe_condition(rule.when, fw),
            "effect": _effect(rule),
            "notes": list(rule.notes),
            "source": rule.source.lines,
            "document": _cited(loaded, rule.source),
        }
        for rule in fw.rules
    ]
    levels = []
    for level in fw.levels:
        entry: dict[str, Any] = {
            "number": level.number,
            "name": level.name,
            "tiers": [t.value for t in level.tiers],
            "tier_split": None,
            "consent": None,
            "notes": list(level.notes),
        }
        if level.tier_split is not None:
            entry["tier_split"] = {
                "default": level.tier_split.default.value,
                "rules": list(level.tier_split.rules),
                "document": _cited(loaded, level.tier_split.source),
            }
        if level.consent is not None:
            consent = level.consent
            entry["consent"] = {
                "rule": consent.rule,
                "parents_told_first": consent.parents_told_first,
                "summary": consent.summary,
                "exceptions": len(consent.exceptions),
                "source": consent.source.lines,
                "document": _cited(loaded, consent.source),
            }
        levels.append(entry)
    indicator_notes = [
        {"id": i.id, "level": i.level, "text": i.text, "notes": list(i.notes), "source": i.source.lines}
        for i in fw.indicators
        if i.notes
    ]
    timescales = [
        {
            "id": t.id,
            "kind": t.kind or "not classified",
            "what": t.what,
            "within": _within(t.within),
            "national": t.national is not None,
            "source": t.source.lines if t.source else [],
            "document": _cited(loaded, t.source),
        }
        for t in [*fw.timescales, *(t for level in fw.levels for t in level.timescales)]
    ]
    nationals = [
        {
            "field": loc,
            "text": getattr(item, "text", ""),
            "guidance": item.national.title if item.national else "",
            "reference": item.national.reference if item.national else "",
        }
        for loc, item in _nationals(fw, "")
    ]
    not_said = _silent(fw)
    return {
        "review_version": REVIEW_VERSION,
        "framework": {"id": fw.id, "name": fw.name, "version": fw.version, "hash": loaded.content_hash},
        "document": {"title": fw.source.title, "file": fw.source.document, "publisher": fw.source.publisher},
        "counts": {
            "levels": len(fw.levels),
            "indicators": len(fw.indicators),
            "rules": len(fw.rules),
            "vignettes": len(fw.vignettes),
            "notes": len(fw.notes),
            "national_defaults": len(nationals),
            "not_said": len(not_said),
        },
        "notes": notes,
        "rules": rules,
        "levels": levels,
        "indicator_notes": indicator_notes,
        "timescales": timescales,
        "national_defaults": nationals,
        "not_said": not_said,
        "retired_ids": list(fw.retired_ids),
    }


def _lines(lines: list[int]) -> str:
    if not lines:
        return "no lines"
    if len(lines) > 1 and lines == list(range(lines[0], lines[-1] + 1)):
        return f"lines {lines[0]}–{lines[-1]}"
    return ("line " if len(lines) == 1 else "lines ") + ", ".join(str(n) for n in lines)


def _quote_block(document: list[dict[str, Any]], limit: int = 6) -> list[str]:
    shown = [f"    {d['line']:>5}  {d['text']}" for d in document[:limit] if d["text"]]
    if len(document) > limit:
        shown.append(f"           … {len(document) - limit} more line(s)")
    return shown


def render_text(review: dict[str, Any]) -> str:
    """The review for a terminal or a plain-text email."""
    fw = review["framework"]
    out = [
        f"Review of {fw['name']}",
        f"framework {fw['id']} version {fw['version']} ({fw['hash']})",
        f"document: {review['document']['title']} ({review['document']['file']})",
        "",
        "For the partnership's safeguarding lead: each item shows the document's words beside the data's reading.",
        "Agree or disagree item by item; what you change goes into the next version of the framework.",
        "",
    ]
    return _with_sections(out, review, markdown=False)


def render_markdown(review: dict[str, Any]) -> str:
    """The review as Markdown: each framework's ``NOTES.md`` is this, generated."""
    fw = review["framework"]
    out = [
        f"# {fw['name']}: review notes",
        "",
        f"<!-- Generated by `continuum frameworks review {fw['id']} --format markdown -o frameworks/{fw['id']}/NOTES.md` (or `make notes`); do not edit by hand. "
        "Edit framework.yaml and regenerate. -->",
        "",
        f"Framework `{fw['id']}` version {fw['version']} (`{fw['hash']}`), encoded from "
        f"*{review['document']['title']}* (`{review['document']['file']}`). How to edit the encoding: `EDITING.md`.",
        "",
    ]
    return _with_sections(out, review, markdown=True)


def _with_sections(head: list[str], review: dict[str, Any], markdown: bool) -> str:
    out = list(head)
    for section in (
        _section_notes,
        _section_rules,
        _section_levels,
        _section_timescales,
        _section_nationals,
        _section_not_said,
    ):
        out += section(review, markdown=markdown)
    return "\n".join(out).rstrip() + "\n"


def _heading(title: str, markdown: bool) -> list[str]:
    return [f"## {title}", ""] if markdown else [title, "=" * len(title), ""]


def _section_notes(review: dict[str, Any], markdown: bool) -> list[str]:
    out = _heading(f"Notes on the document and the encoding ({len(review['notes'])})", markdown)
    for note in review["notes"]:
        where = _lines(note["source"])
        if markdown:
            out.append(f"- **{note['id']}** ({note['kind']}, {where}): {note['reading']}")
        else:
            out.append(f"- {note['id']} [{note['kind']}, {where}]")
            out.append(f"  data's reading: {note['reading']}")
            out += _quote_block(note["document"], limit=3)
    for item in review["indicator_notes"]:
        reading = " ".join(item["notes"])
        out.append(
            f"- {'**' + item['id'] + '**' if markdown else item['id']} (indicator, level {item['level']}, "
            f"{_lines(item['source'])}): {reading}"
        )
    return [*out, ""]


def _section_rules(review: dict[str, Any], markdown: bool) -> list[str]:
    out = _heading(f"Judgement calls: rules ({len(review['rules'])})", markdown)
    for rule in review["rules"]:
        head = f"{rule['id']} ({rule['kind']}, {_lines(rule['source'])}): {rule['name']}"
        out.append(f"- **{head}**" if markdown else f"- {head}")
        out.append(f"  - when {rule['condition']}" if markdown else f"  when {rule['condition']}")
        out.append(f"  - then {rule['effect']}" if markdown else f"  then {rule['effect']}")
        for note in rule["notes"]:
            out.append(f"  - note: {note}" if markdown else f"  note: {note}")
        if not markdown:
            out += _quote_block(rule["document"], limit=3)
    return [*out, ""]


def _section_levels(review: dict[str, Any], markdown: bool) -> list[str]:
    out = _heading("Judgement calls: levels, tiers and consent", markdown)
    for level in review["levels"]:
        out.append(f"- Level {level['number']}, {level['name']}: tiers {', '.join(level['tiers'])}")
        if level["tier_split"]:
            split = level["tier_split"]
            rules = ", ".join(split["rules"]) or "none"
            out.append(f"  - tier by default {split['default']}; tier rules: {rules}")
        consent = level["consent"]
        if consent:
            told = {True: "parents told first", False: "parents not told first", None: "not said"}[
                consent["parents_told_first"]
            ]
            out.append(
                f"  - consent read as `{consent['rule']}` ({told}; {consent['exceptions']} exception(s), "
                f"{_lines(consent['source'])}): {consent['summary']}"
            )
        else:
            out.append("  - consent: the document says nothing at this level")
        for note in level["notes"]:
            out.append(f"  - note: {note}")
    return [*out, ""]


def _section_timescales(review: dict[str, Any], markdown: bool) -> list[str]:
    out = _heading(f"Timescales and what kind of time each is ({len(review['timescales'])})", markdown)
    out.append("Only a deadline starts a clock; thresholds, look-back windows and frequencies never do.")
    out.append("")
    for t in review["timescales"]:
        origin = "national guidance" if t["national"] else _lines(t["source"])
        out.append(f"- {t['id']}: {t['kind']}, {t['within']} — {t['what']} ({origin})")
    return [*out, ""]


def _section_nationals(review: dict[str, Any], markdown: bool) -> list[str]:
    items = review["national_defaults"]
    out = _heading(f"National defaults used where the document is silent ({len(items)})", markdown)
    if not items:
        out.append("None: every casework entry is the document's own words.")
    for item in items:
        out.append(f"- {item['field']}: “{item['text']}” — {item['guidance']}, {item['reference']}")
    if items:
        out.append("")
        out.append("These are shown to people as national guidance, never as the partnership's words.")
    return [*out, ""]


def _section_not_said(review: dict[str, Any], markdown: bool) -> list[str]:
    items = review["not_said"]
    out = _heading(f"What the document does not say ({len(items)})", markdown)
    if not items:
        out.append("Every casework field is filled.")
    for item in items:
        out.append(f"- {item['meaning']} (`{item['field']}`)" if markdown else f"- {item['meaning']} ({item['field']})")
    return [*out, ""]


def render_html(review: dict[str, Any]) -> str:
    """A printable, self-contained HTML page (A4 print styles), the source of the PDF."""
    fw = review["framework"]
    e = html.escape

    def quote(document: list[dict[str, Any]]) -> str:
        rows = "".join(
            f"<tr><td class=n>{d['line']}</td><td>{e(d['text'])}</td></tr>" for d in document[:8] if d["text"]
        )
        more = f"<tr><td></td><td>… {len(document) - 8} more line(s)</td></tr>" if len(document) > 8 else ""
        return f"<table class=quote>{rows}{more}</table>" if rows else "<p class=none>No lines cited.</p>"

    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>Review of {e(fw['name'])}</title>",
        "<style>",
        "body{font-family:Arial,Helvetica,sans-serif;font-size:11pt;line-height:1.4;margin:2em;color:#0b0c0c}",
        "h1{font-size:20pt}h2{font-size:15pt;border-bottom:2px solid #0b0c0c;margin-top:1.5em}",
        "table{border-collapse:collapse;width:100%}td,th{vertical-align:top;text-align:left;padding:4px 6px;"
        "border-bottom:1px solid #b1b4b6}th{width:45%}",
        ".quote td{border:0;padding:0 6px;font-size:9.5pt;color:#505a5f}.quote .n{width:3em;text-align:right}",
        ".kind{display:inline-block;padding:0 4px;background:#f3f2f1;font-size:9pt}.none{color:#505a5f}",
        ".sign{margin-top:2em;border:1px solid #0b0c0c;padding:1em}",
        "@page{size:A4;margin:15mm}@media print{body{margin:0}tr{break-inside:avoid}}",
        "</style></head><body>",
        f"<h1>Review of {e(fw['name'])}</h1>",
        f"<p>Framework <code>{e(fw['id'])}</code> version {e(fw['version'])} "
        f"(<code>{e(fw['hash'])}</code>), encoded from <em>{e(review['document']['title'])}</em>.</p>",
        "<p>For the partnership's safeguarding lead: each row shows the data's reading beside the document's own "
        "lines. Agree or disagree item by item.</p>",
        f"<h2>Notes on the document and the encoding ({len(review['notes'])})</h2>",
        "<table><tr><th>The data's reading</th><th>The document</th></tr>",
    ]
    for note in review["notes"]:
        parts.append(
            f"<tr><td><strong>{e(note['id'])}</strong> <span class=kind>{e(note['kind'])}</span><br>"
            f"{e(note['reading'])}</td><td>{quote(note['document'])}</td></tr>"
        )
    parts.append("</table>")
    parts.append(f"<h2>Judgement calls: rules ({len(review['rules'])})</h2>")
    parts.append("<table><tr><th>The data's reading</th><th>The document</th></tr>")
    for rule in review["rules"]:
        notes = "".join(f"<br><em>Note:</em> {e(n)}" for n in rule["notes"])
        parts.append(
            f"<tr><td><strong>{e(rule['id'])}</strong> <span class=kind>{e(rule['kind'])}</span> {e(rule['name'])}"
            f"<br>When {e(rule['condition'])}<br>Then {e(rule['effect'])}{notes}</td>"
            f"<td>{quote(rule['document'])}</td></tr>"
        )
    parts.append("</table>")
    parts.append("<h2>Judgement calls: levels, tiers and consent</h2><table>")
    parts.append("<tr><th>The data's reading</th><th>The document</th></tr>")
    for level in review["levels"]:
        consent = level["consent"]
        reading = f"<strong>Level {level['number']}, {e(level['name'])}</strong>: {e(', '.join(level['tiers']))}"
        if level["tier_split"]:
            reading += f"<br>Tier by default {e(level['tier_split']['default'])}"
        if consent:
            reading += f"<br>Consent read as <code>{e(consent['rule'])}</code>: {e(consent['summary'])}"
        parts.append(f"<tr><td>{reading}</td><td>{quote(consent['document']) if consent else ''}</td></tr>")
    parts.append("</table>")
    parts.append(f"<h2>Timescales ({len(review['timescales'])})</h2>")
    parts.append("<p>Only a deadline starts a clock.</p><table><tr><th>Timescale</th><th>The document</th></tr>")
    for t in review["timescales"]:
        origin = "<br><strong>National guidance</strong>" if t["national"] else ""
        parts.append(
            f"<tr><td><strong>{e(t['what'])}</strong><br>{e(t['kind'])}, {e(t['within'])}{origin}</td>"
            f"<td>{quote(t['document'])}</td></tr>"
        )
    parts.append("</table>")
    parts.append(f"<h2>National defaults ({len(review['national_defaults'])})</h2>")
    if review["national_defaults"]:
        parts.append("<table><tr><th>Where</th><th>National guidance</th></tr>")
        for item in review["national_defaults"]:
            parts.append(
                f"<tr><td>{e(item['field'])}</td><td>“{e(item['text'])}”<br>{e(item['guidance'])}, "
                f"{e(item['reference'])}</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append("<p class=none>None.</p>")
    parts.append(f"<h2>What the document does not say ({len(review['not_said'])})</h2><ul>")
    parts += [f"<li>{e(item['meaning'])}</li>" for item in review["not_said"]]
    parts.append("</ul>")
    parts.append(
        "<div class=sign><p><strong>Signed off by</strong> ______________________ "
        "<strong>Role</strong> ______________________ <strong>Date</strong> ____________</p></div>"
    )
    parts.append("</body></html>")
    return "\n".join(parts)
