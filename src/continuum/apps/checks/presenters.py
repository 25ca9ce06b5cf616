"""Shape frameworks and stored checks for the templates (pure functions; no state changes)."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from continuum.apps.checks.models import Check
from continuum.apps.partnerships.citations import quote
from continuum.frameworks import LoadedFramework
from continuum.frameworks.schema import Indicator


def level_names(loaded: LoadedFramework) -> dict[int, str]:
    return {level.number: level.name for level in loaded.framework.levels}


def domain_names(loaded: LoadedFramework) -> dict[str, str]:
    return {domain.id: domain.name for domain in loaded.framework.domains}


def indicator_item(
    indicator: Indicator, loaded: LoadedFramework, *, checked: bool, prefix: str = "i"
) -> dict[str, Any]:
    levels, domains = level_names(loaded), domain_names(loaded)
    return {
        "id": indicator.id,
        "html_id": f"{prefix}-{indicator.id}",
        "text": indicator.text,
        "value": indicator.id,  # as GOV.UK components name them
        "label": indicator.text,
        "level": indicator.level,
        "level_name": levels.get(indicator.level, str(indicator.level)),
        "domain": indicator.domain,
        "domain_name": domains.get(indicator.domain, indicator.domain),
        "protective": indicator.protective,
        "checked": checked,
    }


def _words(text: str) -> list[str]:
    return re.findall(r"[\w’']+", text.lower())


def search(loaded: LoadedFramework, *, q: str = "", domain: str = "", level: str = "") -> list[Indicator]:
    """Concern indicators matching every search word (in their text or area), in a domain and level."""
    domains = domain_names(loaded)
    words = _words(q)
    found = []
    for indicator in loaded.framework.indicators:
        if indicator.protective:
            continue
        if domain and indicator.domain != domain:
            continue
        if level and str(indicator.level) != level:
            continue
        haystack = f"{indicator.text} {domains.get(indicator.domain, '')}".lower()
        if all(word in haystack for word in words):
            found.append(indicator)
    return found


@dataclass(frozen=True)
class Group:
    heading: str
    subgroups: list[tuple[str, list[dict[str, Any]]]]


def grouped(items: list[dict[str, Any]]) -> list[Group]:
    """Items by area, then by level (lowest first), keeping the framework's order within each."""
    groups: dict[str, dict[int, list[dict[str, Any]]]] = {}
    names: dict[int, str] = {}
    for item in items:
        groups.setdefault(item["domain_name"], {}).setdefault(item["level"], []).append(item)
        names[item["level"]] = item["level_name"]
    return [
        Group(domain, [(names[number], by_level[number]) for number in sorted(by_level)])
        for domain, by_level in groups.items()
    ]


def domain_summary(loaded: LoadedFramework, selected: set[str]) -> list[dict[str, Any]]:
    """Each area with how many concern indicators it has and how many are selected."""
    counts: dict[str, list[int]] = {}
    for indicator in loaded.framework.indicators:
        if indicator.protective:
            continue
        count = counts.setdefault(indicator.domain, [0, 0])
        count[0] += 1
        count[1] += indicator.id in selected
    return [
        {"id": d.id, "name": d.name, "total": counts[d.id][0], "selected": counts[d.id][1]}
        for d in loaded.framework.domains
        if d.id in counts
    ]


def _quote_all(items: list[dict[str, Any]], cites: dict[str, str]) -> None:
    for item in items:
        item["quote"] = quote(cites, item.get("source"))


def present_result(result: dict[str, Any], citations: dict[str, Any]) -> dict[str, Any]:
    """The engine's result with the source document's words beside everything that cites it."""
    out = copy.deepcopy(result)
    cites = citations.get("lines", {})
    for key in ("drivers", "protective_factors", "rules_fired", "contacts", "timescales"):
        _quote_all(out.get(key) or [], cites)
    out["immediate_danger"]["quote"] = quote(cites, out["immediate_danger"].get("source"))
    consent = out.get("consent")
    if consent:
        consent["quote"] = quote(cites, consent.get("source"))
        _quote_all(consent.get("exceptions") or [], cites)
        _quote_all(consent.get("exception_rules") or [], cites)
        for rule in consent.get("exception_rules") or []:
            # The rule's sentence about consent, for "the document says ...": not its first words.
            said = key_sentences(rule["quote"], "consent", most=1)
            rule["consent_words"] = {"lines": {"lines": said[0][0]}, "text": said[0][1]} if said else None
        consent["in_a_sentence"] = first_sentence(str(consent.get("summary") or ""))
    out["level_quote"] = quote(cites, {"lines": citations.get("level_source", [])})
    out["level_source"] = {"lines": citations.get("level_source", [])}
    levels = {lv["number"]: lv["name"] for lv in citations.get("levels", [])}
    for prompt in out.get("prompts") or []:
        prompt["level_name"] = levels.get(prompt.get("consider"), str(prompt.get("consider")))
    for driver in out.get("drivers") or []:
        driver["level_name"] = levels.get(driver.get("level"), str(driver.get("level")))
    add_key_sentences(out.get("drivers") or [], "text")
    for rule in out.get("rules_fired") or []:
        rule["words"] = f"{rule.get('name', '')} {rule.get('text', '')}"
    add_key_sentences(out.get("rules_fired") or [], "words")
    out["call_first"] = (out.get("contacts") or [None])[0]
    return out


def present_inputs(check: Check) -> dict[str, Any]:
    """What the practitioner told us, in words, for the report and the check page."""
    inputs = check.inputs
    return {
        "text": inputs.get("text") or "",
        "facts": [name for name, value in (inputs.get("facts") or {}).items() if value],
        "age": inputs.get("age") or {},
        "rejected": inputs.get("rejected_text") or [],
        "matching_mode": inputs.get("matching_mode"),
    }


def level_choices(check: Check) -> list[tuple[int, str]]:
    return [(lv["number"], lv["name"]) for lv in check.citations.get("levels", [])]


# --- the line that matters ------------------------------------------------------------------

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "being",
        "by",
        "can",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "was",
        "were",
        "which",
        "who",
        "will",
        "with",
        "where",
        "when",
        "there",
        "these",
        "those",
        "not",
        "no",
        "any",
        "all",
        "child",
        "children",
        "young",
        "person",
        "people",
        "should",
        "would",
        "could",
        "may",
        "must",
    ]
)
_BULLET = re.compile(r"^[•·\-–*]\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])[\"”’)]*\s+(?=[\"“‘(•\-–]?\s*[A-Z0-9])")


def _stem(word: str) -> str:
    """A crude stem, so that 'exploited' meets 'exploitation' and 'controls' meets 'control'."""
    word = word.strip("’'").lower()
    for ending in ("ation", "ing", "ed", "es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def _content_words(text: str) -> set[str]:
    return {_stem(w) for w in _words(text) if len(w) > 2 and w not in _STOPWORDS}


def key_sentences(quote_lines: list[tuple[int, str]], words: str, *, most: int = 2) -> list[tuple[list[int], str]]:
    """The sentence(s) of the quoted lines that carry ``words`` (an indicator's or a rule's), with their lines.

    The lines are read as running text (a sentence crosses a line break when the next line starts
    in lower case or the line ends on a word like "the"; otherwise a line, like a table row, ends its
    sentence; a leading bullet is dropped), split into sentences,
    and each scored by how many of ``words``' content words it has. The best-scoring sentences
    are returned in document order (at most ``most``); when none shares a word, the first sentence.
    """
    pieces: list[tuple[int, str]] = [(n, text.strip()) for n, text in quote_lines if text.strip()]
    if not pieces:
        return []
    sentences: list[tuple[list[int], str]] = []
    current_lines: list[int] = []
    current = ""
    for position, (number, text) in enumerate(pieces):
        following = pieces[position + 1][1] if position + 1 < len(pieces) else ""
        # A line runs on into the next only when the next starts in lower case (a table row or
        # list item with no full stop is a sentence of its own).
        last_word = (_words(text) or [""])[-1]
        runs_on = bool(following) and (
            bool(re.match(r"[a-z(,;–-]", following)) or (last_word in _STOPWORDS and text.rstrip()[-1:] not in ".!?:")
        )
        parts = _SENTENCE_END.split(text)
        for index, part in enumerate(parts):
            current = f"{current} {part}".strip() if current else part
            if number not in current_lines:
                current_lines.append(number)
            if index < len(parts) - 1 or not runs_on:
                sentences.append((current_lines, _BULLET.sub("", current)))
                current_lines, current = [], ""
    if current:
        sentences.append((current_lines, _BULLET.sub("", current)))
    wanted = _content_words(words)
    scores = [len(wanted & _content_words(sentence)) for _, sentence in sentences]
    best = max(scores)
    if best == 0:
        return sentences[:1]
    return [s for s, score in zip(sentences, scores, strict=True) if score == best][:most]


def add_key_sentences(items: list[dict[str, Any]], words_key: str) -> None:
    for item in items:
        key = key_sentences(item.get("quote") or [], str(item.get(words_key) or ""))
        item["key_quote"] = [{"lines": {"lines": lines}, "text": text} for lines, text in key]
        item["quote_is_longer"] = _plain(" ".join(t for _, t in item.get("quote") or [])) != _plain(
            " ".join(t for _, t in key)
        )


def _plain(text: str) -> str:
    """Only the letters and digits: a quote that differs from its sentence by a bullet is not 'fuller'."""
    return re.sub(r"[\W_]+", "", text.lower())


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` (all of it when it has one)."""
    parts = _SENTENCE_END.split(text.strip(), maxsplit=1)
    return parts[0] if parts else ""


# --- the next step ---------------------------------------------------------------------------

NOT_SAID = "The document does not say."


def _statement(statement: Any) -> dict[str, Any]:
    """A casework statement for the page: the words, their frame, and whose words they are."""
    national = statement.national
    return {
        "text": statement.text,
        "context": statement.context or "",
        "source": statement.source.model_dump() if statement.source else None,
        "national": f"{national.title}, {national.reference}" if national else "",
    }


def _url(name: str, check: Check) -> str | None:
    """The URL of another app's page for this check, or ``None`` while that app has no such page."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, kwargs={"check_id": check.public_id})
    except NoReverseMatch:
        return None


def _tiers_at(check: Check, loaded: LoadedFramework | None, level: int) -> set[str]:
    if level == check.recommended_level:
        return set((check.result.get("recommended_level") or {}).get("tiers") or [])
    if loaded is not None:
        for each in loaded.framework.levels:
            if each.number == level:
                return {t.value for t in each.tiers}
    return set()


def next_steps(check: Check, loaded: LoadedFramework | None) -> list[dict[str, Any]]:
    """What the framework says comes next at the check's level: the one in force (the latest change of mind,
    else the first judgement; ADR 0018), else the recommended one.

    A referral where the level is one of ``front_door.referral_levels``; an early help assessment at an
    early-help level; signposting at a universal level. Each carries the framework's words (``words``),
    a ``url`` when the app that does it has a page for it (``referrals:start``, ``earlyhelp:start``),
    and ``missing`` when the document does not say. The first is the page's button: at an early-help
    level the early help assessment, a referral beside it where the level is also a referral level.
    """
    level = check.level_in_force or check.recommended_level
    tiers = _tiers_at(check, loaded, level)
    fw = loaded.framework if loaded is not None else None
    steps: list[dict[str, Any]] = []
    front_door = fw.front_door if fw is not None else None
    if front_door is not None and level in front_door.referral_levels:
        contact = next((c for c in fw.contacts if c.id == front_door.contact), None) if fw else None
        steps.append(
            {
                "kind": "referral",
                "label": "Send a referral",
                "to": front_door.name,
                "url": _url("referrals:start", check),
                "words": [_statement(s) for s in front_door.referral_route],
                "who": [],
                "contact": contact.model_dump() if contact else None,
                "missing": not front_door.referral_route and contact is None,
            }
        )
    if "early-help" in tiers:
        help_ = fw.early_help if fw is not None else None
        assessment = help_.assessment if help_ is not None else None
        steps.append(
            {
                "kind": "early-help",
                "label": "Start an early help assessment",
                "to": assessment.name if assessment else "",
                "url": _url("earlyhelp:start", check),
                "words": [_statement(assessment)] if assessment else [],
                "who": [_statement(s) for s in help_.who_may_start] if help_ else [],
                "contact": None,
                "missing": assessment is None,
            }
        )
    if len(steps) == 2 and tiers <= {"early-help", "universal"}:
        steps.reverse()  # at an early-help level the practitioner's own assessment comes first
    if "universal" in tiers and not steps:
        signpost = [o for o in (front_door.outcomes if front_door else []) if o.code == "advice-signpost"]
        words = [{"text": o.text, "context": o.name, "source": o.source.model_dump(), "national": ""} for o in signpost]
        steps.append(
            {
                "kind": "signpost",
                "label": "Signpost to universal services",
                "to": "",
                "url": None,
                "words": words,
                "who": [],
                "contact": None,
                "missing": not words and not check.result.get("actions"),
            }
        )
    return steps
