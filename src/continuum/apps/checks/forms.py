"""One form per question page. Error messages follow the GOV.UK Design System's wording."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import validators as django_validators

from continuum.apps.govuk.fields import CleanTextField
from continuum.frameworks.schema import Fact

MAX_TEXT = 5000


class PartnershipForm(forms.Form):
    partnership = forms.ChoiceField(
        error_messages={"required": "Select the partnership", "invalid_choice": "Select the partnership"}
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["partnership"].choices = choices


def concern_max_chars() -> int:
    """The longest concern accepted (``CONTINUUM_CONCERN_MAX_CHARS``): matching's cost grows with the text."""
    from django.conf import settings

    return int(getattr(settings, "CONTINUUM_CONCERN_MAX_CHARS", MAX_TEXT))


class ConcernForm(forms.Form):
    # Control and bidirectional-override characters are removed (CleanTextField), not refused.
    text = CleanTextField(required=False, strip=True)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        limit = concern_max_chars()  # configuration, read per form so that it can change without a restart
        field = self.fields["text"]
        field.max_length = limit
        field.validators.append(django_validators.MaxLengthValidator(limit))
        field.error_messages["max_length"] = f"Your description must be {limit:,} characters or fewer"
        self.max_chars_shown = f"{limit:,}"  # for the hint: "You can enter up to 3,000 characters"


class SelectionForm(forms.Form):
    """Checkboxes over some indicators: which of those shown are selected."""

    selected = forms.MultipleChoiceField(
        required=False, error_messages={"invalid_choice": "Select indicators from the list"}
    )
    shown = forms.MultipleChoiceField(
        required=False, error_messages={"invalid_choice": "The list of indicators has changed: try again"}
    )

    def __init__(self, *args: Any, ids: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [(i, i) for i in ids]
        self.fields["selected"].choices = choices
        self.fields["shown"].choices = choices


class FilterForm(forms.Form):
    """Search and filters on the indicators page (a GET form)."""

    q = CleanTextField(
        required=False,
        max_length=200,
        strip=True,
        error_messages={"max_length": "Search words must be 200 characters or fewer"},
    )
    domain = forms.ChoiceField(required=False, error_messages={"invalid_choice": "Select an area from the list"})
    level = forms.ChoiceField(required=False, error_messages={"invalid_choice": "Select a level from the list"})

    def __init__(self, *args: Any, domains: list[tuple[str, str]], levels: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = [("", "All areas"), *domains]
        self.fields["level"].choices = [("", "All levels"), *levels]


class ChildForm(forms.Form):
    age_years = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=25,
        error_messages={
            "invalid": "Years must be a whole number, like 7",
            "min_value": "Years must be 0 or more",
            "max_value": "Years must be 25 or fewer",
        },
    )
    age_months = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=11,
        error_messages={
            "invalid": "Months must be a whole number, like 3",
            "min_value": "Months must be 0 or more",
            "max_value": "Months must be 11 or fewer",
        },
    )
    facts = forms.MultipleChoiceField(
        required=False,
        choices=[(f.value, f.value) for f in Fact],
        error_messages={"invalid_choice": "Select key facts from the list"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        facts = data.get("facts") or []
        has_age = data.get("age_years") is not None or data.get("age_months") is not None
        if Fact.UNBORN.value in facts and has_age:
            self.add_error("age_years", "Leave the age blank for an unborn baby, or untick ‘Unborn’")
        if (data.get("age_years") or 0) == 25 and (data.get("age_months") or 0) > 0:
            self.add_error("age_months", "The age must be 25 years or younger")
        return data


class JudgementForm(forms.Form):
    """The practitioner's level: the recommended one (they agree) or another, with a reason.

    ``levels`` are those the service allows (:func:`continuum.apps.checks.services.allowed_levels`):
    the rule that overrides only raise a level, and that another level needs a reason, is the
    service's; its refusals come back as errors on the field they name."""

    level = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        error_messages={
            "required": "Select the level of need you judge this to be",
            "invalid_choice": "Select the level of need you judge this to be",
        },
    )
    reason = CleanTextField(
        required=False,
        max_length=MAX_TEXT,
        strip=True,
        error_messages={"max_length": f"Your reason must be {MAX_TEXT:,} characters or fewer"},
    )

    def __init__(self, *args: Any, levels: list[tuple[int, str]], recommended: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.recommended = recommended
        self.fields["level"].choices = [(str(n), name) for n, name in levels]

    @property
    def agrees(self) -> bool:
        return self.cleaned_data.get("level") == self.recommended


class LowerViewForm(forms.Form):
    """'I think it is lower': a level below the recommendation and why (recorded beside it, never instead).

    ``levels`` are :func:`continuum.apps.checks.services.lower_levels`; the service checks again."""

    lower_level = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        error_messages={
            "required": "Select the lower level you think this might be",
            "invalid_choice": "Select the lower level you think this might be",
        },
    )
    lower_reason = CleanTextField(
        required=True,
        max_length=MAX_TEXT,
        strip=True,
        error_messages={
            "required": "Enter why you think the level might be lower",
            "max_length": f"Your reason must be {MAX_TEXT:,} characters or fewer",
        },
    )

    def __init__(self, *args: Any, levels: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["lower_level"].choices = [(str(n), name) for n, name in levels]
