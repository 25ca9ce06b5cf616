"""Raising a disagreement, an escalation's page (a timeline of its stages) and its moves, and one's own list.

Every showing of an escalation is written to the access log first; if that fails, nothing is shown.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from continuum.apps.accounts.permissions import action_required, can
from continuum.apps.escalations import queries, services
from continuum.apps.escalations.forms import (
    EscalateForm,
    RaiseForm,
    ResolveForm,
    RespondForm,
    ReviseOutcomeForm,
    WithdrawForm,
    add_service_error,
)
from continuum.apps.escalations.models import Escalation, Status
from continuum.apps.escalations.subjects import SubjectKind, kind_of
from continuum.apps.govuk import submissions
from continuum.apps.govuk.errors import error_summary, field_errors

FLASH_KEY = "escalations.flash"


def _subject(request: HttpRequest, key: str, reference: str) -> tuple[SubjectKind, Any]:
    kind = kind_of(key)
    if kind is None:
        raise Http404("No such kind of decision")
    manager: Any = kind.model_class()._default_manager
    subject = manager.visible_to(request.actor).filter(**{kind.lookup: reference}).first()  # type: ignore[attr-defined]
    if subject is None:
        raise Http404("No such decision")
    return kind, subject


@action_required("escalations.raise")
@require_http_methods(["GET", "POST"])
def raise_page(request: HttpRequest, kind: str, reference: str) -> HttpResponse:
    """Raise a disagreement about one decision: the decision, the procedure it will follow, the form."""
    actor = request.actor  # type: ignore[attr-defined]
    subject_kind, subject = _subject(request, kind, reference)
    if request.method == "POST":
        services.require_raise(actor, subject_kind, subject)  # who may, before what they sent
    decision = subject_kind.decision(subject)
    form = RaiseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            escalation = submissions.of_form(
                request,
                lambda: services.raise_escalation(actor, subject_kind, subject, **form.cleaned_data),
            )
        except services.EscalationError as exc:
            add_service_error(form, exc)
        else:
            request.session[FLASH_KEY] = "Your disagreement has been raised"
            return redirect("escalations:detail", public_id=escalation.public_id)
    context = {
        "kind": subject_kind,
        "reference": subject_kind.reference(subject),
        "decision": decision,
        "partnership": subject_kind.partnership(subject),
        "procedure": services.current_procedure(subject_kind.partnership(subject)),
        "form": form,
        "errors": error_summary(form),
        "field_errors": field_errors(form),
    }
    return render(request, "escalations/raise.html", context, status=400 if form.errors else 200)


def _detail(
    request: HttpRequest, escalation: Escalation, failed: forms.Form | None = None, action: str = ""
) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    stages = list(escalation.stages.all())
    reached = {stage.number: stage for stage in stages}
    rules = escalation.stage_rules
    timeline = [{"rule": rule, "stage": reached.get(rule["number"])} for rule in rules]
    current = reached.get(escalation.current_stage)
    is_open = escalation.status == Status.OPEN
    context = {
        "escalation": escalation,
        "timeline": timeline,
        "unstaged": stages if not rules else [],
        "current": current,
        "is_open": is_open,
        "may": {
            action: is_open and can(actor, f"escalations.{action}", escalation)
            for action in ("respond", "escalate", "resolve", "withdraw")
        },
        "failed": action,
        "form": failed,
        "errors": error_summary(failed) if failed is not None else [],
        "field_errors": field_errors(failed) if failed is not None else {},
        "flash": request.session.pop(FLASH_KEY, None),
        "where": services.current_procedure(escalation.partnership).where,
        "revisions": list(escalation.outcome_revisions.select_related("recorded_by")),
        "may_revise": escalation.status == Status.RESOLVED and can(actor, "escalations.resolve", escalation),
    }
    return render(request, "escalations/detail.html", context, status=400 if failed is not None else 200)


@action_required("escalations.view")
@require_http_methods(["GET"])
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    return _detail(request, queries.escalation_for(request.actor, public_id))  # type: ignore[attr-defined]


# action → (form, service, its keyword, flash)
MOVES: dict[str, tuple[type[forms.Form], Any, str, str]] = {
    "respond": (RespondForm, services.respond, "response", "The response has been recorded"),
    "escalate": (EscalateForm, services.escalate, "reason", "The disagreement has moved to the next stage"),
    "resolve": (ResolveForm, services.resolve, "outcome", "The resolution has been recorded"),
    "withdraw": (WithdrawForm, services.withdraw, "withdraw_reason", "The escalation has been withdrawn"),
}


@action_required("escalations.view")
@require_http_methods(["POST"])
def move(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    """One move of an escalation (respond, escalate, resolve, withdraw); on a refusal, the page with the error."""
    actor = request.actor  # type: ignore[attr-defined]
    if action not in MOVES:
        raise Http404("No such action")
    form_class, service, keyword, flash = MOVES[action]
    escalation = queries.escalation_for(actor, public_id, action=f"escalations.{action}")  # before the form
    if submissions.sent_before(request) is not None:  # the same form sent again: it was done
        request.session[FLASH_KEY] = flash
        return redirect(reverse("escalations:detail", kwargs={"public_id": public_id}))
    form = form_class(request.POST)
    form.is_valid()
    if not form.errors:
        argument = "reason" if action == "withdraw" else keyword
        try:
            submissions.of_form(
                request,
                lambda: service(actor, escalation, **{argument: form.cleaned_data[keyword]}),
            )
        except services.EscalationError as exc:
            add_service_error(form, exc)
        else:
            request.session[FLASH_KEY] = flash
            return redirect(reverse("escalations:detail", kwargs={"public_id": public_id}))
    escalation = queries.escalation_for(actor, public_id, purpose="page after a refused change")
    return _detail(request, escalation, failed=form, action=action)


@action_required("escalations.view")
@require_http_methods(["POST"])
def revise_outcome(request: HttpRequest, public_id: str) -> HttpResponse:
    """A change to a resolved escalation's outcome, recorded beside it with its reason; refusals on the page."""
    actor = request.actor  # type: ignore[attr-defined]
    escalation = queries.escalation_for(actor, public_id, action="escalations.resolve")  # before the form
    form = ReviseOutcomeForm(request.POST)
    form.is_valid()
    if not form.errors:
        try:
            submissions.of_form(
                request,
                lambda: services.revise_outcome(
                    actor, escalation, outcome=form.cleaned_data["outcome"], reason=form.cleaned_data["reason"]
                ),
            )
        except services.EscalationError as exc:
            add_service_error(form, exc)
        else:
            request.session[FLASH_KEY] = "The change to the resolution has been recorded beside it"
            return redirect(reverse("escalations:detail", kwargs={"public_id": public_id}))
    escalation = queries.escalation_for(actor, public_id, purpose="page after a refused change")
    return _detail(request, escalation, failed=form, action="revise")


@action_required("escalations.raise")
@require_http_methods(["GET"])
def mine(request: HttpRequest) -> HttpResponse:
    """The escalations the actor raised in this partnership (no child's details: links to each page)."""
    actor = request.actor  # type: ignore[attr-defined]
    return render(
        request,
        "escalations/mine.html",
        {"escalations": queries.raised_by(actor), "register": can(actor, "escalations.view_register")},
    )
