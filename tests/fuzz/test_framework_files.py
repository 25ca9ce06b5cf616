"""Framework files fuzzed (hypothesis): whatever an editor writes, the loader loads it or says where it is wrong.

Two small framework files are the seeds: the tiny test framework and a real partnership's
(Cambridgeshire and Peterborough, the smallest). Each example changes one to three things, either
in the parsed data (a wrong type, a missing or unknown field, a bad id, a reference to nothing,
odd text) or in the raw text (a broken line, a stray character, a control or bidirectional
character, bytes that are not UTF-8), writes the file beside its source document and loads it.
The loader must return a framework or raise :class:`FrameworkError` whose every problem names
this file, a line and (for anything past the YAML syntax) a field: never another exception.

Bounded: a fixed number of derandomised examples per seed, no example database; a few seconds.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from continuum.frameworks import FrameworkError, load_framework
from continuum.frameworks.yamlfile import parse_yaml

ROOT = Path(__file__).resolve().parents[2]
SEEDS = {
    "tiny": ROOT / "tests" / "fixtures" / "frameworks" / "tiny",
    "cambridgeshire-peterborough": ROOT / "frameworks" / "cambridgeshire-peterborough",
}
# Examples per seed: the real file takes about 0.2 s an example to write and load, the tiny one 0.02 s.
EXAMPLES = {"tiny": 200, "cambridgeshire-peterborough": 50}

BOUNDED = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Characters that break text in pages and files: controls, bidirectional overrides, zero-width, BOM, NUL.
AWKWARD = "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\u2028\u2029\u202e\u202d\u2066\u2069\u200b\u200d\ufeff\ufffe"
odd_text = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(AWKWARD), max_size=40)
bad_ids = (
    st.sampled_from(
        ["", " ", "Bad Id", "UPPER", "-leading", "trailing-", "a..b", "ünïcode", "a\u202eb", "a\x00b", "1" * 300]
    )
    | odd_text
)

# Any value YAML can carry (the loader's YAML has no custom tags; a tag is written as text).
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | odd_text
    | bad_ids
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(odd_text | bad_ids, children, max_size=3),
    max_leaves=6,
)

TEXT_INSERTS = [
    ":",
    ": :",
    "- ",
    "{",
    "}",
    "[",
    "]",
    "\t",
    "  ",
    "\n",
    "\n  - ",
    "&a ",
    "*a",
    "*nowhere",
    "<<: *a\n",
    "!!python/object:os.system ",
    "!!binary ",
    "!!int ",
    "!!timestamp ",
    "? ",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    "|",
    ">",
    "'",
    '"',
    "#",
    "@",
    "`",
    "id: x\n",
    "levels: []\n",
    *AWKWARD,
]


def paths(data: Any, here: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in parsed YAML: mapping keys and list positions, depth first."""
    yield here
    if isinstance(data, dict):
        for key, value in data.items():
            yield from paths(value, (*here, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from paths(value, (*here, index))


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _ids(data: Any) -> list[str]:
    return [p for p in (v.get("id") for v in _walk(data) if isinstance(v, dict)) if isinstance(p, str)]


def _walk(data: Any) -> Iterator[Any]:
    yield data
    if isinstance(data, dict):
        for value in data.values():
            yield from _walk(value)
    elif isinstance(data, list):
        for value in data:
            yield from _walk(value)


class Mutated:
    """A mutated file's content; shown in a failure report as the edits made, not the whole file."""

    def __init__(self, content: Any, edits: list[str]):
        self.content, self.edits = content, edits

    def __repr__(self) -> str:
        return f"Mutated({'; '.join(self.edits)})"


def _short(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 120 else shown[:117] + "..."


@st.composite
def mutated_data(draw: st.DrawFn, data: Any) -> Mutated:
    """``data`` with one to three structural changes."""
    import copy

    data = copy.deepcopy(data)
    edits: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        places = [p for p in paths(data) if p]
        if not places:
            break
        path = draw(st.sampled_from(places))
        parent, last = _at(data, path[:-1]), path[-1]
        known_ids = _ids(data)
        action = draw(st.sampled_from(["replace", "delete", "unknown-key", "bad-id", "dangling", "swap", "empty"]))
        if action == "replace":
            parent[last] = draw(values)
        elif action == "delete":
            del parent[last]
        elif action == "unknown-key" and isinstance(parent, dict):
            parent[draw(odd_text | bad_ids)] = draw(values)
        elif action == "bad-id" and isinstance(parent, dict) and "id" in parent:
            parent["id"] = draw(bad_ids)
        elif action == "dangling" and isinstance(parent[last], str):
            parent[last] = draw(st.sampled_from(["no-such-thing", *known_ids])) + draw(st.sampled_from(["", "-x"]))
        elif action == "swap" and known_ids:
            parent[last] = draw(st.sampled_from(known_ids))
        elif action == "empty":
            parent[last] = type(parent[last])() if isinstance(parent[last], list | dict | str) else None
        else:
            parent[last] = draw(values)
        edits.append(f"{action} at {path}: {_short(parent.get(last) if isinstance(parent, dict) else None)}")
    return Mutated(data, edits)


@st.composite
def mutated_text(draw: st.DrawFn, text: str) -> Mutated:
    """``text`` with one to three raw edits; sometimes bytes that are not UTF-8."""
    edits: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "duplicate-line", "indent", "truncate", "insert-odd"]))
        if action == "insert":
            text = text[:at] + draw(st.sampled_from(TEXT_INSERTS)) + text[at:]
        elif action == "insert-odd":
            text = text[:at] + draw(odd_text) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 80)) :]
        elif action == "duplicate-line":
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = len(text) if end < 0 else end + 1
            text = text[:end] + text[start:end] + text[end:]
        elif action == "indent":
            start = text.rfind("\n", 0, at) + 1
            text = text[:start] + draw(st.sampled_from([" ", "   ", "\t", "-"])) + text[start:]
        else:
            text = text[:at]
        edits.append(f"{action} at {at}: {_short(text[max(0, at - 20) : at + 40])}")
    raw = text.encode("utf-8", errors="surrogatepass")
    if draw(st.integers(0, 9)) == 0:
        at = draw(st.integers(0, len(raw)))
        bad = draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00"]))
        raw = raw[:at] + bad + raw[at:]
        edits.append(f"bytes {bad!r} at byte {at}")
    return Mutated(raw, edits)


# Problems about the file as a whole, before any field can be named.
WHOLE_FILE = ("malformed YAML", "not UTF-8", "the file is empty", "expected a mapping")


def assert_loads_or_explains(directory: Path) -> None:
    """The framework in ``directory`` loads, or its error names file, line and field for every problem."""
    try:
        load_framework(directory)
    except FrameworkError as error:
        assert error.problems, "a FrameworkError with no problems"
        for problem in error.problems:
            assert Path(problem.file).parent == directory, f"names another file: {problem}"
            assert problem.message.strip(), f"no message: {problem!r}"
            assert problem.line is not None and problem.line >= 1, f"no line: {problem}"
            if not problem.message.startswith(WHOLE_FILE):
                assert problem.field, f"no field: {problem}"
            str(problem)  # it can be printed


def _copy(seed: Path) -> Path:
    target = Path(tempfile.mkdtemp(prefix="fuzz-")) / seed.name
    shutil.copytree(seed, target, ignore=shutil.ignore_patterns("*.md"))
    return target


@dataclass(frozen=True)
class Seed:
    name: str
    directory: Path  # a writable copy; each example overwrites its framework.yaml
    data: Any
    text: str


@pytest.fixture(scope="module", params=sorted(SEEDS), ids=sorted(SEEDS))
def seed(request: pytest.FixtureRequest) -> Iterator[Seed]:
    """A writable copy of one seed framework, with its parsed data and its text."""
    directory = _copy(SEEDS[request.param])
    text = (directory / "framework.yaml").read_text(encoding="utf-8")
    data, _ = parse_yaml(directory / "framework.yaml")
    load_framework(directory)  # the seed itself loads
    yield Seed(request.param, directory, data, text)
    shutil.rmtree(directory.parent)


def _dump(data: Any, unicode: bool) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, allow_unicode=unicode, sort_keys=False, width=10_000)


@pytest.mark.slow
def test_structural_mutations_load_or_name_file_line_and_field(seed: Seed):
    @settings(BOUNDED, max_examples=EXAMPLES[seed.name])
    @given(st.data())
    def mutate(data: st.DataObject) -> None:
        mutated = data.draw(mutated_data(seed.data), label="mutated")
        unicode = data.draw(st.booleans(), label="unicode")
        (seed.directory / "framework.yaml").write_text(_dump(mutated.content, unicode), encoding="utf-8")
        assert_loads_or_explains(seed.directory)

    mutate()


@pytest.mark.slow
def test_textual_mutations_load_or_name_file_line_and_field(seed: Seed):
    @settings(BOUNDED, max_examples=EXAMPLES[seed.name])
    @given(st.data())
    def mutate(data: st.DataObject) -> None:
        (seed.directory / "framework.yaml").write_bytes(data.draw(mutated_text(seed.text), label="mutated").content)
        assert_loads_or_explains(seed.directory)

    mutate()
