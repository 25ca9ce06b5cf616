"""The front door's forms: they read what was posted; the services decide whether it is allowed."""

from __future__ import annotations

import re
from typing import Any

from django import forms


class GradeForm(forms.Form):
    grade = forms.CharField(error_messages={"required": "Choose a grade"})


class RequestCheckForm(forms.Form):
    agency = forms.CharField(error_messages={"required": "Choose an agency to ask"})
    question = forms.CharField(required=False, max_length=2000)


class AnswerForm(forms.Form):
    response = forms.CharField(max_length=5000, error_messages={"required": "Enter what the agency said"})


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
    text = forms.CharField(required=False, max_length=5000)
    reason_not_shared = forms.CharField(required=False, max_length=5000)


def decision_fields(data: Any, referred: list[str]) -> dict[str, Any]:
    """The decision form's values as the service takes them (no validation here: the service refuses)."""
    level = data.get("level", "")
    return {
        "outcome": data.get("outcome", ""),
        "police": data.get("police") == "yes",
        "indicators": {i: data.get(f"indicator-{i}", "") for i in referred},
        "added": [a for a in re.split(r"[\s,]+", data.get("added", "")) if a],
        "information": data.get("information", ""),
        "consent_basis": data.get("consent_basis", ""),
        "consent_detail": data.get("consent_detail", ""),
        "level": int(level) if level.isdigit() else None,
        "level_reason": data.get("level_reason", ""),
    }
