"""What fuzzing framework files found (tests/fuzz/test_framework_files.py), each kept as a regression test.

Before the fixes, a tagged value YAML could not build (``!!int``, ``!!bool maybe``) escaped the loader
as IndexError, ValueError or KeyError; a control character or bytes that are not UTF-8 gave no line;
an empty key gave no field.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from continuum.frameworks import FrameworkError, load_framework


def _problems(directory: Path) -> list:
    with pytest.raises(FrameworkError) as caught:
        load_framework(directory)
    return caught.value.problems


def _replace(directory: Path, old: str, new: str) -> Path:
    path = directory / "framework.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("tagged", "shown"),
    [
        ("!!int", "'' cannot be read as !!int"),  # was IndexError
        ("!!int x", "'x' cannot be read as !!int"),  # was ValueError
        ("!!float y", "'y' cannot be read as !!float"),  # was ValueError
        ("!!bool maybe", "'maybe' cannot be read as !!bool"),  # was KeyError
        ("!!timestamp 2020-13-45", "'2020-13-45' cannot be read as !!timestamp"),  # was ValueError
    ],
)
def test_a_tagged_value_yaml_cannot_build_names_its_line_and_field(tiny_copy: Path, tagged: str, shown: str):
    path = _replace(tiny_copy, "version: 1.0.0", f"version: {tagged}")
    [problem] = _problems(tiny_copy)
    assert problem.file == str(path)
    assert problem.line == 3
    assert problem.field == "version"
    assert problem.message == f"malformed YAML: {shown}"


def test_a_control_character_names_its_line(tiny_copy: Path):
    path = _replace(tiny_copy, "name: Tiny Partnership", "name: Tiny\x07 Partnership")
    [problem] = _problems(tiny_copy)
    assert (problem.file, problem.line) == (str(path), 2)
    assert problem.message == "malformed YAML: character U+0007 is not allowed (control characters are not)"


def test_bytes_that_are_not_utf8_name_their_line(tiny_copy: Path):
    path = tiny_copy / "framework.yaml"
    raw = path.read_bytes()
    at = raw.index(b"version")
    path.write_bytes(raw[:at] + b"\xff" + raw[at:])
    [problem] = _problems(tiny_copy)
    assert (problem.file, problem.line) == (str(path), 3)
    assert problem.message.startswith("not UTF-8 text (invalid start byte at byte ")


@pytest.mark.parametrize(("key", "named"), [("''", "''"), ("' '", "' '"), ('"\\u200b"', "'\\u200b'")])
def test_an_empty_or_invisible_unknown_key_is_still_named(tiny_copy: Path, key: str, named: str):
    _replace(tiny_copy, "version: 1.0.0", f"version: 1.0.0\n{key}: surprise")
    [problem] = _problems(tiny_copy)
    assert problem.line == 4
    assert problem.field == named
    assert problem.message.startswith("unknown field")
