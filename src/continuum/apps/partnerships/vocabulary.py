"""Labels for the frameworks' common vocabulary (tiers, consent rules, timescale units), read from
``vocabulary.yaml`` so that the words can be reviewed and changed without touching code."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

FILE = Path(__file__).with_name("vocabulary.yaml")


@cache
def labels() -> dict[str, dict[str, Any]]:
    """``{"tiers": {...}, "consent": {...}, "units": {unit: [singular, plural]}}``."""
    with FILE.open(encoding="utf-8") as handle:
        data: dict[str, dict[str, Any]] = yaml.safe_load(handle)
    return data


def _fallback(value: str) -> str:
    return str(value).replace("-", " ").capitalize()


def tier_label(value: str) -> str:
    return str(labels()["tiers"].get(value) or _fallback(value))


def consent_label(value: str) -> str:
    return str(labels()["consent"].get(value) or _fallback(value))


def within(value: dict[str, Any] | None) -> str:
    """A timescale's amount in words: ``{"value": 1, "unit": "working-days"}`` → "Within 1 working day"."""
    if not value:
        return "No fixed time given"
    amount = value.get("value")
    unit = value.get("unit", "")
    singular, plural = labels()["units"].get(unit, (unit, unit))
    number = f"{amount:g}" if isinstance(amount, int | float) else str(amount)
    return f"Within {number} {singular if amount == 1 else plural}"


def lines_label(source: dict[str, Any] | None) -> str:
    """ "line 12", "lines 12 to 14", "lines 3, 7"."""
    lines = sorted(set((source or {}).get("lines") or []))
    if not lines:
        return ""
    if len(lines) == 1:
        return f"line {lines[0]}"
    runs: list[list[int]] = []
    for line in lines:
        if runs and line == runs[-1][-1] + 1:
            runs[-1].append(line)
        else:
            runs.append([line])
    parts = [f"{run[0]}" if len(run) == 1 else f"{run[0]} to {run[-1]}" for run in runs]
    return "lines " + ", ".join(parts)
