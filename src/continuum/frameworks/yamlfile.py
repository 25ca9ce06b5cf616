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
        if isinstance(part, str) and (not part.strip() or not part.isprintable()):
            part = repr(part)  # an empty or invisible key is still named
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
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FrameworkError([Problem(file, None, "", "file not found")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_line = raw.count(b"\n", 0, exc.start) + 1
        message = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        raise FrameworkError([Problem(file, bad_line, "", message)]) from None
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        raise FrameworkError([_unreadable(file, text, exc)]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise FrameworkError([Problem(file, 1, "", "the file is empty; expected a framework mapping")])
        problems: list[Problem] = []
        lines: dict[Location, int] = {}
        _line_map(node, (), lines, problems, file)
        if problems:
            raise FrameworkError(problems)
        try:
            data = loader.construct_document(node)
        except (ValueError, IndexError, KeyError, TypeError, OverflowError) as exc:
            # PyYAML's constructors raise these for a tagged value they cannot read (`!!int x`).
            raise FrameworkError([_unconstructable(file, node, exc)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        raise FrameworkError([Problem(file, line, "", f"malformed YAML: {message}")]) from None
    except yaml.reader.ReaderError as exc:
        raise FrameworkError([_unreadable(file, text, exc)]) from None
    except yaml.YAMLError as exc:
        raise FrameworkError([Problem(file, None, "", f"malformed YAML: {exc}")]) from None
    finally:
        loader.dispose()
    return data, LineIndex(lines)


def _unconstructable(file: str, root: yaml.Node, exc: Exception) -> Problem:
    """The value, under an explicit tag, that YAML could not build, at its line."""
    stack: list[tuple[yaml.Node, Location]] = [(root, ())]
    while stack:
        node, loc = stack.pop()
        if isinstance(node, yaml.ScalarNode) and node.tag.startswith("tag:yaml.org,2002:"):
            try:
                yaml.constructor.SafeConstructor().construct_object(node)
            except (ValueError, IndexError, KeyError, TypeError, OverflowError, yaml.YAMLError):
                kind = node.tag.rsplit(":", 1)[-1]
                message = f"malformed YAML: {node.value!r} cannot be read as !!{kind}"
                return Problem(file, node.start_mark.line + 1, field_name(loc), message)
        elif isinstance(node, yaml.MappingNode):
            stack.extend((value, (*loc, str(key.value))) for key, value in reversed(node.value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*loc, i)) for i, item in reversed(list(enumerate(node.value))))
    return Problem(file, root.start_mark.line + 1, "", f"malformed YAML: {exc}")


def _unreadable(file: str, text: str, exc: yaml.reader.ReaderError) -> Problem:
    """A character YAML does not allow (a control character, say), at its line."""
    line = text.count("\n", 0, exc.position) + 1
    code = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or "\0")
    message = f"malformed YAML: character U+{code:04X} is not allowed (control characters are not)"
    return Problem(file, line, "", message)


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
