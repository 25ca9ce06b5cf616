"""Awkward input for forms: long text, control and bidirectional-override characters, invisible-only text,
odd dates, huge and malformed numbers. Shared by the form fuzzing tests and the journeys' walks."""

from __future__ import annotations

from django.http import QueryDict
from hypothesis import strategies as st

CONTROL = "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"

SPECIMENS = [
    "",
    " ",
    "\t\n\r",
    "x" * 100_001,
    "A\u202eB" * 3_000,
    "\u202egnirts desrever",
    "\u200b",
    "\u200b\u200c\u200d\u2060",
    "\ufeff\ufeff",
    "a\x00b",
    "\x00",
    "\x1b[31mred",
    "<script>alert(1)</script>",
    "'; DROP TABLE checks_check; --",
    "{{ 7*7 }} {% now 'Y' %}",
    "%s %d %(x)s",
    "\ud800".encode("utf-16", "surrogatepass").decode("utf-16", "replace"),
    "👩‍👩‍👧‍👦" * 50,
    "Ǆ̴̡̛̖̗̘̙̜̝̞̟̠̤̥̦̩̪̫̬̭̮̯̰̱̲̳̹̺̻̼͇͈͉͍͎̀́̂̃̄̅̆̇̈̉̊̋̌̍̎̏̐̑̒̓̔̽̾̿̀́͂̓̈́͆͊͋͌̕̚ͅ͏͓͔͕͖͙͚͐͑͒͗͛",
    "2026-02-30",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "99999-01-01",
    "31/12/1899",
    "-1",
    "0",
    "1e309",
    "-1e309",
    "NaN",
    "inf",
    "99999999999999999999999999999999999999",
    "-9223372036854775809",
    "18446744073709551616",
    "٣",  # an Arabic-Indic digit: int() reads it
    "１２",  # full-width digits
    "1_000",
    "0x10",
    "true",
    "on",
    "None",
    "null",
    "[]",
    "{}",
]

awkward_text = (
    st.sampled_from(SPECIMENS)
    | st.text(st.characters(codec="utf-8") | st.sampled_from(CONTROL + BIDI + INVISIBLE), max_size=60)
    | st.integers(min_value=-(2**80), max_value=2**80).map(str)
)


def values_for(choices: list[str]) -> st.SearchStrategy[list[str]]:
    """One to three values for a field: a real choice sometimes, awkward text otherwise."""
    one = (st.sampled_from(choices) if choices else st.nothing()) | awkward_text
    return st.lists(one, min_size=0, max_size=3)


def awkward_answer(
    valid: dict[str, list[str]], choices: dict[str, list[str]]
) -> st.SearchStrategy[dict[str, list[str]]]:
    """The valid answer with some of the fields ``choices`` names (drawn in its order) replaced by awkward
    values (:func:`values_for` the field's own choices) or left out; the valid answer itself if it names none."""
    names = list(choices)
    if not names:  # a button alone (save, submit): what it sends is fixed
        return st.just(valid)
    changed = st.dictionaries(
        st.sampled_from(names),
        st.none() | st.sampled_from(names).flatmap(lambda k: values_for(choices[k])),
        min_size=1,
        max_size=len(names),
    )

    def apply(changes: dict[str, list[str] | None]) -> dict[str, list[str]]:
        out = dict(valid)
        for key, value in changes.items():
            if value is None:
                out.pop(key, None)
            else:
                out[key] = value
        return out

    return changed.map(apply)


def as_query(answer: dict[str, list[str]], *, drop_empty: bool = False) -> QueryDict:
    """The answer as a view reads it; ``drop_empty`` leaves out a field with no values, as the test client
    sends nothing of it."""
    data = QueryDict(mutable=True)
    for key, listed in answer.items():
        if listed or not drop_empty:
            data.setlist(key, listed)
    return data
