"""The front door's referral pages: the hand-off download (managers) and a phoned referral's written follow-up."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from continuum.apps.accounts.permissions import action_required
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
