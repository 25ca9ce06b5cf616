"""The escalations' forms. The rules (what is required when) live in ``services``; these bound lengths."""

from __future__ import annotations

from django import forms

from continuum.apps.escalations.services import MAX_STAGES, EscalationError
from continuum.apps.govuk.fields import CleanTextField

LONG = 5000


class RaiseForm(forms.Form):
    concern = CleanTextField(max_length=LONG, required=False)
    other_party = CleanTextField(max_length=300, required=False)
    desired_outcome = CleanTextField(max_length=LONG, required=False)


class RespondForm(forms.Form):
    response = CleanTextField(max_length=LONG, required=False)


class EscalateForm(forms.Form):
    reason = CleanTextField(max_length=LONG, required=False)


class ResolveForm(forms.Form):
    outcome = CleanTextField(max_length=LONG, required=False)


class ReviseOutcomeForm(forms.Form):
    outcome = CleanTextField(max_length=LONG, required=False)
    reason = CleanTextField(max_length=LONG, required=False)


class WithdrawForm(forms.Form):
    withdraw_reason = CleanTextField(max_length=LONG, required=False)


class ProcedureForm(forms.Form):
    """The partnership's procedure: its name, where it is published, and up to ``MAX_STAGES`` stages."""

    name = CleanTextField(max_length=300, required=False)
    url = forms.URLField(
        assume_scheme="https",
        max_length=200,
        required=False,
        error_messages={"invalid": "Enter a web address, like https://www.example.org/procedure"},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for n in range(1, MAX_STAGES + 1):
            self.fields[f"stage-{n}-who"] = CleanTextField(max_length=500, required=False)
            self.fields[f"stage-{n}-how"] = CleanTextField(max_length=LONG, required=False)
            self.fields[f"stage-{n}-within"] = CleanTextField(max_length=50, required=False)

    def stages(self) -> list[dict[str, str]]:
        return [
            {k: self.cleaned_data.get(f"stage-{n}-{k}", "") for k in ("who", "how", "within")}
            for n in range(1, MAX_STAGES + 1)
        ]


def add_service_error(form: forms.Form, exc: EscalationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))
