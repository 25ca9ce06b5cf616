"""Cross-checks of a framework that the schema alone cannot make.

Each check yields ``(location, message)``; the loader turns the location into the file's
line. The checks: ids unique, every reference resolves, levels exist, source lines lie
inside the source document, and verbatim text really is at the lines it cites.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from continuum.frameworks.schema import Condition, Framework, SourceRef, Timescale

Location = tuple[str | int, ...]
Finding = tuple[Location, str]

_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """Lower-case word tokens, markup removed: the unit of the verbatim check."""
    return _WORD.findall(_TAG.sub(" ", text).lower().replace("_", " "))


def appears_at(text: str, cited: str) -> bool:
    """Whether ``text``'s words appear, in order, at ``cited``.

    The norm is one close run. A table cell that a page break split (its rest printed
    after the other columns' continuations) is found as a few long runs in order; a
    paraphrase or a wrong line breaks into short runs and is not.
    """
    needle, hay = words(text), words(cited)
    if not needle:
        return True
    return _close_together(needle, hay) or _in_long_runs(needle, hay)


def _close_together(needle: list[str], hay: list[str]) -> bool:
    allowed_span = int(len(needle) * 1.5) + 12
    for start, token in enumerate(hay):
        if token != needle[0]:
            continue
        position, matched = start, 0
        while position < len(hay) and position - start <= allowed_span:
            if hay[position] == needle[matched]:
                matched += 1
                if matched == len(needle):
                    return True
            position += 1
    return False


def _in_long_runs(needle: list[str], hay: list[str], min_run: int = 4, max_runs: int = 4) -> bool:
    position, start = 0, 0
    for _ in range(max_runs):
        best_length, best_at = 0, -1
        for at in range(start, len(hay)):
            length = 0
            while (
                position + length < len(needle)
                and at + length < len(hay)
                and hay[at + length] == needle[position + length]
            ):
                length += 1
            if length > best_length:
                best_length, best_at = length, at
        if best_length < min(min_run, len(needle) - position):
            return False
        position, start = position + best_length, best_at + best_length
        if position == len(needle):
            return True
    return False


def _source_refs(value: Any, loc: Location) -> Iterator[tuple[Location, SourceRef]]:
    if isinstance(value, SourceRef):
        yield loc, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            field = type(value).model_fields[name]
            yield from _source_refs(getattr(value, name), (*loc, field.alias or name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _source_refs(item, (*loc, index))


def _duplicates(items: list[Any], attr: str, loc: Location) -> Iterator[Finding]:
    seen: dict[Any, int] = {}
    for index, item in enumerate(items):
        key = getattr(item, attr)
        if key in seen:
            yield (*loc, index, attr), f"duplicate {attr} {key!r} (first at {loc[-1]}[{seen[key]}])"
        else:
            seen[key] = index


def _condition_refs(condition: Condition, loc: Location) -> Iterator[tuple[Location, str, Any]]:
    """Yield (location, kind, value) for every indicator id and level a condition names."""
    for key in ("any_of", "all_of"):
        for index, indicator_id in enumerate(getattr(condition, key) or []):
            yield (*loc, key, index), "indicator", indicator_id
    if condition.at_least is not None:
        count = condition.at_least
        for key in ("level", "min_level"):
            if getattr(count, key) is not None:
                yield (*loc, "at_least", key), "level", getattr(count, key)
        for index, indicator_id in enumerate(count.ids or []):
            yield (*loc, "at_least", "ids", index), "indicator", indicator_id
        for index, domain_id in enumerate(count.domains or []):
            yield (*loc, "at_least", "domains", index), "domain", domain_id
    for key in ("any", "all"):
        for index, child in enumerate(getattr(condition, key) or []):
            yield from _condition_refs(child, (*loc, key, index))
    if condition.not_ is not None:
        yield from _condition_refs(condition.not_, (*loc, "not"))


def _uses_count(condition: Condition) -> bool:
    children = [*(condition.any or []), *(condition.all or []), *([condition.not_] if condition.not_ else [])]
    return condition.at_least is not None or any(_uses_count(c) for c in children)


def check_framework(
    framework: Framework, source_lines: tuple[str, ...], expected_id: str | None = None
) -> list[Finding]:
    return list(_check(framework, source_lines, expected_id))


def _check(fw: Framework, source_lines: tuple[str, ...], expected_id: str | None) -> Iterator[Finding]:
    if expected_id and fw.id != expected_id:
        yield ("id",), f"id {fw.id!r} must equal its directory name {expected_id!r}"

    levels = {level.number for level in fw.levels}
    domains = {domain.id for domain in fw.domains}
    rows = {row.id for row in fw.rows}
    indicators = {ind.id: ind for ind in fw.indicators}
    rules = {rule.id: rule for rule in fw.rules}
    contacts = {contact.id for contact in fw.contacts}
    known_levels = ", ".join(str(n) for n in sorted(levels))

    for loc, items, attr in (
        (("levels",), fw.levels, "number"),
        (("domains",), fw.domains, "id"),
        (("rows",), fw.rows, "id"),
        (("indicators",), fw.indicators, "id"),
        (("rules",), fw.rules, "id"),
        (("contacts",), fw.contacts, "id"),
        (("vignettes",), fw.vignettes, "id"),
        (("notes",), fw.notes, "id"),
    ):
        yield from _duplicates(items, attr, loc)

    timescale_ids: dict[str, Location] = {}
    for loc, timescale in [(("timescales", i), t) for i, t in enumerate(fw.timescales)] + [
        (("levels", li, "timescales", ti), t)
        for li, level in enumerate(fw.levels)
        for ti, t in enumerate(level.timescales)
    ]:
        if timescale.id in timescale_ids:
            yield (*loc, "id"), f"duplicate timescale id {timescale.id!r}"
        timescale_ids[timescale.id] = loc

    def level_exists(loc: Location, number: int | None) -> Iterator[Finding]:
        if number is not None and number not in levels:
            yield loc, f"level {number} does not exist; the levels are {known_levels}"

    for li, level in enumerate(fw.levels):
        for ci, contact_id in enumerate(level.contacts):
            if contact_id not in contacts:
                yield ("levels", li, "contacts", ci), f"no contact with id {contact_id!r}"
        if level.tier_split:
            for ri, rule_id in enumerate(level.tier_split.rules):
                rule = rules.get(rule_id)
                if rule is None:
                    yield ("levels", li, "tier_split", "rules", ri), f"no rule with id {rule_id!r}"
                elif rule.then.tier not in level.tiers:
                    yield (
                        ("levels", li, "tier_split", "rules", ri),
                        (
                            f"rule {rule_id!r} selects tier {rule.then.tier and rule.then.tier.value!r}, "
                            f"which is not one of this level's tiers"
                        ),
                    )

    for di, domain in enumerate(fw.domains):
        if domain.parent is not None and domain.parent not in domains:
            yield ("domains", di, "parent"), f"no domain with id {domain.parent!r}"

    for ri, row in enumerate(fw.rows):
        if row.domain is not None and row.domain not in domains:
            yield ("rows", ri, "domain"), f"no domain with id {row.domain!r}"
        yield from level_exists(("rows", ri, "level"), row.level)

    for ii, ind in enumerate(fw.indicators):
        yield from level_exists(("indicators", ii, "level"), ind.level)
        if ind.domain not in domains:
            yield ("indicators", ii, "domain"), f"no domain with id {ind.domain!r}"
        if ind.row is not None and ind.row not in rows:
            yield ("indicators", ii, "row"), f"no row with id {ind.row!r}"
        if not ind.text.strip():
            yield ("indicators", ii, "text"), "must not be blank"
        if ind.context is not None:
            yield from level_exists(("indicators", ii, "context", "otherwise"), ind.context.otherwise)
            if _uses_count(ind.context.when):
                yield ("indicators", ii, "context", "when"), "a context cannot count concerns (at_least): name them"
            for loc, kind, value in _condition_refs(ind.context.when, ("indicators", ii, "context", "when")):
                if kind == "indicator" and value not in indicators:
                    yield loc, f"the context names indicator {value!r}, which does not exist"
                elif kind == "level":
                    yield from level_exists(loc, value)

    for ri, rule in enumerate(fw.rules):
        for loc, kind, value in _condition_refs(rule.when, ("rules", ri, "when")):
            if kind == "indicator" and value not in indicators:
                yield loc, f"rule names indicator {value!r}, which does not exist"
            elif kind == "level":
                yield from level_exists(loc, value)
            elif kind == "domain" and value not in domains:
                yield loc, f"no domain with id {value!r}"
        yield from level_exists(("rules", ri, "then", "raise_to"), rule.then.raise_to)
        yield from level_exists(("rules", ri, "then", "consider"), rule.then.consider)
        if rule.kind == "tier-split" and rule.then.tier is None:
            yield ("rules", ri, "then"), "a tier-split rule must set 'tier'"
        if rule.kind == "immediate-danger" and not rule.then.immediate_danger:
            yield ("rules", ri, "then", "immediate_danger"), "an immediate-danger rule must set immediate_danger: true"

    for ci, contact in enumerate(fw.contacts):
        for li, number in enumerate(contact.levels):
            yield from level_exists(("contacts", ci, "levels", li), number)

    for vi, vignette in enumerate(fw.vignettes):
        yield from level_exists(("vignettes", vi, "expect_level"), vignette.expect_level)
        for key in ("indicators", "protective"):
            for index, indicator_id in enumerate(getattr(vignette, key)):
                found = indicators.get(indicator_id)
                if found is None:
                    yield ("vignettes", vi, key, index), f"no indicator with id {indicator_id!r}"
                elif key == "protective" and not found.protective:
                    yield ("vignettes", vi, key, index), f"indicator {indicator_id!r} is a concern, not protective"
        for key in ("expect_rules", "expect_not_rules"):
            for index, rule_id in enumerate(getattr(vignette, key)):
                if rule_id not in rules:
                    yield ("vignettes", vi, key, index), f"no rule with id {rule_id!r}"
        both = set(vignette.expect_rules) & set(vignette.expect_not_rules)
        if both:
            yield (
                ("vignettes", vi, "expect_not_rules"),
                f"expected both to hold and not to hold: {', '.join(sorted(both))}",
            )

    # Source lines must exist in the document.
    last = len(source_lines)
    for loc, ref in _source_refs(fw, ()):
        outside = [n for n in ref.lines if n > last]
        if outside:
            yield (*loc, "lines"), f"line {outside[0]} is outside the source document, which has {last} lines"

    # Verbatim text must be found at the lines it cites.
    def verbatim(loc: Location, text: str, ref: SourceRef | None) -> Iterator[Finding]:
        if ref is None or any(n > last for n in ref.lines):
            return
        cited = " ".join(source_lines[n - 1] for n in ref.lines)
        if not appears_at(text, cited):
            shown = text if len(text) <= 60 else text[:57] + "..."
            yield loc, f"text {shown!r} is not found at source lines {_compact(ref.lines)}; quote the document verbatim"

    for ii, ind in enumerate(fw.indicators):
        yield from verbatim(("indicators", ii, "text"), ind.text, ind.source)
    for ri, row in enumerate(fw.rows):
        if row.example:
            yield from verbatim(("rows", ri, "example"), row.example, row.source)
    for ri, rule in enumerate(fw.rules):
        yield from verbatim(("rules", ri, "text"), rule.text, rule.source)
    for li, level in enumerate(fw.levels):
        yield from verbatim(("levels", li, "description"), level.description, level.source)
        if level.consent:
            for ei, exception in enumerate(level.consent.exceptions):
                yield from verbatim(
                    ("levels", li, "consent", "exceptions", ei, "text"), exception.text, exception.source
                )
        for ti, timescale in enumerate(level.timescales):
            yield from verbatim(("levels", li, "timescales", ti, "text"), timescale.text, timescale.source)
    for ti, timescale in enumerate(fw.timescales):
        yield from verbatim(("timescales", ti, "text"), timescale.text, timescale.source)
    yield from verbatim(("immediate_danger", "text"), fw.immediate_danger.text, fw.immediate_danger.source)

    # The casework sections: every quoted text at its lines, every reference resolving.
    for name in CASEWORK_SECTIONS:
        for loc, text, ref in _quoted_texts(getattr(fw, name), (name,)):
            yield from verbatim(loc, text, ref)
    yield from _check_casework(fw, levels, indicators, rules, contacts)


CASEWORK_SECTIONS = ("front_door", "early_help", "escalation", "specific_risks", "information_sharing")


def _quoted_texts(value: Any, loc: Location) -> Iterator[tuple[Location, str, SourceRef]]:
    """Every ``text`` that cites ``source`` lines, anywhere inside ``value``."""
    if isinstance(value, BaseModel):
        text, ref = getattr(value, "text", None), getattr(value, "source", None)
        if isinstance(text, str) and isinstance(ref, SourceRef):
            yield (*loc, "text"), text, ref
        for name in type(value).model_fields:
            child = getattr(value, name)
            if isinstance(child, BaseModel | list):
                yield from _quoted_texts(child, (*loc, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _quoted_texts(item, (*loc, index))


# Which kinds of timescale each clock may name: only a deadline starts a clock.
_CLOCK_KINDS: dict[str, tuple[str, ...]] = {
    "decision": ("deadline",),
    "acknowledgement": ("deadline",),
    "feedback": ("deadline",),
    "written_follow_up": ("deadline",),
    "agency_checks": ("deadline",),
    "re_referral_window": ("look-back",),
}


def _check_casework(
    fw: Framework,
    levels: set[int],
    indicators: dict[str, Any],
    rules: dict[str, Any],
    contacts: set[str],
) -> Iterator[Finding]:
    timescales: dict[str, Timescale] = {t.id: t for t in fw.timescales}
    for level in fw.levels:
        timescales.update({t.id: t for t in level.timescales})

    for li, level in enumerate(fw.levels):
        for ti, timescale in enumerate(level.timescales):
            if timescale.national is not None:
                yield (
                    ("levels", li, "timescales", ti, "national"),
                    "a level's timescales are the document's words: put a national default in the framework-wide "
                    "'timescales' list",
                )

    def timescale_ref(loc: Location, ts_id: str | None, kinds: tuple[str, ...]) -> Iterator[Finding]:
        if ts_id is None:
            return
        found = timescales.get(ts_id)
        if found is None:
            yield loc, f"no timescale with id {ts_id!r}"
        elif found.kind not in kinds:
            yield loc, f"timescale {ts_id!r} is a {found.kind}, but this needs a {' or '.join(kinds)}"

    def exists(loc: Location, value: Any, known: Any, what: str) -> Iterator[Finding]:
        if value is not None and value not in known:
            yield loc, f"no {what} with id {value!r}" if what != "level" else f"level {value} does not exist"

    door = fw.front_door
    if door is not None:
        yield from exists(("front_door", "contact"), door.contact, contacts, "contact")
        for i, number in enumerate(door.referral_levels):
            yield from exists(("front_door", "referral_levels", i), number, levels, "level")
        for gi, grade in enumerate(door.grades):
            yield from timescale_ref(("front_door", "grades", gi, "decision"), grade.decision, ("deadline",))
            for i, number in enumerate(grade.levels):
                yield from exists(("front_door", "grades", gi, "levels", i), number, levels, "level")
        yield from _duplicates(door.grades, "id", ("front_door", "grades"))
        for clock, kinds in _CLOCK_KINDS.items():
            yield from timescale_ref(("front_door", "clocks", clock), getattr(door.clocks, clock), kinds)

    help_ = fw.early_help
    if help_ is not None:
        for i, ts_id in enumerate(help_.reviews):
            yield from timescale_ref(("early_help", "reviews", i), ts_id, ("deadline", "frequency"))

    escalation = fw.escalation
    if escalation is not None:
        for i, contact_id in enumerate(escalation.contacts):
            yield from exists(("escalation", "contacts", i), contact_id, contacts, "contact")
        for si, stage in enumerate(escalation.stages):
            yield from timescale_ref(("escalation", "stages", si, "within"), stage.within, ("deadline",))

    yield from _duplicates(fw.specific_risks, "id", ("specific_risks",))
    for ri, risk in enumerate(fw.specific_risks):
        loc = ("specific_risks", ri)
        for i, contact_id in enumerate(risk.contacts):
            yield from exists((*loc, "contacts", i), contact_id, contacts, "contact")
        for i, ts_id in enumerate(risk.timescales):
            yield from exists((*loc, "timescales", i), ts_id, timescales, "timescale")
        for i, indicator_id in enumerate(risk.indicators):
            yield from exists((*loc, "indicators", i), indicator_id, indicators, "indicator")
        for i, rule_id in enumerate(risk.rules):
            yield from exists((*loc, "rules", i), rule_id, rules, "rule")

    # Retired ids are never used again, for anything.
    in_use: dict[str, str] = {}
    for kind, items in (
        ("domain", fw.domains),
        ("row", fw.rows),
        ("indicator", fw.indicators),
        ("rule", fw.rules),
        ("contact", fw.contacts),
        ("vignette", fw.vignettes),
        ("note", fw.notes),
        ("specific risk", fw.specific_risks),
    ):
        in_use.update({item.id: kind for item in items})
    in_use.update({ts_id: "timescale" for ts_id in timescales})
    for i, retired in enumerate(fw.retired_ids):
        if retired in in_use:
            yield (
                ("retired_ids", i),
                f"{retired!r} is retired and must not be used again, but a {in_use[retired]} uses it",
            )


def _compact(lines: list[int]) -> str:
    if len(lines) > 1 and lines == list(range(lines[0], lines[-1] + 1)):
        return f"{lines[0]}-{lines[-1]}"
    return ", ".join(str(n) for n in lines)
