"""The front door's referral pages: the hand-off download (managers) and a phoned referral's written follow-up."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from continuum.apps.accounts.permissions import action_required
from continuum.apps.govuk import submissions
from continuum.apps.referrals import queries, services


@action_required("referrals.export")
def export(request: HttpRequest) -> HttpResponse:
    """Download the partnership's decided referrals (CSV or JSON) for the council's case system."""
    errors: list[dict[str, str]] = []
    since_text, fmt = request.POST.get("since", "").strip(), request.POST.get("format", "")
    if request.method == "POST":
        since = None
        if since_text:
            try:
                since = date.fromisoformat(since_text)
            except ValueError:
                errors.append({"href": "#since", "text": "Enter the date as year-month-day, like 2026-04-01"})
        if fmt not in ("csv", "json"):
            errors.append({"href": "#format-csv", "text": "Choose CSV or JSON"})
        if not errors:
            made, content = services.export_decided(request.actor, request.actor.partnership, since=since, fmt=fmt)  # type: ignore[attr-defined]
            kind = "text/csv" if fmt == "csv" else "application/json"
            response = HttpResponse(content, content_type=f"{kind}; charset=utf-8")
            name = f"referrals-{made.partnership}-{made.created_at:%Y%m%d-%H%M%S}.{fmt}"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    return render(
        request,
        "referrals/export.html",
        {"errors": errors, "since": since_text, "format": fmt},
        status=400 if errors else 200,
    )


@require_POST
@action_required("referrals.record_follow_up")
def follow_up(request: HttpRequest, public_id: str) -> HttpResponse:
    """Record that a phoned referral's written follow-up arrived (now)."""
    referral = queries.by_reference(request.actor, public_id)  # type: ignore[attr-defined]
    if referral is None:
        raise Http404("No referral you can see has this reference")
    try:
        services.record_written_follow_up(request.actor, referral)  # type: ignore[attr-defined]
    except services.ReferralError as refusal:
        return render(
            request,
            "referrals/refused.html",
            {"message": refusal.message, "back": f"/referrals/{referral.public_id}/"},
            status=400,
        )
    return redirect("referrals:detail", public_id=referral.public_id)


@action_required("referrals.record_phoned")
def phoned(request: HttpRequest) -> HttpResponse:
    """Record an urgent referral taken by phone; its written follow-up becomes a deadline."""
    from continuum.apps.referrals import forms
    from continuum.apps.referrals.views.journey import values

    loaded = services._framework(request.actor.partnership)  # type: ignore[attr-defined]
    levels = [(lv.number, f"{lv.number}: {lv.name}") for lv in loaded.framework.levels]
    form = forms.PhonedForm(request.POST if request.method == "POST" else None, levels=levels)
    errors: list[dict[str, str]] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unborn = bool(data["unborn"])
        details = services.Details(
            children=[
                services.Child(
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    date_of_birth=None if unborn else data["date_of_birth"],
                    unborn_due_date=data["unborn_due_date"] if unborn else None,
                    nhs_number=data["nhs_number"],
                    gender=data["gender"],
                    school_or_setting=data["school_or_setting"],
                )
            ],
            referrer_name=data["referrer_name"],
            referrer_agency=data["referrer_agency"],
            referral_source=data["referral_source"],
            referrer_phone=data["referrer_phone"],
            referrer_email=data["referrer_email"],
            what_done_so_far=data["what_done_so_far"],
            consent=forms.consent_from(data),
            address=data["address"],
            postcode=data["postcode"],
        )
        try:
            actor = request.actor  # type: ignore[attr-defined]
            referral = submissions.of_form(
                request,
                lambda: services.record_phoned_referral(
                    actor, details=details, concerns=data["concerns"], referrer_level=data["referrer_level"]
                )[0],
            )
        except services.ReferralError as refusal:
            if refusal.field in form.fields:
                form.add_error(refusal.field, refusal.message)
            else:
                errors.append({"href": "#main-content", "text": refusal.message})
        else:
            return redirect("referrals:detail", public_id=referral.public_id)
    from continuum.apps.govuk.errors import error_summary, field_errors

    summary = (
        error_summary(
            form,
            {
                "date_of_birth": "date_of_birth-day",
                "unborn_due_date": "unborn_due_date-day",
                "consent_when": "consent_when-day",
                "consent_basis": "consent_basis-obtained",
            },
        )
        if form.is_bound
        else []
    ) + errors
    value = values(form)
    return render(
        request,
        "referrals/phoned.html",
        {
            "form": form,
            "errors": summary,
            "field_errors": field_errors(form) if form.is_bound else {},
            "value": value,
            "dob": forms.date_parts(value["date_of_birth"]),
            "due": forms.date_parts(value["unborn_due_date"]),
            "when": forms.date_parts(value["consent_when"]),
            "levels": levels,
            "sources": forms.REFERRAL_SOURCES,
            "bases": forms.ConsentBasis.choices,
        },
        status=400 if summary else 200,
    )
