"""YAML files with line numbers, read into a schema; every problem names file, line and field.

:class:`Problem` says where and what; :class:`FrameworkError` carries every problem of a file at
once, so that an editor can fix it in one pass. Shared by framework and phrasings files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)
Location = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field or '(file)'}: {self.message}"


class FrameworkError(Exception):
    """A framework file could not be loaded; ``problems`` says every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _Loader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """Safe YAML loader; keys are kept as strings (``on``/``no`` are not booleans)."""


# YAML 1.1 reads `no`, `on`, `yes` as booleans, which breaks keys like `not` and level
# names. Only the literal true/false are booleans here.
_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in _Loader.yaml_implicit_resolvers.copy().items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def field_name(loc: Location) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_map(node: yaml.Node, path: Location, lines: dict[Location, int], problems: list[Problem], file: str) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(
                    Problem(file, line, field_name((*path, key)), f"duplicate key (first given on line {seen[key]})")
                )
            seen[key] = line
            lines[(*path, key)] = line
            _line_map(value_node, (*path, key), lines, problems, file)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _line_map(item, (*path, index), lines, problems, file)


class LineIndex:
    """Finds the line of a field, or of its nearest parent that has one."""

    def __init__(self, lines: dict[Location, int]):
        self._lines = lines

    def line(self, loc: Location) -> int | None:
        loc = tuple(loc)
        while loc:
            if loc in self._lines:
                return self._lines[loc]
            loc = loc[:-1]
        return self._lines.get((), None)


def parse_yaml(path: Path) -> tuple[Any, LineIndex]:
    """Parse a YAML file, keeping the line of every key and list item."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FrameworkError([Problem(file, None, "", "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise FrameworkError([Problem(file, None, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise FrameworkError([Problem(file, 1, "", "the file is empty; expected a framework mapping")])
        problems: list[Problem] = []
        lines: dict[Location, int] = {}
        _line_map(node, (), lines, problems, file)
        if problems:
            raise FrameworkError(problems)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        raise FrameworkError([Problem(file, line, "", f"malformed YAML: {message}")]) from None
    except yaml.YAMLError as exc:
        raise FrameworkError([Problem(file, None, "", f"malformed YAML: {exc}")]) from None
    finally:
        loader.dispose()
    return data, LineIndex(lines)


def read_model(path: Path, model: type[M], expected: str) -> tuple[M, LineIndex]:
    """A YAML file parsed into ``model``, with the line of every field; problems name file,
    line and field."""
    data, index = parse_yaml(path)
    if not isinstance(data, dict):
        raise FrameworkError([Problem(str(path), 1, "", f"expected {expected}, got {type(data).__name__}")])
    try:
        return model.model_validate(data), index
    except ValidationError as exc:
        raise FrameworkError(schema_problems(exc, str(path), index)) from None


def _describe(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    message = error["msg"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see frameworks/README.md for the fields)"
    if kind in {"string_too_short", "too_short"} and "at least 1" in message:
        return "must not be empty"
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    got = error.get("input")
    shown = repr(got) if not isinstance(got, dict | list) else type(got).__name__
    return f"{message} (got {shown})"


def schema_problems(exc: ValidationError, file: str, index: LineIndex) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = tuple(part for part in error["loc"] if not (isinstance(part, str) and part.startswith("function-")))
        problems.append(Problem(file, index.line(loc), field_name(loc), _describe(error)))
    return problems
