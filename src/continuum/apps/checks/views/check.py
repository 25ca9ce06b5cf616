"""A stored check: its page (the recommendation, and the practitioner's judgement), its report and PDF.

Every showing of a check is written to the access log first; if that fails, nothing is shown.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from continuum.apps.accounts.actor import Actor
from continuum.apps.accounts.permissions import can
from continuum.apps.checks import decision_report, presenters, recorded, services
from continuum.apps.checks.forms import JudgementForm, LowerViewForm
from continuum.apps.checks.models import Check
from continuum.apps.checks.views.common import actor_for, made_here
from continuum.apps.govuk import submissions
from continuum.apps.govuk.errors import error_summary, field_errors
from continuum.apps.govuk.pdf import pdf_response

FLASH_KEY = "continuum.flash"


def _get_check(request: HttpRequest, public_id: str) -> Check:
    """The check behind a link, if the actor may open it (``Check.objects.reachable_by_link``)."""
    return get_object_or_404(Check.objects.reachable_by_link(actor_for(request)), public_id=public_id)


@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """The check's page; a POST records the first judgement, or (once judged) a change of mind beside it.

    Neither is open to whoever holds the link: :func:`services.may_judge` decides (the person who made it)."""
    check = _get_check(request, public_id)
    actor = actor_for(request)
    here = made_here(request, check.public_id)
    levels = services.allowed_levels(check)
    posted = request.POST if request.method == "POST" else None
    form = JudgementForm(posted, levels=levels, recommended=check.recommended_level)
    if posted is not None:
        if services.may_judge(check, actor, made_here=here) is not None:
            raise PermissionDenied("Only the person who made this check can record its judgement")
        if form.is_valid():
            agrees = form.agrees
            arguments = {
                "agrees": agrees,
                "own_level": None if agrees else form.cleaned_data["level"],
                "reason": form.cleaned_data.get("reason") or "",
                "actor": actor,
                "made_here": here,
            }
            try:
                if check.judgement:
                    submissions.of_form(request, lambda: services.revise_judgement(check, **arguments))
                    flash = "Your change of judgement has been recorded beside the first"
                else:
                    submissions.of_form(request, lambda: services.record_judgement(check, **arguments))
                    flash = "Your judgement has been recorded"
            except services.JudgementError as exc:
                form.add_error(exc.field, str(exc))
            else:
                request.session[FLASH_KEY] = flash
                return redirect(reverse("checks:detail", kwargs={"public_id": check.public_id}) + "#judgement")
    return _render_check(request, check, form=form, lower_form=LowerViewForm(levels=services.lower_levels(check)))


@require_http_methods(["POST"])
def lower_view(request: HttpRequest, public_id: str) -> HttpResponse:
    """'I think it is lower': the practitioner's lower view and reason, recorded beside the level, never instead."""
    check = _get_check(request, public_id)
    here = made_here(request, check.public_id)
    if services.may_judge(check, actor_for(request), made_here=here) is not None:
        raise PermissionDenied("Only the person who made this check can record a view of its level")
    lower_form = LowerViewForm(request.POST, levels=services.lower_levels(check))
    if lower_form.is_valid():
        try:
            submissions.of_form(
                request,
                lambda: services.record_lower_view(
                    check,
                    level=lower_form.cleaned_data["lower_level"],
                    reason=lower_form.cleaned_data.get("lower_reason") or "",
                    actor=actor_for(request),
                    made_here=here,
                ),
            )
        except services.JudgementError as exc:
            lower_form.add_error(exc.field, str(exc))
        else:
            request.session[FLASH_KEY] = "Your view that the level might be lower has been recorded"
            return redirect(reverse("checks:detail", kwargs={"public_id": check.public_id}) + "#lower-view")
    levels = services.allowed_levels(check)
    form = JudgementForm(None, levels=levels, recommended=check.recommended_level)
    return _render_check(request, check, form=form, lower_form=lower_form)


def _render_check(
    request: HttpRequest, check: Check, *, form: JudgementForm, lower_form: LowerViewForm
) -> HttpResponse:
    """The check's page; every showing is logged first, a form sent back with errors included."""
    services.note_viewed(check, actor=actor_for(request))
    levels = services.allowed_levels(check)
    lower = services.lower_levels(check)
    anchors = {"level": f"level-{levels[0][0]}" if levels else "judgement", "reason": "reason"}
    lower_anchors = {
        "lower_level": f"lower-level-{lower[0][0]}" if lower else "lower-view",
        "lower_reason": "lower_reason",
    }
    chosen = form["level"].value()
    actor = actor_for(request)
    here = made_here(request, check.public_id)
    may = services.may_judge(check, actor, made_here=here) is None
    signed_in = actor.user is not None and actor.user.is_authenticated
    chosen_lower = lower_form["lower_level"].value()
    lower_errors = field_errors(lower_form)
    context = {
        "check": check,
        # what was recommended, why, and its replay: the same for everyone who may see it (checks/recorded.py)
        "recorded": recorded.parts(check),
        "inputs": presenters.present_inputs(check),
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
        "lower_items": [
            {"html_id": f"lower-level-{n}", "value": n, "label": name, "checked": str(chosen_lower) == str(n)}
            for n, name in lower
        ],
        "lower_views": list(check.lower_views.all()),
        # a change of mind is recorded beside a judgement: none to look for before the first
        "revisions": list(check.judgement_revisions.select_related("recorded_by")) if check.judgement else [],
        "may_judge": may and not check.judgement,
        "may_revise": may and bool(check.judgement) and signed_in,
        "may_lower": may,
        "may_disagree": _may_disagree(actor, check),
        "lower_reason": lower_form["lower_reason"].value() or "",
        "lower_errors": lower_errors,
        "lower_open": bool(lower_form.errors),
        "reason": form["reason"].value() or "",
        "levels": dict(presenters.level_choices(check)),
        "errors": error_summary(form, anchors) + error_summary(lower_form, lower_anchors),
        "field_errors": field_errors(form),
        "flash": request.session.pop(FLASH_KEY, None),
    }
    failed = bool(form.errors or lower_form.errors)
    return render(request, "checks/result.html", context, status=400 if failed else 200)


def _may_disagree(actor: Actor, check: Check) -> bool:
    """Whether the page offers to raise a disagreement about the check (escalations' own rule decides on raising)."""
    return (
        can(actor, "escalations.raise")
        and (check.sent_to_partnership or check.framework_id) == actor.partnership
        and Check.objects.visible_to(actor).filter(pk=check.pk).exists()
    )


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
