"""Everyday phrasings: how practitioners put a framework's indicators in their own words.

``frameworks/<id>/phrasings.yaml`` sits beside a framework file. It is a matching aid
written by Continuum's team, not the partnership's text: free-text matching embeds each
phrasing as another view of its indicator, so "came in with welts on his legs from a
belt" can find a row worded "physical chastisement". Phrasings never change a level, are
never shown as the document's words and are not part of the framework's content hash
(a decision replays the same whatever they say). The file is optional.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from continuum.frameworks.schema import Framework
from continuum.frameworks.yamlfile import FrameworkError, Problem, field_name, read_model

PHRASINGS_FILE = "phrasings.yaml"

Phrasing = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class PhrasingsFile(BaseModel):
    """The file's shape: the framework it is for, and phrasings per indicator id."""

    model_config = ConfigDict(extra="forbid", strict=True)

    framework: str
    phrasings: dict[str, Annotated[list[Phrasing], Field(min_length=1)]]


def load_phrasings(path: Path, framework: Framework) -> Mapping[str, tuple[str, ...]]:
    """The phrasings in ``path`` checked against ``framework``; every problem names file, line and field."""
    file = str(path)
    parsed, index = read_model(path, PhrasingsFile, "a mapping with framework and phrasings")
    problems: list[Problem] = []
    if parsed.framework != framework.id:
        problems.append(
            Problem(
                file,
                index.line(("framework",)),
                "framework",
                f"is {parsed.framework!r}; this folder's framework is {framework.id!r}",
            )
        )
    texts = {i.id: i.text for i in framework.indicators}
    for indicator_id, phrasings in parsed.phrasings.items():
        loc = ("phrasings", indicator_id)
        if indicator_id not in texts:
            problems.append(
                Problem(file, index.line(loc), field_name(loc), "no indicator with this id in framework.yaml")
            )
            continue
        seen: dict[str, int] = {}
        for n, phrasing in enumerate(phrasings):
            key = " ".join(_words(phrasing))
            where = (*loc, n)
            if key in seen:
                problems.append(Problem(file, index.line(where), field_name(where), f"repeats phrasing {seen[key]}"))
            elif same_words(phrasing, texts[indicator_id]):
                problems.append(
                    Problem(
                        file,
                        index.line(where),
                        field_name(where),
                        "is the indicator's own text; a phrasing says it in everyday words",
                    )
                )
            seen.setdefault(key, n)
    if problems:
        raise FrameworkError(problems)
    return {k: tuple(v) for k, v in parsed.phrasings.items()}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def same_words(a: str, b: str) -> bool:
    """Whether two texts have the same words, ignoring case, punctuation and spacing."""
    return _words(a) == _words(b)
