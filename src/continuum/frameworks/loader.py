"""Read framework files: YAML with line numbers, the typed schema, the cross-checks.

Every problem becomes a :class:`Problem` naming the file, the line and the field and
saying what was expected; :class:`FrameworkError` carries all of them at once so that
an editor can fix a file in one pass.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from continuum.frameworks.schema import Framework

FRAMEWORK_FILE = "framework.yaml"
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


@dataclass(frozen=True, eq=False)
class LoadedFramework:
    """A validated framework with what it was read from and its content hash."""

    framework: Framework
    path: Path
    content_hash: str
    source_lines: tuple[str, ...]
    # everyday phrasings per indicator id (phrasings.yaml): a matching aid, outside the hash
    phrasings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @cached_property
    def phrasings_hash(self) -> str:
        """SHA-256 of the phrasings: with ``content_hash``, what matching results depend on."""
        canonical = json.dumps(self.phrasings, sort_keys=True, ensure_ascii=False)
        return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def id(self) -> str:
        return self.framework.id

    def cited_text(self, lines: Iterable[int]) -> list[tuple[int, str]]:
        """The source document's text at these lines, for showing a citation."""
        return [(n, self.source_lines[n - 1]) for n in lines if 0 < n <= len(self.source_lines)]


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
    __import__("re").compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
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


def _describe(error: dict[str, Any]) -> str:
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


def content_hash(framework: Framework) -> str:
    """SHA-256 of the parsed, normalised content; formatting and comments don't change it."""
    canonical = json.dumps(framework.model_dump(mode="json", by_alias=True), sort_keys=True, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read_source_lines(path: Path) -> tuple[str, ...]:
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return tuple(lines)


def load_framework(path: str | Path) -> LoadedFramework:
    """Load and fully validate one framework file (or its directory)."""
    from continuum.frameworks.phrasings import PHRASINGS_FILE, load_phrasings
    from continuum.frameworks.validation import check_framework

    path = Path(path)
    if path.is_dir():
        path = path / FRAMEWORK_FILE
    file = str(path)
    framework, index = read_model(path, Framework, "a mapping of framework fields")
    source_path = path.parent / framework.source.file
    try:
        source_lines = read_source_lines(source_path)
    except FileNotFoundError:
        source_lines = ()
        missing = Problem(
            file, index.line(("source", "file")), "source.file", f"source document {source_path} not found"
        )
        raise FrameworkError([missing]) from None
    problems = [
        Problem(file, index.line(loc), field_name(loc), message)
        for loc, message in check_framework(framework, source_lines, expected_id=path.parent.name)
    ]
    if problems:
        raise FrameworkError(problems)
    phrasings_path = path.parent / PHRASINGS_FILE
    phrasings = load_phrasings(phrasings_path, framework) if phrasings_path.is_file() else {}
    return LoadedFramework(framework, path, content_hash(framework), source_lines, phrasings)


def frameworks_dir() -> Path:
    """Where frameworks live: ``CONTINUUM_FRAMEWORKS_DIR``, else the repository's ``frameworks/``."""
    configured = os.environ.get("CONTINUUM_FRAMEWORKS_DIR")
    if configured:
        return Path(configured)
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "frameworks"
        if (candidate / "README.md").is_file() and candidate != here.parent:
            return candidate
    return Path.cwd() / "frameworks"


def framework_paths(directory: Path | None = None) -> Iterator[Path]:
    directory = directory or frameworks_dir()
    yield from sorted(p for p in directory.glob(f"*/{FRAMEWORK_FILE}") if p.is_file())


class Registry:
    """The frameworks of one directory, each loaded once, on first use, and looked up by id."""

    def __init__(self, directory: Path | None = None):
        self.directory = directory or frameworks_dir()
        self._by_id: dict[str, LoadedFramework] = {}

    def ids(self) -> list[str]:
        return sorted(p.parent.name for p in framework_paths(self.directory))

    def all(self) -> list[LoadedFramework]:
        return [self.get(i) for i in self.ids()]

    def get(self, framework_id: str) -> LoadedFramework:
        if framework_id not in self._by_id:
            path = self.directory / framework_id / FRAMEWORK_FILE
            if "/" in framework_id or framework_id.startswith(".") or not path.is_file():
                known = ", ".join(self.ids()) or "none"
                raise LookupError(f"no framework with id {framework_id!r}; known: {known}")
            self._by_id[framework_id] = load_framework(path)
        return self._by_id[framework_id]


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    return Registry()
