"""The referral's question pages: one form each. The services check everything again (a form is not the gate)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from continuum.apps.govuk.fields import CleanTextField
from continuum.apps.referrals import services
from continuum.apps.referrals.codes import (
    GENDERS,
    POSTCODE_INVALID,
    POSTCODE_MAX,
    REFERRAL_SOURCES,
    ascii_digits,
    nhs_number_valid,
    postcode_as_stored,
    postcode_valid,
)
from continuum.apps.referrals.models import ConsentBasis


class PostcodeField(CleanTextField):
    """A postcode, cleaned as it is stored (:func:`~continuum.apps.referrals.codes.postcode_as_stored`) and
    refused if it would not fit its column or is not letters A-Z and digits. Not required: an address
    may have none (one from abroad is written in the address)."""

    def __init__(self, **kwargs: Any):
        super().__init__(
            max_length=POSTCODE_MAX, required=False, error_messages={"max_length": POSTCODE_INVALID}, **kwargs
        )

    def clean(self, value: Any) -> str:
        text = postcode_as_stored(str(super().clean(value)))
        if text and not postcode_valid(text):
            raise forms.ValidationError(POSTCODE_INVALID)
        return text


class DateField(forms.MultiValueField):
    """A GOV.UK date input: day, month and year, posted as ``<name>-day``, ``<name>-month``, ``<name>-year``."""

    widget: Any

    def __init__(self, *, missing: str, invalid: str, **kwargs: Any):
        self.missing, self.invalid = missing, invalid
        parts = (CleanTextField(required=False), CleanTextField(required=False), CleanTextField(required=False))
        super().__init__(parts, require_all_fields=False, **kwargs)
        self.widget = forms.MultiWidget(widgets=[forms.TextInput(), forms.TextInput(), forms.TextInput()], attrs={})
        self.widget.widgets_names = ["-day", "-month", "-year"]

    def compress(self, data_list: list[str]) -> date | None:
        if not data_list or not any(part.strip() for part in data_list):
            if self.required:
                raise forms.ValidationError(self.missing)
            return None
        try:
            day, month, year = (int(part) for part in data_list)
            if year < 1900:
                raise ValueError
            return date(year, month, day)
        except (TypeError, ValueError, OverflowError):  # OverflowError: a part too large for date()
            raise forms.ValidationError(self.invalid) from None


def consent_from(data: Any) -> services.Consent:
    """The consent page's cleaned answers (or the phoned page's, which has no exception) as the service takes them."""
    return services.Consent(
        basis=data["consent_basis"],
        who=data["consent_who"],
        when=data["consent_when"],
        shared=data["consent_shared"],
        reason=data["consent_reason"],
        exception=data.get("consent_exception", ""),
    )


def date_parts(value: Any) -> dict[str, str]:
    """A date (or the posted parts) as the date input's ``day``, ``month`` and ``year``."""
    if isinstance(value, date):
        return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
    if isinstance(value, list | tuple) and len(value) == 3:
        return {"day": value[0] or "", "month": value[1] or "", "year": value[2] or ""}
    return {"day": "", "month": "", "year": ""}


class ChildForm(forms.Form):
    first_name = CleanTextField(max_length=100, error_messages={"required": "Enter the child's first name"})
    last_name = CleanTextField(max_length=100, error_messages={"required": "Enter the child's last name"})
    unborn = forms.BooleanField(required=False)
    date_of_birth = DateField(
        required=False,
        missing="Enter the child's date of birth",
        invalid="Date of birth must be a real date, like 27 3 2017",
    )
    unborn_due_date = DateField(
        required=False, missing="Enter the due date", invalid="The due date must be a real date, like 1 6 2027"
    )
    nhs_number = CleanTextField(max_length=12, required=False)
    gender = forms.ChoiceField(choices=[("", ""), *GENDERS], required=False)
    ethnicity = CleanTextField(max_length=100, required=False)
    school_or_setting = CleanTextField(max_length=200, required=False)

    def clean_nhs_number(self) -> str:
        value = ascii_digits(self.cleaned_data["nhs_number"])
        if value and not nhs_number_valid(value):
            raise forms.ValidationError("Enter a valid 10-digit NHS number, like 943 476 5919, or leave it empty")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("unborn"):
            if not data.get("unborn_due_date") and "unborn_due_date" not in self.errors:
                self.add_error("unborn_due_date", "Enter the due date")
        elif not data.get("date_of_birth") and "date_of_birth" not in self.errors:
            self.add_error("date_of_birth", "Enter the child's date of birth, or say the child is not yet born")
        elif data.get("date_of_birth") and data["date_of_birth"] > date.today():
            self.add_error("date_of_birth", "Date of birth must be in the past")
        return data


class AnotherChildForm(forms.Form):
    another = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if you need to add another child"},
    )


class FamilyForm(forms.Form):
    address = CleanTextField(
        max_length=500, widget=forms.Textarea, error_messages={"required": "Enter the family's address"}
    )
    postcode = PostcodeField()
    household = CleanTextField(max_length=2000, widget=forms.Textarea, required=False)
    languages = CleanTextField(max_length=200, required=False)
    interpreter_needed = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if the family needs an interpreter"},
    )


def household_rows(text: str) -> list[dict[str, str]]:
    """One person a line, "name, relationship" (the relationship optional)."""
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _, relationship = line.partition(",")
        rows.append({"name": name.strip(), "relationship": relationship.strip()})
    return rows


class ReferrerForm(forms.Form):
    NO_CONTACT = "Enter a phone number or an email address the front door can reach you on"
    referrer_name = CleanTextField(max_length=200, error_messages={"required": "Enter your name"})
    referrer_agency = CleanTextField(max_length=200, error_messages={"required": "Enter your agency or organisation"})
    referral_source = forms.ChoiceField(
        choices=[("", ""), *REFERRAL_SOURCES],
        error_messages={
            "required": "Select the kind of agency you refer from",
            "invalid_choice": "Select the kind of agency you refer from",
        },
    )
    referrer_phone = CleanTextField(max_length=40, required=False)
    referrer_email = forms.EmailField(
        required=False,
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.org"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("referrer_phone") and not data.get("referrer_email") and "referrer_email" not in self.errors:
            self.add_error("referrer_phone", self.NO_CONTACT)
        return data


class DoneForm(forms.Form):
    what_done_so_far = CleanTextField(
        max_length=5000,
        widget=forms.Textarea,
        error_messages={
            "required": "Say what has been done so far to support the child and family",
            "max_length": "What has been done so far must be 5,000 characters or fewer",
        },
    )


class ConsentForm(forms.Form):
    consent_basis = forms.ChoiceField(
        choices=ConsentBasis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether consent was obtained, not sought, or refused and overridden"},
    )
    consent_who = CleanTextField(max_length=200, required=False)
    consent_when = DateField(
        required=False,
        missing="Enter the date consent was given",
        invalid="The date must be a real date, like 5 1 2026",
    )
    consent_shared = CleanTextField(max_length=2000, required=False, widget=forms.Textarea)
    consent_reason = CleanTextField(max_length=2000, required=False, widget=forms.Textarea)
    consent_exception = CleanTextField(max_length=2000, required=False)


class PhonedForm(ChildForm, ReferrerForm):
    """An urgent referral taken by phone, on one page: the child, the caller, the concerns, consent."""

    address = CleanTextField(max_length=500, widget=forms.Textarea, required=False)
    postcode = PostcodeField()
    concerns = CleanTextField(
        max_length=5000,
        widget=forms.Textarea,
        error_messages={"required": "Write down the concerns the caller described"},
    )
    what_done_so_far = CleanTextField(
        max_length=5000,
        widget=forms.Textarea,
        error_messages={"required": "Write down what the caller said has been done so far"},
    )
    referrer_level = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, choices=[])
    consent_basis = ConsentForm.base_fields["consent_basis"]
    consent_who = CleanTextField(max_length=200, required=False)
    consent_when = ConsentForm.base_fields["consent_when"]
    consent_shared = CleanTextField(max_length=2000, required=False, widget=forms.Textarea)
    consent_reason = CleanTextField(max_length=2000, required=False, widget=forms.Textarea)

    NO_CONTACT = "Enter the caller's phone number (or their email address)"
    field_order = (
        "first_name",
        "last_name",
        "date_of_birth",
        "unborn",
        "unborn_due_date",
        "nhs_number",
        "gender",
        "school_or_setting",
        "address",
        "postcode",
        "referrer_name",
        "referrer_agency",
        "referral_source",
        "referrer_phone",
        "referrer_email",
        "referrer_level",
        "concerns",
        "what_done_so_far",
        "consent_basis",
        "consent_who",
        "consent_when",
        "consent_shared",
        "consent_reason",
    )

    def __init__(self, *args: Any, levels: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["referrer_level"].choices = [("", "Not given"), *levels]  # type: ignore[attr-defined]
        self.fields["referrer_name"].error_messages["required"] = "Enter the caller's name"
        self.fields["referrer_agency"].error_messages["required"] = "Enter the caller's agency or organisation"
        for key in ("required", "invalid_choice"):
            self.fields["referral_source"].error_messages[key] = "Select the kind of agency the caller is from"

    def full_clean(self) -> None:
        """Errors in the page's order (those found by ``clean`` would otherwise come last)."""
        super().full_clean()
        found: Any = getattr(self, "_errors", None)
        if found:
            ordered = {name: found[name] for name in self.fields if name in found}
            ordered |= {name: errors for name, errors in found.items() if name not in ordered}
            self._errors = type(found)(ordered)
