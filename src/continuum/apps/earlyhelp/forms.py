"""Early help's forms: each checks its input's shape; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from continuum.apps.earlyhelp.models import CLOSURE_LABELS, FamilyMember, StepDown
from continuum.apps.earlyhelp.services import date_needed
from continuum.apps.govuk.fields import CleanTextField


class FamilyMemberForm(forms.Form):
    kind = forms.ChoiceField(
        choices=FamilyMember.Kind.choices, error_messages={"required": "Select whether this is a child or an adult"}
    )
    first_name = CleanTextField(max_length=100, error_messages={"required": "Enter their first name"})
    last_name = CleanTextField(max_length=100, error_messages={"required": "Enter their last name"})
    date_of_birth = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Enter a real date of birth, for example 27/03/2019"},
    )
    relationship = CleanTextField(max_length=100, required=False)


class NeedsForm(forms.Form):
    needs = forms.MultipleChoiceField(required=False)
    strengths = forms.MultipleChoiceField(required=False)
    strengths_text = CleanTextField(required=False, max_length=5000)

    def __init__(self, *args: Any, needs: list[tuple[str, str]], strengths: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["needs"].choices = needs  # type: ignore[attr-defined]
        self.fields["strengths"].choices = strengths  # type: ignore[attr-defined]

    def clean_needs(self) -> list[str]:
        return list(dict.fromkeys(self.cleaned_data["needs"]))  # a need posted twice is one need

    def clean_strengths(self) -> list[str]:
        return list(dict.fromkeys(self.cleaned_data["strengths"]))


class VoiceForm(forms.Form):
    family_voice = CleanTextField(
        max_length=10000, error_messages={"required": "Enter what the family say, in their words"}
    )


class ConsentForm(forms.Form):
    given_by = forms.TypedChoiceField(coerce=int, error_messages={"required": "Select who consented"})
    to_what = CleanTextField(max_length=2000, error_messages={"required": "Enter what they consented to"})
    share_with = CleanTextField(required=False, max_length=2000)
    shares_with_team = forms.BooleanField(required=False)

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["given_by"].choices = members  # type: ignore[attr-defined]

    @property
    def share_with_list(self) -> list[str]:
        return [part.strip() for part in self.cleaned_data.get("share_with", "").split(",") if part.strip()]


class VersionedForm(forms.Form):
    """A change to the plan or the team: carries the plan's version the person saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class TeamMemberForm(VersionedForm):
    username = CleanTextField(required=False, max_length=150)
    name = CleanTextField(required=False, max_length=200)
    agency = CleanTextField(max_length=200, error_messages={"required": "Enter the member's agency"})


class ActionForm(VersionedForm):
    description = CleanTextField(max_length=2000, error_messages={"required": "Enter what will be done"})
    owner = forms.TypedChoiceField(coerce=int, error_messages={"required": "Choose who owns this action"})
    due_date = forms.DateField(
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"required": "Enter the due date", "invalid": "Enter a real due date, for example 27/03/2027"},
    )

    def __init__(self, *args: Any, owners: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners  # type: ignore[attr-defined]


class ProgressForm(VersionedForm):
    action = forms.IntegerField(widget=forms.HiddenInput)
    progress = CleanTextField(required=False, max_length=5000)
    done = forms.BooleanField(required=False)


class CloseForm(forms.Form):
    code = forms.ChoiceField(
        choices=[(code, label) for code, label in CLOSURE_LABELS.items() if code != "step-up"],
        error_messages={"required": "Select why the episode is closing"},
    )
    text = CleanTextField(required=False, max_length=2000)


class ReviseClosureForm(CloseForm):
    """A change to a recorded closure: why the episode closed, now, and why that changed."""

    reason = CleanTextField(max_length=5000, error_messages={"required": "Enter why the closure has changed"})


class ReasonForm(forms.Form):
    reason = CleanTextField(max_length=5000, error_messages={"required": "Enter a reason"})


class StepUpForm(ReasonForm):
    """The step-up's reason, and a date for each child recorded without one (``dob_<id>``, ``unborn_<id>``)."""

    def __init__(self, *args: Any, undated: list[FamilyMember], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.undated = undated
        for child in undated:
            self.fields[f"dob_{child.pk}"] = forms.DateField(
                required=False,  # the service says which child still needs one
                input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                error_messages={"invalid": f"Enter a real date for {child}, for example 27/03/2019"},
            )
            self.fields[f"unborn_{child.pk}"] = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        """Every missing date at once, beside the reason's error (the service refuses the first it meets)."""
        cleaned = super().clean() or {}
        for child in self.undated:
            name = f"dob_{child.pk}"
            if cleaned.get(name) is None and name not in self.errors:
                self.add_error(name, date_needed(child))
        return cleaned

    def dates(self) -> dict[int, tuple[Any, bool]]:
        """Each undated child's ``(date or None, unborn)``, as :func:`services.step_up` takes them."""
        return {
            child.pk: (self.cleaned_data.get(f"dob_{child.pk}"), bool(self.cleaned_data.get(f"unborn_{child.pk}")))
            for child in self.undated
        }


class StepDownForm(forms.Form):
    origin = forms.ChoiceField(
        choices=StepDown.Origin.choices, error_messages={"required": "Select where the child is stepping down from"}
    )
    source_reference = CleanTextField(
        max_length=100, error_messages={"required": "Enter the referral or case reference"}
    )
    child_first_name = CleanTextField(max_length=100, error_messages={"required": "Enter the child's first name"})
    child_last_name = CleanTextField(max_length=100, error_messages={"required": "Enter the child's last name"})
    date_of_birth = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Enter a real date of birth, for example 27/03/2019"},
    )
    carer_name = CleanTextField(required=False, max_length=200)
    carer_relationship = CleanTextField(required=False, max_length=100)
    reason = CleanTextField(
        max_length=5000, error_messages={"required": "Enter why early help is right for the family now"}
    )
    history = CleanTextField(required=False, max_length=10000)

    def family(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        dob = data.get("date_of_birth")
        people: list[dict[str, Any]] = [
            {
                "kind": "child",
                "first_name": data["child_first_name"],
                "last_name": data["child_last_name"],
                "date_of_birth": dob.isoformat() if dob else None,
            }
        ]
        if data.get("carer_name", "").strip():
            first, _, last = data["carer_name"].strip().partition(" ")
            people.append(
                {
                    "kind": "adult",
                    "first_name": first,
                    "last_name": last or "(not given)",
                    "relationship": data.get("carer_relationship", ""),
                }
            )
        return people


class SettingsForm(forms.Form):
    first_review = CleanTextField(required=False, max_length=40)
    review_interval = CleanTextField(required=False, max_length=40)
    step_down_response = CleanTextField(required=False, max_length=40)
