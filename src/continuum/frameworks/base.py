"""The building blocks every part of a framework file shares: strict models, ids, source lines."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

NonEmptyStr = Annotated[str, Field(min_length=1)]
Identifier = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$")]


class Strict(BaseModel):
    """Base for every part of a framework: unknown keys are errors, never ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


_LINE_RANGE = re.compile(r"^\s*(\d+)\s*[-–]\s*(\d+)\s*$")


class SourceRef(Strict):
    """Where in the source document something comes from (1-based line numbers).

    ``lines`` takes integers and ``"first-last"`` ranges; ranges are expanded.
    """

    lines: list[int] = Field(min_length=1)
    note: str | None = None

    @field_validator("lines", mode="before")
    @classmethod
    def _expand_ranges(cls, value: Any) -> Any:
        if isinstance(value, int | str):
            value = [value]
        if not isinstance(value, list):
            return value
        expanded: list[Any] = []
        for item in value:
            if isinstance(item, str):
                match = _LINE_RANGE.match(item)
                if match:
                    first, last = int(match.group(1)), int(match.group(2))
                    if last < first:
                        raise ValueError(f"line range {item!r} runs backwards")
                    expanded.extend(range(first, last + 1))
                    continue
                if item.strip().isdecimal():
                    expanded.append(int(item))
                    continue
                raise ValueError(f"expected a line number or a range like '120-125', got {item!r}")
            expanded.append(item)
        return expanded

    @field_validator("lines")
    @classmethod
    def _positive(cls, value: list[int]) -> list[int]:
        for line in value:
            if line < 1:
                raise ValueError(f"line numbers start at 1, got {line}")
        return value
