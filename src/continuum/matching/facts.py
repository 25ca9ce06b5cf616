"""Key facts read from free text: the child's age, a baby not yet mobile, an unborn child.

"Four-month-old with a bruise on her cheek" states two facts that rules act on (non-mobile
bruising), which the words of the indicators do not carry. Only facts that rules use to
raise a level are read, each with the words it came from, for the practitioner to check;
an age is read only when the text gives exactly one child's age (18 or under) in so many
words ("15-year-old", "six weeks old", "aged 9"), never guessed from "Year 9" or "toddler".
Cue lists are data (``data/language.yaml``, ``facts``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from continuum.matching.text import fold, load_data

_UNIT_YEARS = {"day": 1 / 365, "week": 7 / 365, "month": 1 / 12, "year": 1.0}
_ADULT = 18.0


@dataclass(frozen=True)
class FactsRead:
    """What the text says of the child: ``facts`` (name → True) and ``age_years``, with evidence."""

    facts: dict[str, bool] = field(default_factory=dict)
    age_years: float | None = None
    evidence: dict[str, str] = field(default_factory=dict)  # "age_years" or a fact → the words
    note: str | None = None  # why an age was not read, when the text gives several

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"facts": dict(self.facts), "age_years": self.age_years, "evidence": dict(self.evidence)}
        if self.note:
            out["note"] = self.note
        return out


@lru_cache(maxsize=1)
def _cues() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], dict[str, int], float]:
    data = load_data("language.yaml")["facts"]
    numbers = {str(k): int(v) for k, v in data["numbers"].items()}
    number = r"(\d{1,2}(?:\.\d)?|" + "|".join(sorted(numbers, key=len, reverse=True)) + r")"
    unit = r"(day|week|month|year|yr)s?"
    age = re.compile(
        rf"\b{number}[\s-]*{unit}[\s-]*old\b"  # "4-month-old", "six weeks old", "15 year old"
        rf"|\b{number}\s*(yo|y/o|yrs?)\b(?![\s-]*old)"  # "15yo", "8 yrs"
        rf"|\baged\s+{number}\b(?:\s*{unit})?"  # "aged 9", "aged 3 months"
        rf"|\bbaby of\s+{number}\s*{unit}",  # "baby of 4 months"
        re.IGNORECASE,
    )

    def phrases(items: list[Any]) -> re.Pattern[str]:
        words = sorted((re.escape(str(i)).replace(r"\ ", r"[\s-]+") for i in items), key=len, reverse=True)
        return re.compile(r"\b(" + "|".join(words) + r")\b", re.IGNORECASE)

    return age, phrases(data["non_mobile"]), phrases(data["unborn"]), numbers, float(data["non_mobile_under_years"])


def _years(value: str, unit: str | None, numbers: dict[str, int]) -> float:
    amount = float(value) if value[0].isdigit() else float(numbers[value.lower()])
    unit = (unit or "year").lower()
    return amount * _UNIT_YEARS["year" if unit.startswith("yr") else unit]


def read_facts(text: str) -> FactsRead:
    """The key facts ``text`` states about the child (see the module docstring)."""
    age_cue, non_mobile_cue, unborn_cue, numbers, non_mobile_under = _cues()
    text = fold(text)
    ages: dict[float, str] = {}
    for m in age_cue.finditer(text):
        groups = m.groups()
        if groups[0]:  # "N unit old"
            years = _years(groups[0], groups[1], numbers)
        elif groups[2]:  # "N yo"
            years = _years(groups[2], "year", numbers)
        elif groups[4]:  # "aged N [unit]"
            years = _years(groups[4], groups[5], numbers)
        else:  # "baby of N unit"
            years = _years(groups[6], groups[7], numbers)
        if years <= _ADULT:
            ages.setdefault(round(years, 2), m.group(0))
    facts: dict[str, bool] = {}
    evidence: dict[str, str] = {}
    note = None
    age = None
    if len(ages) == 1:
        ((age, words),) = ages.items()
        evidence["age_years"] = words
    elif len(ages) > 1:
        note = "several children's ages are given (" + ", ".join(ages.values()) + "); give the child's age"
    young = [(a, w) for a, w in ages.items() if a < non_mobile_under]
    said = non_mobile_cue.search(text)
    if said or (young and len(ages) == 1):
        facts["non_mobile"] = True
        evidence["non_mobile"] = said.group(0) if said else young[0][1]
    unborn = unborn_cue.search(text)
    if unborn:
        facts["unborn"] = True
        evidence["unborn"] = unborn.group(0)
    return FactsRead(facts, age, evidence, note)
