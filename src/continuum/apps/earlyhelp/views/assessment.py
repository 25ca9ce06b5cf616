"""The practitioner's pages for the assessment: start it, the task list, each section, check answers, submit.

The draft lives in the database, so it can be left and resumed from the task list at any time. Every
showing of a family's record goes through :func:`queries.family_record` (the access log) first.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from continuum.apps.accounts.actor import Actor
from continuum.apps.accounts.permissions import action_required
from continuum.apps.checks.models import Check
from continuum.apps.earlyhelp import queries, services
from continuum.apps.earlyhelp.forms import ConsentForm, FamilyMemberForm, NeedsForm, VoiceForm
from continuum.apps.earlyhelp.models import SECTIONS, Episode, Status
from continuum.apps.govuk import submissions
from continuum.apps.govuk.errors import error_summary, field_errors


def actor_of(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


def _refused(form: Any, exc: services.EarlyHelpError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc))


def statements(items: Any) -> list[dict[str, Any]]:
    """The framework's statements as plain data for the templates (``source`` for ``lines_label``)."""
    return [item.model_dump() for item in items or []]


def _form_context(form: Any, anchors: dict[str, str] | None = None) -> dict[str, Any]:
    return {"form": form, "errors": error_summary(form, anchors), "field_errors": field_errors(form)}


def saving(request: HttpRequest, action: str) -> str | None:
    """The action a page's post does (``action``), asked of this record first (403) by :func:`queries.family_record`:
    before the access log, before a form sent again is answered and before what was posted is read. A page only
    shown (GET) asks nothing more than seeing the record."""
    return action if request.method == "POST" else None


def _draft(request: HttpRequest, public_id: str) -> Episode | HttpResponse:
    episode = queries.family_record(actor_of(request), public_id, action=saving(request, "earlyhelp.edit"))
    if episode.status != Status.DRAFT:
        return redirect("earlyhelp:record", public_id=public_id)
    return episode


@action_required("earlyhelp.start")
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, check_id: str) -> HttpResponse:
    """Start the assessment from the actor's stored check: who may start it, in the document's words."""
    actor = actor_of(request)
    check = get_object_or_404(Check.objects.visible_to(actor), public_id=check_id)
    loaded = services.framework_for(check.framework_id)
    help_ = loaded.framework.early_help
    problem = ""
    if request.method == "POST":
        try:
            episode = submissions.of_form(request, lambda: services.start_from_check(actor, check))
        except services.EarlyHelpError as exc:
            problem = str(exc)
        else:
            return redirect("earlyhelp:tasks", public_id=episode.public_id)
    context = {
        "check": check,
        "assessment": help_.assessment.model_dump() if help_ and help_.assessment else None,
        "who_may_start": statements(help_.who_may_start if help_ else []),
        "errors": [{"href": "#main-content", "text": problem}] if problem else [],
        "problem": problem,
    }
    return render(request, "earlyhelp/start.html", context, status=400 if problem else 200)


@action_required("earlyhelp.view")
def tasks(request: HttpRequest, public_id: str) -> HttpResponse:
    """The GOV.UK task list of the draft assessment."""
    found = _draft(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    episode = found
    done = set(episode.sections_done)
    rows = [
        {"id": sid, "title": title, "done": sid in done, "href": reverse(f"earlyhelp:{sid}", args=[public_id])}
        for sid, title in SECTIONS
    ]
    return render(request, "earlyhelp/tasks.html", {"episode": episode, "sections": rows, "completed": len(done)})


@action_required("earlyhelp.edit")
@require_http_methods(["GET", "POST"])
def family(request: HttpRequest, public_id: str) -> HttpResponse:
    found = _draft(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    episode, actor = found, actor_of(request)
    form = FamilyMemberForm(request.POST if request.POST.get("add") else None)
    problem: services.EarlyHelpError | None = None
    if request.method == "POST" and request.POST.get("add"):
        if form.is_valid():
            try:
                submissions.of_form(
                    request,
                    lambda: services.add_family_member(actor, episode, **form.cleaned_data),
                )
            except services.EarlyHelpError as exc:
                _refused(form, exc)
            else:
                return redirect("earlyhelp:family", public_id=public_id)
    elif request.method == "POST":
        try:  # the same form sent again (a double click) is the section already saved: nothing more
            submissions.of_form(request, lambda: services.save_section(actor, episode, "family", {}))
        except services.EarlyHelpError as exc:
            problem = exc
        else:
            return redirect("earlyhelp:tasks", public_id=public_id)
    context = {"episode": episode, "members": episode.family.all(), **_form_context(form, {"kind": "kind-child"})}
    if problem is not None:  # the section refused: the form to add someone is not bound, so it cannot carry it
        href = f"#{problem.field}" if problem.field in form.fields else "#main-content"
        context["errors"] = [{"href": href, "text": str(problem)}]
    return render(request, "earlyhelp/family.html", context, status=400 if form.errors or problem else 200)


def indicator_choices(episode: Episode) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The framework's indicators as checkbox items, grouped by domain: (needs, strengths)."""
    loaded = services.framework_for(episode.partnership)
    domains = {d.id: d.name for d in loaded.framework.domains}
    levels = {lv.number: lv.name for lv in loaded.framework.levels}
    needs: list[dict[str, Any]] = []
    strengths: list[dict[str, Any]] = []
    for ind in loaded.framework.indicators:
        item = {
            "html_id": f"ind-{ind.id}",
            "value": ind.id,
            "label": ind.text,
            "hint": f"{domains.get(ind.domain, ind.domain)} · {levels.get(ind.level, ind.level)}",
            "checked": ind.id in (episode.strengths if ind.protective else episode.needs),
        }
        (strengths if ind.protective else needs).append(item)
    return needs, strengths


@action_required("earlyhelp.edit")
@require_http_methods(["GET", "POST"])
def needs(request: HttpRequest, public_id: str) -> HttpResponse:
    found = _draft(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    episode = found
    need_items, strength_items = indicator_choices(episode)
    form = NeedsForm(
        request.POST or None,
        needs=[(i["value"], i["label"]) for i in need_items],
        strengths=[(i["value"], i["label"]) for i in strength_items],
        initial={"strengths_text": episode.strengths_text},
    )
    if request.method == "POST" and form.is_valid():
        try:  # the same form sent again (a double click) is the section already saved: nothing more
            submissions.of_form(
                request,
                lambda: services.save_section(actor_of(request), episode, "needs", form.cleaned_data),
            )
        except services.EarlyHelpError as exc:
            _refused(form, exc)
        else:
            return redirect("earlyhelp:tasks", public_id=public_id)
    if form.is_bound:
        chosen = set(request.POST.getlist("needs")) | set(request.POST.getlist("strengths"))
        for item in need_items + strength_items:
            item["checked"] = item["value"] in chosen
    anchors = {"needs": need_items[0]["html_id"] if need_items else "needs"}
    context = {
        "episode": episode,
        "need_items": need_items,
        "strength_items": strength_items,
        "strengths_text": form["strengths_text"].value() or "",
        **_form_context(form, anchors),
    }
    return render(request, "earlyhelp/needs.html", context, status=400 if form.errors else 200)


@action_required("earlyhelp.edit")
@require_http_methods(["GET", "POST"])
def voice(request: HttpRequest, public_id: str) -> HttpResponse:
    found = _draft(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    episode = found
    form = VoiceForm(request.POST or None, initial={"family_voice": episode.family_voice})
    if request.method == "POST" and form.is_valid():
        try:  # the same form sent again (a double click) is the section already saved: nothing more
            submissions.of_form(
                request,
                lambda: services.save_section(actor_of(request), episode, "voice", form.cleaned_data),
            )
        except services.EarlyHelpError as exc:
            _refused(form, exc)
        else:
            return redirect("earlyhelp:tasks", public_id=public_id)
    context = {"episode": episode, "value": form["family_voice"].value() or "", **_form_context(form)}
    return render(request, "earlyhelp/voice.html", context, status=400 if form.errors else 200)


def consent_page(request: HttpRequest, episode: Episode, template: str) -> HttpResponse:
    """Record consent (and list it, with withdrawal): the draft's consent section and the open record's page."""
    actor = actor_of(request)
    members = [(m.pk, f"{m} ({m.get_kind_display().lower()})") for m in episode.family.all()]
    adding = request.method == "POST" and "withdraw" not in request.POST
    form = ConsentForm(request.POST if adding else None, members=members, initial={"shares_with_team": True})
    refusal = ""  # a withdrawal refused (the form to add one is not bound, so it cannot carry the error)
    if request.method == "POST" and "withdraw" in request.POST:
        chosen = request.POST.get("withdraw", "")  # compared as text: whatever was posted, never a bad query
        consent = next((c for c in episode.consents.all() if str(c.pk) == chosen), None)
        if consent is None:
            raise Http404("No consent on this record has this number")
        try:
            services.withdraw_consent(actor, consent, note=request.POST.get("note", ""))
        except services.EarlyHelpError as exc:
            refusal = str(exc)
        else:
            return redirect(request.path)
    elif adding and form.is_valid():
        try:
            submissions.of_form(
                request,
                lambda: services.record_consent(
                    actor,
                    episode,
                    given_by=episode.family.get(pk=form.cleaned_data["given_by"]),
                    to_what=form.cleaned_data["to_what"],
                    share_with=form.share_with_list,
                    shares_with_team=form.cleaned_data["shares_with_team"],
                ),
            )
        except services.EarlyHelpError as exc:
            _refused(form, exc)
        else:
            return redirect(request.path)
    chosen = form["given_by"].value()
    items = [
        {"html_id": f"given-by-{pk}", "value": pk, "label": label, "checked": str(chosen) == str(pk)}
        for pk, label in members
    ]
    loaded = services.framework_for(episode.partnership)
    context = {
        "episode": episode,
        "consents": episode.consents.select_related("given_by", "recorded_by"),
        "given_by_items": items,
        "to_what": form["to_what"].value() or "",
        "share_with": form["share_with"].value() or "",
        "shares_with_team": bool(form["shares_with_team"].value()),
        "document_consent": statements(loaded.framework.early_help.consent if loaded.framework.early_help else []),
        **_form_context(form, {"given_by": str(items[0]["html_id"]) if items else "given_by"}),
    }
    if refusal:
        context["errors"] = [{"href": "#main-content", "text": refusal}]
    return render(request, template, context, status=400 if form.errors or refusal else 200)


@action_required("earlyhelp.edit")
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, public_id: str) -> HttpResponse:
    found = _draft(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    return consent_page(request, found, "earlyhelp/consent.html")


@action_required("earlyhelp.edit")
@require_http_methods(["GET", "POST"])
def check_answers(request: HttpRequest, public_id: str) -> HttpResponse:
    """Check your answers, then submit: what is missing is listed, linking to its section."""
    found = _draft(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    episode = found
    errors: list[dict[str, Any]] = []
    if request.method == "POST":
        try:
            services.submit(actor_of(request), episode)
        except services.EarlyHelpError as exc:
            errors = [{"href": reverse(f"earlyhelp:{exc.field}", args=[public_id]), "text": str(exc)}]
        else:
            return redirect("earlyhelp:record", public_id=public_id)
    missing = [
        {"href": reverse(f"earlyhelp:{sid}", args=[public_id]), "text": text}
        for sid, text in services.missing_for_submit(episode)
    ]
    need_items, strength_items = indicator_choices(episode)
    context = {
        "episode": episode,
        "members": episode.family.all(),
        "needs": [i for i in need_items if i["checked"]],
        "strengths": [i for i in strength_items if i["checked"]],
        "consents": episode.consents.select_related("given_by"),
        "missing": missing,
        "errors": errors,
    }
    return render(request, "earlyhelp/check_answers.html", context, status=400 if errors else 200)
