"""A form's errors as the GOV.UK error summary and error messages want them."""

from __future__ import annotations

from django import forms


def error_summary(form: forms.Form, anchors: dict[str, str] | None = None) -> list[dict[str, str]]:
    """The GOV.UK error summary's list: each message links to the field it is about.

    ``anchors`` maps a field name to the id of the element to focus (a radio group's first
    input, say); by default the field's name, and the main content for form-wide errors."""
    anchors = anchors or {}
    items = []
    for name, errors in form.errors.items():
        target = anchors.get(name, name if name != "__all__" else "main-content")
        for message in errors:
            items.append({"href": f"#{target}", "text": str(message)})
    return items


def field_errors(form: forms.Form) -> dict[str, str]:
    """The first error of each field, for the GOV.UK error message beside it."""
    return {name: str(errors[0]) for name, errors in form.errors.items()}
