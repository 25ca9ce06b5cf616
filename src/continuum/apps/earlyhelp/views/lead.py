"""The lead professional's pages (caseload, reviews due), the receiving team's step-downs, the admin's settings."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from continuum.apps.accounts.permissions import action_required, can, login_required, require
from continuum.apps.earlyhelp import queries, services
from continuum.apps.earlyhelp.forms import ReasonForm, SettingsForm, StepDownForm
from continuum.apps.earlyhelp.models import StepDown
from continuum.apps.earlyhelp.views.assessment import _form_context, _refused, actor_of
from continuum.apps.govuk import submissions

PAGE_SIZE = 50


@action_required("earlyhelp.view")
def caseload(request: HttpRequest) -> HttpResponse:
    """The lead professional's open and draft episodes, the next review due first; 50 a page."""
    actor = actor_of(request)
    page = Paginator(queries.caseload(actor), PAGE_SIZE).get_page(request.GET.get("page"))
    services.note_listed(actor, page.object_list, what="early help caseload")  # one event names every family
    return render(request, "earlyhelp/caseload.html", {"page": page, "now": timezone.now()})


@action_required("earlyhelp.view")
def reviews_due(request: HttpRequest) -> HttpResponse:
    """Reviews not yet held on the lead professional's open episodes, soonest (and overdue) first; 50 a page."""
    actor = actor_of(request)
    page = Paginator(queries.reviews_due(actor), PAGE_SIZE).get_page(request.GET.get("page"))
    services.note_listed(actor, [review.episode for review in page.object_list], what="early help reviews due")
    return render(request, "earlyhelp/reviews_due.html", {"page": page, "now": timezone.now()})


@action_required("earlyhelp.answer_step_down")
def step_downs(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    waiting = list(queries.step_downs_waiting(actor))
    for handed in waiting:  # the list names no child, but it is a list of children: logged like a view
        services.note_viewed(actor, handed, what="step-downs list")
    return render(request, "earlyhelp/step_downs.html", {"step_downs": waiting, "now": timezone.now()})


@login_required
@require_http_methods(["GET", "POST"])
def step_down(request: HttpRequest, public_id: str) -> HttpResponse:
    """A step-down: the receiving team accepts it (an assessment starts) or refuses it with a reason;
    whoever asked sees where it stands."""
    actor = actor_of(request)
    answering = request.method == "POST"
    if answering:  # the role first (403), before which step-down (404), as every other page refuses
        require(actor, "earlyhelp.answer_step_down")
    handed = get_object_or_404(StepDown.objects.visible_to(actor), public_id=public_id)
    if answering:  # and this step-down, before the access log: a refused answer writes nothing at all
        require(actor, "earlyhelp.answer_step_down", handed)
    services.note_viewed(actor, handed, what="step-down page")
    form = ReasonForm(request.POST if request.POST.get("answer") == "refuse" else None)
    refusal = ""
    if request.method == "POST":
        try:
            if request.POST.get("answer") == "accept":
                episode = submissions.of_form(request, lambda: services.accept_step_down(actor, handed))
                return redirect("earlyhelp:tasks", public_id=episode.public_id)
            if form.is_valid():
                submissions.of_form(
                    request,
                    lambda: services.refuse_step_down(actor, handed, reason=form.cleaned_data["reason"]),
                )
                return redirect("earlyhelp:step_downs")
        except services.EarlyHelpError as exc:
            if form.is_bound:
                _refused(form, exc)
            else:  # accepting: the reason form is not bound, so it cannot carry the error
                refusal = str(exc)
    context = {
        "step_down": handed,
        "may_answer": can(actor, "earlyhelp.answer_step_down", handed),
        "may_disagree": can(actor, "escalations.raise") and handed.partnership == actor.partnership,
        "reason": form["reason"].value() or "",
        "now": timezone.now(),
        **_form_context(form),
    }
    if refusal:
        context["errors"] = [{"href": "#main-content", "text": refusal}]
    return render(request, "earlyhelp/step_down.html", context, status=400 if form.errors or refusal else 200)


@action_required("earlyhelp.request_step_down")
@require_http_methods(["GET", "POST"])
def new_step_down(request: HttpRequest) -> HttpResponse:
    """Step a child down to early help from a front-door decision or a social care case."""
    actor = actor_of(request)
    form = StepDownForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        history = [{"what": data["history"].strip()}] if data.get("history", "").strip() else []
        try:
            handed = submissions.of_form(
                request,
                lambda: services.request_step_down(
                    actor,
                    origin=data["origin"],
                    source_reference=data["source_reference"],
                    family=form.family(),
                    reason=data["reason"],
                    history=history,
                ),
            )
        except services.EarlyHelpError as exc:
            _refused(form, exc)
        else:
            return redirect("earlyhelp:step_down", public_id=handed.public_id)
    chosen = form["origin"].value()
    items = [
        {"html_id": f"origin-{value}", "value": value, "label": label, "checked": chosen == value}
        for value, label in StepDown.Origin.choices
    ]
    values = {name: form[name].value() or "" for name in form.fields}
    context = {"items": items, "values": values, **_form_context(form, {"origin": items[0]["html_id"]})}
    return render(request, "earlyhelp/new_step_down.html", context, status=400 if form.errors else 200)


@action_required("earlyhelp.answer_step_down")
@require_http_methods(["GET", "POST"])
def front_door(request: HttpRequest) -> HttpResponse:
    """The front door's decisions of early help waiting for the team: start the assessment from one."""
    actor = actor_of(request)
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        referral = queries.front_door_referral(actor, request.POST.get("referral", ""))
        try:
            episode = submissions.of_form(request, lambda: services.start_from_front_door(actor, referral))
        except services.EarlyHelpError as exc:
            errors = [{"href": "#main-content", "text": str(exc)}]
        else:
            return redirect("earlyhelp:tasks", public_id=episode.public_id)
    referrals = queries.front_door_decisions(actor)
    for referral in referrals:  # each row names a child: the access log, as for a view
        services.note_viewed(actor, referral, what="early help: front-door decisions list")
    context = {"referrals": referrals, "errors": errors}
    return render(request, "earlyhelp/front_door.html", context, status=400 if errors else 200)


@action_required("earlyhelp.configure")
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """The partnership's own intervals, used only where the document and national guidance give none."""
    actor = actor_of(request)
    current = services.partnership_settings(actor.partnership or "")
    initial = {k: getattr(current, k, "") for k in ("first_review", "review_interval", "step_down_response")}
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_settings(actor, **form.cleaned_data)
        except services.EarlyHelpError as exc:
            _refused(form, exc)
        else:
            return redirect("earlyhelp:settings")
    values = {name: form[name].value() or "" for name in form.fields}
    return render(
        request,
        "earlyhelp/settings.html",
        {"values": values, **_form_context(form)},
        status=400 if form.errors else 200,
    )
