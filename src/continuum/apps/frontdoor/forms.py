"""The front door's forms: they read what was posted; the services decide whether it is allowed."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from continuum.apps.govuk.fields import CleanTextField
from continuum.apps.govuk.text import clean_text, whole_number


class GradeForm(forms.Form):
    grade = CleanTextField(error_messages={"required": "Choose a grade"})


class RequestCheckForm(forms.Form):
    agency = CleanTextField(error_messages={"required": "Choose an agency to ask"})
    question = CleanTextField(required=False, max_length=2000)


class AnswerForm(forms.Form):
    response = CleanTextField(max_length=5000, error_messages={"required": "Enter what the agency said"})


class MatchForm(forms.Form):
    same_child = forms.ChoiceField(
        choices=(("yes", "Yes"), ("no", "No")), error_messages={"required": "Say whether it is the same child"}
    )


class ReassignForm(forms.Form):
    to = forms.IntegerField(error_messages={"required": "Choose who to give it to", "invalid": "Choose someone"})


class FeedbackForm(forms.Form):
    shared = forms.ChoiceField(
        choices=(("yes", "Yes"), ("no", "No")),
        error_messages={"required": "Say whether the outcome can be shared with the referrer"},
    )
    text = CleanTextField(required=False, max_length=5000)
    reason_not_shared = CleanTextField(required=False, max_length=5000)


class ReviseDecisionForm(forms.Form):
    """A change to a recorded decision: the outcome, police and level now, and why (the service checks the choices)."""

    outcome = CleanTextField(error_messages={"required": "Choose the outcome"})
    police = forms.BooleanField(required=False)  # the checkbox sends "yes" when ticked
    level = forms.TypedChoiceField(
        choices=[(str(n), str(n)) for n in range(0, 10)],
        coerce=int,
        error_messages={"required": "Give the front door's level", "invalid_choice": "Give the front door's level"},
    )
    reason = CleanTextField(max_length=5000, error_messages={"required": "Enter why the decision has changed"})


def decision_fields(data: Any, referred: list[str]) -> dict[str, Any]:
    """The decision form's values as the service takes them (no validation here: the service refuses)."""
    level = data.get("level", "")
    return {
        "outcome": data.get("outcome", ""),
        "police": data.get("police") == "yes",
        "indicators": {i: data.get(f"indicator-{i}", "") for i in referred},
        "added": [a for a in re.split(r"[\s,]+", data.get("added", "")) if a],
        "information": clean_text(data.get("information", "")),
        "consent_basis": data.get("consent_basis", ""),
        "consent_detail": clean_text(data.get("consent_detail", "")),
        "level": whole_number(level),
        "level_reason": clean_text(data.get("level_reason", "")),
    }
