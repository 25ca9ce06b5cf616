"""Form fields shared by every app's forms."""

from __future__ import annotations

from typing import Any

from django import forms

from continuum.apps.govuk.text import clean_text, has_visible_text


class CleanTextField(forms.CharField):
    """A text field that removes control and bidirectional-override characters (:func:`clean_text`)
    and treats text with nothing visible (only spaces or zero-width characters) as empty: when the
    field is required, its ``required`` message is shown.

    Use it for every free-text and reason field: ``CleanTextField(max_length=..., error_messages=...)``.
    """

    def to_python(self, value: Any) -> str:
        text: str = super().to_python(value)
        text = clean_text(text).strip() if self.strip else clean_text(text)
        return text if has_visible_text(text) else self.empty_value
