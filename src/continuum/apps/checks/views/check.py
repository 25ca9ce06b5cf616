"""A stored check: its page (the recommendation, and the practitioner's judgement), its report and PDF.

Every showing of a check is written to the access log first; if that fails, nothing is shown.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from continuum.apps.checks import decision_report, presenters, services
from continuum.apps.checks.forms import JudgementForm
from continuum.apps.checks.models import Check
from continuum.apps.checks.views.common import actor_for
from continuum.apps.govuk.errors import error_summary, field_errors
from continuum.apps.govuk.pdf import pdf_response

FLASH_KEY = "continuum.flash"


def _get_check(request: HttpRequest, public_id: str) -> Check:
    """The check behind a link, if the actor may open it (``Check.objects.reachable_by_link``)."""
    return get_object_or_404(Check.objects.reachable_by_link(actor_for(request)), public_id=public_id)


@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    check = _get_check(request, public_id)
    actor = actor_for(request)
    levels = services.allowed_levels(check)
    initial = {"level": check.decided_level, "reason": check.judgement_reason}
    posted = request.POST if request.method == "POST" else None
    form = JudgementForm(posted, levels=levels, recommended=check.recommended_level, initial=initial)
    anchors = {"level": f"level-{levels[0][0]}" if levels else "judgement", "reason": "reason"}
    if request.method == "POST" and form.is_valid():
        agrees = form.agrees
        try:
            services.record_judgement(
                check,
                agrees=agrees,
                own_level=None if agrees else form.cleaned_data["level"],
                reason=form.cleaned_data.get("reason") or "",
                actor=actor,
            )
        except services.JudgementError as exc:
            form.add_error(exc.field, str(exc))
        else:
            request.session[FLASH_KEY] = "Your judgement has been recorded"
            return redirect(reverse("checks:detail", kwargs={"public_id": check.public_id}) + "#judgement")
    # Every showing of the check is logged, a form sent back with errors included.
    services.note_viewed(check, actor=actor)
    chosen = form["level"].value()
    context = {
        "check": check,
        "result": presenters.present_result(check.result, check.citations),
        "inputs": presenters.present_inputs(check),
        "replay": services.replay_check(check),
        "level_items": [
            {
                "html_id": f"level-{n}",
                "value": n,
                "label": name,
                "checked": str(chosen) == str(n),
                "hint": "The recommended level" if n == check.recommended_level else "",
            }
            for n, name in levels
        ],
        "reason": form["reason"].value() or "",
        "levels": dict(presenters.level_choices(check)),
        "errors": error_summary(form, anchors),
        "field_errors": field_errors(form),
        "flash": request.session.pop(FLASH_KEY, None),
    }
    return render(request, "checks/result.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET"])
def report_page(request: HttpRequest, public_id: str) -> HttpResponse:
    check = _get_check(request, public_id)
    services.note_viewed(check, actor=actor_for(request), what="print")
    return render(request, decision_report.TEMPLATE, decision_report.context(check))


@require_http_methods(["GET"])
def report_pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    check = _get_check(request, public_id)
    services.note_viewed(check, actor=actor_for(request), what="pdf")
    return pdf_response(decision_report.pdf(check, request), f"decision-report-{check.public_id}.pdf")
