"""The assessment as text for a person: danger first, then the level, why, and what to do."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from continuum.frameworks.schema import fact_label


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


def render_recommendation(result: Mapping[str, Any]) -> str:
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
    short = (result.get("text") or {}).get("not_enough")
    if short:  # the words select nothing: no level is set from them, rather than a guess of the lowest
        out.append(f"Recommended level: not set. {short['message']}")
        out.append(
            "   Say what is happening to the child, how often, and what has already been done; then assess again."
        )
    else:
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


def _render_why(result: Mapping[str, Any]) -> list[str]:
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


def _render_what_to_do(result: Mapping[str, Any]) -> list[str]:
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
    if consent and consent.get("exception_applies"):
        names = "; ".join(f"{r['name']}{_lines(r['source'])}" for r in consent["exception_rules"])
        out.append(
            f"   Consent: do not seek consent or tell the parents first — the document names this situation: {names}"
        )
    if consent and consent.get("rule"):
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
