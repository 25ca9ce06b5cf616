"""The practitioner's journey: one view, one form, one template per question page.

Views read the session and call services; only :mod:`continuum.apps.checks.services`
changes stored state. Every page works without JavaScript.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms as django_forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from continuum.apps.audit.services import actor_of
from continuum.apps.checks import journey, presenters, report, services
from continuum.apps.partnerships.catalogue import catalogue
from continuum.apps.checks.forms import (
    ChildForm,
    ConcernForm,
    FilterForm,
    JudgementForm,
    PartnershipForm,
    SelectionForm,
)
from continuum.apps.checks.journey import Answers
from continuum.apps.checks.models import Check
from continuum.apps.checks.suggest import child_from_words, suggest
from continuum.engine import AssessmentInputError
from continuum.frameworks import LoadedFramework
from continuum.frameworks.schema import Fact, fact_label

FLASH_KEY = "continuum.flash"


# --- helpers ------------------------------------------------------------------------------


def error_summary(form: django_forms.Form, anchors: dict[str, str] | None = None) -> list[dict[str, str]]:
    """The GOV.UK error summary's list: each message links to the field it is about."""
    anchors = anchors or {}
    items = []
    for name, errors in form.errors.items():
        target = anchors.get(name, name if name != "__all__" else "main-content")
        for message in errors:
            items.append({"href": f"#{target}", "text": str(message)})
    return items


def field_errors(form: django_forms.Form) -> dict[str, str]:
    """The first error of each field, for the GOV.UK error message beside it."""
    return {name: str(errors[0]) for name, errors in form.errors.items()}


def step_url(step: str, *, changing: bool = False) -> str:
    url = reverse(f"checks:{step}")
    return f"{url}?change=1" if changing else url


def _posted(request: HttpRequest) -> Any:
    """The submitted data on a POST (even when empty, so that a blank form shows its errors)."""
    return request.POST if request.method == "POST" else None


def _changing(request: HttpRequest) -> bool:
    return request.GET.get("change") == "1"


def _journey(request: HttpRequest, step: str) -> tuple[Answers, LoadedFramework | None, HttpResponse | None]:
    """The answers so far and the framework; or a redirect when an earlier page must come first."""
    answers = Answers.from_session(request.session)
    loaded = catalogue().get(answers.framework) if answers.framework else None
    if answers.framework and loaded is None:
        answers = Answers()  # the framework is no longer offered: start again
        answers.save(request.session)
    missing = journey.missing_before(step, answers)
    if missing:
        return answers, loaded, redirect(step_url(missing))
    return answers, loaded, None


def _advance(request: HttpRequest, step: str, loaded: LoadedFramework | None, answers: Answers) -> HttpResponse:
    answers.save(request.session)
    changing = _changing(request)
    target = journey.next_step(step, loaded, answers, changing=changing)
    return redirect(step_url(target, changing=changing and target != journey.ANSWERS))


def _page(
    request: HttpRequest,
    template: str,
    step: str,
    answers: Answers,
    loaded: LoadedFramework | None,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    previous = journey.previous_step(step, loaded, answers)
    back = step_url(journey.ANSWERS) if _changing(request) else (step_url(previous) if previous else reverse("start"))
    base = {
        "step": step,
        "answers": answers,
        "framework": loaded.framework if loaded else None,
        "back_url": back,
        "changing": _changing(request),
        "errors": [],
        "field_errors": {},
    }
    return render(request, template, base | context, status=status)


# --- pages --------------------------------------------------------------------------------


@require_http_methods(["GET"])
def start(request: HttpRequest) -> HttpResponse:
    answers = Answers.from_session(request.session)
    return render(
        request,
        "checks/start.html",
        {"in_progress": bool(answers.framework), "partnerships": catalogue().choices()},
    )


@require_http_methods(["GET", "POST"])
def partnership(request: HttpRequest) -> HttpResponse:
    answers, loaded, _ = _journey(request, journey.PARTNERSHIP)
    offered = catalogue().choices()
    choices = [(f.id, f.framework.name) for f in offered]
    form = PartnershipForm(_posted(request), choices=choices, initial={"partnership": answers.framework})
    if request.method == "POST" and form.is_valid():
        answers.choose_framework(form.cleaned_data["partnership"])
        loaded = catalogue().get(answers.framework or "")
        return _advance(request, journey.PARTNERSHIP, loaded, answers)
    anchor = {"partnership": f"partnership-{offered[0].id}"} if offered else {}
    items = [
        {
            "value": f.id,
            "label": f.framework.name,
            "hint": f"{f.framework.source.title} (framework version {f.framework.version})",
            "checked": (form["partnership"].value() or answers.framework) == f.id,
        }
        for f in offered
    ]
    return _page(
        request,
        "checks/partnership.html",
        journey.PARTNERSHIP,
        answers,
        loaded,
        {"form": form, "items": items, "errors": error_summary(form, anchor), "field_errors": field_errors(form)},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def concern(request: HttpRequest) -> HttpResponse:
    answers, loaded, early = _journey(request, journey.CONCERN)
    if early:
        return early
    assert loaded is not None
    form = ConcernForm(_posted(request), initial={"text": answers.text})
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        if text != answers.text or (text and not answers.matches and not answers.matching_unavailable):
            answers.text = text
            if text:
                found = suggest(loaded, text)
                answers.matches = found.matches
                answers.matching_mode = found.mode
                answers.matching_unavailable = not found.available
            else:
                answers.matches, answers.matching_mode, answers.matching_unavailable = [], None, False
        return _advance(request, journey.CONCERN, loaded, answers)
    return _page(
        request,
        "checks/concern.html",
        journey.CONCERN,
        answers,
        loaded,
        {
            "form": form,
            "text": form["text"].value() or "",
            "errors": error_summary(form),
            "field_errors": field_errors(form),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def suggestions(request: HttpRequest) -> HttpResponse:
    answers, loaded, early = _journey(request, journey.SUGGESTIONS)
    if early:
        return early
    assert loaded is not None
    if not journey.applies(journey.SUGGESTIONS, loaded, answers):
        return redirect(step_url(journey.next_step(journey.SUGGESTIONS, loaded, answers, changing=_changing(request))))
    by_id = {i.id: i for i in loaded.framework.indicators}
    matches = [m for m in answers.matches if m["indicator"] in by_id]
    ids = [m["indicator"] for m in matches]
    form = SelectionForm(_posted(request), ids=ids)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["selected"]
        concerns = [i for i in ids if not by_id[i].protective]
        strengths = [i for i in ids if by_id[i].protective]
        answers.set_selected(chosen, concerns, protective=False)
        answers.set_selected(chosen, strengths, protective=True)
        answers.suggested = ids
        answers.rejected = [i for i in ids if i not in set(chosen)]
        return _advance(request, journey.SUGGESTIONS, loaded, answers)
    selected = set(answers.indicators) | set(answers.protective)
    items = []
    for m in matches:
        item = presenters.indicator_item(by_id[m["indicator"]], loaded, checked=m["indicator"] in selected, prefix="s")
        item["negated"] = m["negated"]
        items.append(item)
    anchor = {"selected": items[0]["html_id"]} if items else {}
    return _page(
        request,
        "checks/suggestions.html",
        journey.SUGGESTIONS,
        answers,
        loaded,
        {"items": items, "errors": error_summary(form, anchor), "field_errors": field_errors(form)},
        status=400 if form.errors else 200,
    )


def _filter_query(data: dict[str, str], *, changing: bool = False) -> str:
    kept = {k: v for k, v in data.items() if k in {"q", "domain", "level"} and v}
    if changing:
        kept["change"] = "1"
    return f"?{urlencode(kept)}" if kept else ""


@require_http_methods(["GET", "POST"])
def indicators(request: HttpRequest) -> HttpResponse:
    answers, loaded, early = _journey(request, journey.INDICATORS)
    if early:
        return early
    assert loaded is not None
    fw = loaded.framework
    filters = FilterForm(
        request.GET or None,
        domains=[
            (d.id, d.name) for d in fw.domains if any(i.domain == d.id and not i.protective for i in fw.indicators)
        ],
        levels=[(str(lv.number), lv.name) for lv in fw.levels],
    )
    filtering = filters.is_valid() and any(filters.cleaned_data.get(k) for k in ("q", "domain", "level"))
    shown = (
        presenters.search(loaded, **{k: filters.cleaned_data.get(k) or "" for k in ("q", "domain", "level")})
        if filtering
        else []
    )
    concern_ids = [i.id for i in fw.indicators if not i.protective]
    form = SelectionForm(_posted(request), ids=concern_ids)
    query = {k: request.GET.get(k, "") for k in ("q", "domain", "level")}
    if request.method == "POST" and form.is_valid():
        remove = request.POST.get("remove")
        if remove:
            answers.indicators = [i for i in answers.indicators if i != remove]
            answers.save(request.session)
            return HttpResponseRedirect(
                reverse("checks:indicators") + _filter_query(query, changing=_changing(request))
            )
        answers.set_selected(form.cleaned_data["selected"], form.cleaned_data["shown"], protective=False)
        if request.POST.get("action") == "continue":
            return _advance(request, journey.INDICATORS, loaded, answers)
        answers.save(request.session)
        return HttpResponseRedirect(reverse("checks:indicators") + _filter_query(query, changing=_changing(request)))
    selected = set(answers.indicators)
    by_id = {i.id: i for i in fw.indicators}
    items = [presenters.indicator_item(i, loaded, checked=i.id in selected) for i in shown]
    chosen = [
        presenters.indicator_item(by_id[i], loaded, checked=True, prefix="c") for i in answers.indicators if i in by_id
    ]
    errors = error_summary(filters, {"q": "q", "domain": "domain", "level": "level"}) + error_summary(form)
    return _page(
        request,
        "checks/indicators.html",
        journey.INDICATORS,
        answers,
        loaded,
        {
            "filters": filters,
            "filter_values": query,
            "filtering": filtering,
            "groups": presenters.grouped(items),
            "shown_count": len(items),
            "chosen": chosen,
            "domains": presenters.domain_summary(loaded, selected),
            "domain_choices": filters.fields["domain"].choices,
            "level_choices": filters.fields["level"].choices,
            "form_action": request.get_full_path(),
            "errors": errors,
            "field_errors": field_errors(filters)
            | {"selection": field_errors(form).get("selected") or field_errors(form).get("shown")},
        },
        status=400 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
def strengths(request: HttpRequest) -> HttpResponse:
    answers, loaded, early = _journey(request, journey.STRENGTHS)
    if early:
        return early
    assert loaded is not None
    protective = [i for i in loaded.framework.indicators if i.protective]
    if not protective:
        return redirect(step_url(journey.next_step(journey.STRENGTHS, loaded, answers, changing=_changing(request))))
    ids = [i.id for i in protective]
    form = SelectionForm(_posted(request), ids=ids)
    if request.method == "POST" and form.is_valid():
        answers.set_selected(form.cleaned_data["selected"], ids, protective=True)
        return _advance(request, journey.STRENGTHS, loaded, answers)
    selected = set(answers.protective)
    items = [presenters.indicator_item(i, loaded, checked=i.id in selected, prefix="p") for i in protective]
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        groups.setdefault(item["domain_name"], []).append(item)
    return _page(
        request,
        "checks/strengths.html",
        journey.STRENGTHS,
        answers,
        loaded,
        {
            "groups": list(groups.items()),
            "errors": error_summary(form, {"selected": items[0]["html_id"]}),
            "field_errors": field_errors(form),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def child(request: HttpRequest) -> HttpResponse:
    answers, loaded, early = _journey(request, journey.CHILD)
    if early:
        return early
    initial = {"age_years": answers.age_years, "age_months": answers.age_months, "facts": answers.facts}
    from_words = None if answers.child_answered else child_from_words(answers.text)
    if from_words is not None:  # a first visit: what their words said, filled in for them to check
        initial = from_words.initial
    form = ChildForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        answers.age_years = form.cleaned_data["age_years"]
        answers.age_months = form.cleaned_data["age_months"]
        answers.facts = list(form.cleaned_data["facts"])
        answers.child_answered = True
        return _advance(request, journey.CHILD, loaded, answers)
    chosen = set(form["facts"].value() or [])
    facts = [
        {
            "value": f.value,
            "label": fact_label(f.value)[0],
            "hint": fact_label(f.value)[1],
            "checked": f.value in chosen,
        }
        for f in Fact
    ]
    anchors = {"age_years": "age_years", "age_months": "age_months", "facts": f"fact-{facts[0]['value']}"}
    return _page(
        request,
        "checks/child.html",
        journey.CHILD,
        answers,
        loaded,
        {
            "form": form,
            "facts": facts,
            "age_years": form["age_years"].value() if form["age_years"].value() is not None else "",
            "age_months": form["age_months"].value() if form["age_months"].value() is not None else "",
            "errors": error_summary(form, anchors),
            "field_errors": field_errors(form),
            "from_words": from_words.said if from_words is not None and request.method == "GET" else [],
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def answers_page(request: HttpRequest) -> HttpResponse:
    answers, loaded, early = _journey(request, journey.ANSWERS)
    if early:
        return early
    assert loaded is not None
    errors: list[dict[str, str]] = []
    gone = answers.keep_known(loaded)
    if gone:
        answers.save(request.session)
    if request.method == "POST":
        if not answers.indicators and not answers.facts:
            errors.append({"href": "#concerns", "text": "Select at least one concern, or a key fact about the child"})
        else:
            inputs = answers.stored_input() | {"rejected_text": _texts(loaded, answers.not_selected())}
            actor, user = actor_of(request)
            try:
                check = services.create_check(loaded, inputs, actor=actor, actor_user=user)
            except AssessmentInputError as exc:
                errors.append({"href": "#concerns", "text": f"The answers could not be checked: {exc}"})
            else:
                Answers.clear(request.session)
                return redirect("checks:detail", public_id=check.public_id)
    by_id = {i.id: i for i in loaded.framework.indicators}
    return _page(
        request,
        "checks/answers.html",
        journey.ANSWERS,
        answers,
        loaded,
        {
            "concerns": [presenters.indicator_item(by_id[i], loaded, checked=True) for i in answers.indicators],
            "strengths": [presenters.indicator_item(by_id[i], loaded, checked=True) for i in answers.protective],
            "rejected": [
                presenters.indicator_item(by_id[i], loaded, checked=False) for i in answers.not_selected() if i in by_id
            ],
            "has_strengths": journey.has_strengths(loaded),
            "age": {"years": answers.age_years, "months": answers.age_months},
            "gone": gone,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _texts(loaded: LoadedFramework, ids: list[str]) -> list[dict[str, str]]:
    by_id = {i.id: i for i in loaded.framework.indicators}
    return [{"indicator": i, "text": by_id[i].text} for i in ids if i in by_id]


# --- a stored check -----------------------------------------------------------------------


def _get_check(public_id: str) -> Check:
    return get_object_or_404(Check, public_id=public_id)


@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    check = _get_check(public_id)
    actor, user = actor_of(request)
    levels = [(n, name) for n, name in presenters.level_choices(check) if n >= check.recommended_level]
    initial = {"level": check.decided_level, "reason": check.judgement_reason}
    form = JudgementForm(_posted(request), levels=levels, recommended=check.recommended_level, initial=initial)
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
                actor_user=user,
            )
        except services.JudgementError as exc:
            form.add_error("reason" if "why" in str(exc).lower() else "level", str(exc))
        else:
            request.session[FLASH_KEY] = "Your judgement has been recorded"
            return redirect(reverse("checks:detail", kwargs={"public_id": check.public_id}) + "#judgement")
    # Every showing of the check is logged, a form sent back with errors included.
    services.note_viewed(check, actor=actor, actor_user=user)
    chosen = form["level"].value()
    context = {
        "check": check,
        "result": presenters.present_result(check.result, check.citations),
        "inputs": presenters.present_inputs(check),
        "replay": services.replay_check(check),
        "level_items": [
            {"value": n, "label": name, "checked": str(chosen) == str(n), "recommended": n == check.recommended_level}
            for n, name in levels
        ],
        "reason": form["reason"].value() or "",
        "levels": dict(levels),
        "errors": error_summary(form, anchors),
        "field_errors": field_errors(form),
        "flash": request.session.pop(FLASH_KEY, None),
    }
    return render(request, "checks/result.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET"])
def report_page(request: HttpRequest, public_id: str) -> HttpResponse:
    check = _get_check(public_id)
    actor, user = actor_of(request)
    services.note_viewed(check, actor=actor, actor_user=user, what="print")
    return render(request, "checks/report.html", report.context(check))


@require_http_methods(["GET"])
def report_pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    check = _get_check(public_id)
    actor, user = actor_of(request)
    services.note_viewed(check, actor=actor, actor_user=user, what="pdf")
    pdf = report.pdf(check, request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="decision-report-{check.public_id}.pdf"'
    return response
