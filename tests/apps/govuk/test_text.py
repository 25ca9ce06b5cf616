"""Free text is cleaned one way everywhere: no control or bidirectional-override characters, and
text with nothing visible is no text (issue 19 item 5)."""

from __future__ import annotations

import pytest
from django import forms

from continuum.apps.govuk.fields import CleanTextField
from continuum.apps.govuk.text import clean_text, has_visible_text

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("plain words", "plain words"),
        ("two\nlines\tand a tab", "two\nlines\tand a tab"),
        ("crlf\r\nline", "crlf\nline"),
        ("nul\x00 bell\x07 esc\x1b[31m del\x7f c1\x85\x9b", "nul bell esc[31m del c1"),
        ("paid \u202e00.01£\u202c by the family", "paid 00.01£ by the family"),  # RLO .. PDF
        ("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069text", "text"),
        ("café ñ 子ども دعم", "café ñ 子ども دعم"),  # letters of any script stay
        ("\u200dword\u200b", "\u200dword\u200b"),  # zero-width characters inside text stay
    ],
)
def test_clean_text_removes_controls_and_bidi_overrides(raw: str, clean: str):
    assert clean_text(raw) == clean


@pytest.mark.parametrize("text", ["", "   ", ZERO_WIDTH, "\u3164\u2800", " \u00a0\u2003\n\t", "\u0301\u0301"])
def test_text_with_nothing_visible(text: str):
    assert not has_visible_text(text)


@pytest.mark.parametrize("text", ["a", "\u200bx\u200b", ".", "٣", "😀"])
def test_text_with_something_visible(text: str):
    assert has_visible_text(text)


class ReasonForm(forms.Form):
    reason = CleanTextField(max_length=20, error_messages={"required": "Enter your reason"})
    note = CleanTextField(required=False)


def test_a_required_reason_of_only_invisible_characters_is_refused_with_its_message():
    form = ReasonForm({"reason": ZERO_WIDTH + " \u202e"})
    assert not form.is_valid()
    assert form.errors["reason"] == ["Enter your reason"]


def test_the_field_cleans_and_strips_and_an_invisible_optional_text_is_empty():
    form = ReasonForm({"reason": "  \u202eknown to police\x00 ", "note": ZERO_WIDTH})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"reason": "known to police", "note": ""}
