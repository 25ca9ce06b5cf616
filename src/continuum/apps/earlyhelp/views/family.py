"""The family's record once the assessment is submitted: the team and the plan, consent, reviews, closure,
step-up, and the printable consent record and plan (HTML to print, and PDF)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from continuum.apps.accounts.permissions import action_required, can
from continuum.apps.audit import registry
from continuum.apps.audit.queries import for_target
from continuum.apps.earlyhelp import clocks, queries, services
from continuum.apps.earlyhelp.forms import (
    ActionForm,
    CloseForm,
    ProgressForm,
    ReviseClosureForm,
    StepUpForm,
    TeamMemberForm,
)
from continuum.apps.earlyhelp.models import Episode, Status
from continuum.apps.earlyhelp.views.assessment import (
    _form_context,
    _refused,
    actor_of,
    consent_page,
    indicator_choices,
    saving,
    statements,
)
from continuum.apps.govuk import submissions
from continuum.apps.govuk.pdf import pdf_response, render_pdf

PRINTABLE = ("consent", "plan")


def _printable(what: str) -> str:
    if what not in PRINTABLE:
        raise Http404("no such printable record")
    return f"earlyhelp/print_{what}.html"


def history(episode: Episode) -> list[dict[str, Any]]:
    """The family's timeline: every change to the episode, in the audit's words (views are in the access log)."""
    changes = for_target(episode).exclude(verb__in=[v.name for v in registry.access_verbs()])
    return [{"at": e.created_at, "what": registry.get(e.verb).description, "who": e.actor} for e in changes]


def _context(episode: Episode) -> dict[str, Any]:
    need_items, strength_items = indicator_choices(episode)
    reviews = list(episode.reviews.all())
    loaded = services.framework_for(episode.partnership)
    upcoming = next((r for r in reviews if r.held_at is None), None)
    silent = None
    if episode.status == Status.OPEN and upcoming is None:
        silent = clocks.review_clock(loaded, services.partnership_settings(episode.partnership), len(reviews) + 1)
    return {
        "episode": episode,
        "members": episode.family.all(),
        "needs": [i for i in need_items if i["checked"]],
        "strengths": [i for i in strength_items if i["checked"]],
        "consents": episode.consents.select_related("given_by", "recorded_by", "withdrawal_recorded_by"),
        "team": episode.team.filter(left_at__isnull=True).select_related("user"),
        "actions": episode.actions.select_related("owner"),
        "reviews": reviews,
        "upcoming": upcoming,
        "no_clock": silent,
        "history": history(episode),
    }


@action_required("earlyhelp.view")
def record(request: HttpRequest, public_id: str) -> HttpResponse:
    """The family's record: summary, family, needs and strengths, consent, team, plan, reviews, timeline."""
    episode = queries.family_record(actor_of(request), public_id)
    if episode.status == Status.DRAFT:
        return redirect("earlyhelp:tasks", public_id=public_id)
    return render(request, "earlyhelp/record.html", _context(episode))


def _owners(episode: Episode) -> list[tuple[int, str]]:
    return [(m.pk, str(m)) for m in episode.team.filter(left_at__isnull=True)]


@action_required("earlyhelp.edit")
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, public_id: str) -> HttpResponse:
    """The team around the family and the plan. Each form carries the version seen; a stale one is refused
    with a clear message and the person's input kept in the form (nothing overwritten, nothing lost)."""
    actor = actor_of(request)
    episode = queries.family_record(actor, public_id, action=saving(request, "earlyhelp.edit"))
    posted = request.POST if request.method == "POST" else None
    which = request.POST.get("form") if posted else None
    initial = {"version": episode.version}
    member_form = TeamMemberForm(posted if which == "member" else None, initial=initial)
    action_form = ActionForm(posted if which == "action" else None, owners=_owners(episode), initial=initial)
    progress_form = ProgressForm(posted if which == "progress" else None, initial=initial)
    form: Any = {"member": member_form, "action": action_form, "progress": progress_form}.get(which or "")
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if which == "member":
                user = None
                if data["username"]:
                    user = get_user_model().objects.filter(username=data["username"]).first()
                    if user is None:
                        raise services.EarlyHelpError("There is no one with that username", field="username")
                submissions.of_form(
                    request,
                    lambda: services.add_team_member(
                        actor,
                        episode,
                        expected_version=data["version"],
                        user=user,
                        name=data["name"],
                        agency=data["agency"],
                    ),
                )
            elif which == "action":
                owner = get_object_or_404(episode.team, pk=data["owner"])
                submissions.of_form(
                    request,
                    lambda: services.add_action(
                        actor,
                        episode,
                        expected_version=data["version"],
                        description=data["description"],
                        owner=owner,
                        due_date=data["due_date"],
                    ),
                )
            else:  # the same form again (a double click) is the progress already saved, not someone else's change
                action = get_object_or_404(episode.actions, pk=data["action"])
                submissions.of_form(
                    request,
                    lambda: services.update_action(
                        actor, action, expected_version=data["version"], progress=data["progress"], done=data["done"]
                    ),
                )
        except services.EarlyHelpError as exc:
            _refused(form, exc)
        else:
            return redirect("earlyhelp:plan", public_id=public_id)
    episode.refresh_from_db()
    context = {
        **_context(episode),
        "member_form": member_form,
        "action_form": action_form,
        "owners": _owners(episode),
        "posted_action": request.POST.get("action") if which == "progress" else None,
        "posted": posted,
        **_form_context(form if form is not None else member_form, {"version": "main-content"}),
    }
    return render(request, "earlyhelp/plan.html", context, status=400 if form is not None and form.errors else 200)


@action_required("earlyhelp.edit")
@require_http_methods(["GET", "POST"])
def open_consent(request: HttpRequest, public_id: str) -> HttpResponse:
    """Consent on an open record: record more, or withdraw (sharing with the team stops from then on)."""
    episode = queries.family_record(actor_of(request), public_id, action=saving(request, "earlyhelp.edit"))
    return consent_page(request, episode, "earlyhelp/consent.html")


@action_required("earlyhelp.view")
def printable(request: HttpRequest, public_id: str, what: str) -> HttpResponse:
    """The consent record or the plan, to print (``what`` is ``consent`` or ``plan``)."""
    template = _printable(what)
    episode = queries.family_record(actor_of(request), public_id, purpose=f"print {what}")
    return render(request, template, {**_context(episode), "for_pdf": False})


@action_required("earlyhelp.view")
def pdf(request: HttpRequest, public_id: str, what: str) -> HttpResponse:
    template = _printable(what)
    episode = queries.family_record(actor_of(request), public_id, purpose=f"pdf {what}")
    document = render_pdf(template, {**_context(episode), "for_pdf": True}, request)
    return pdf_response(document, f"early-help-{what}-{episode.public_id}.pdf")


@action_required("earlyhelp.edit")
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    """Hold a review: progress against each action, and the level now (a new check: the needs present today)."""
    actor = actor_of(request)
    episode = queries.family_record(actor, public_id, action=saving(request, "earlyhelp.edit"))
    held = get_object_or_404(episode.reviews, number=number)
    need_items, strength_items = indicator_choices(episode)
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        progress = {str(a.pk): request.POST.get(f"progress-{a.pk}", "") for a in episode.actions.all()}
        selection = {"indicators": request.POST.getlist("needs"), "protective": request.POST.getlist("strengths")}
        try:
            submissions.of_form(
                request,
                lambda: services.record_review(
                    actor, held, progress=progress, summary=request.POST.get("summary", ""), selection=selection
                ),
            )
        except services.EarlyHelpError as exc:
            errors = [{"href": f"#{exc.field}", "text": str(exc)}]
        else:
            return redirect("earlyhelp:record", public_id=public_id)
    context = {
        **_context(episode),
        "review": held,
        "need_items": need_items,
        "strength_items": strength_items,
        "errors": errors,
        "values": request.POST,
    }
    return render(request, "earlyhelp/review.html", context, status=400 if errors else 200)


@action_required("earlyhelp.close")
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, public_id: str) -> HttpResponse:
    """Close an open episode; once closed, the closure as recorded, its changes beside it, and a form for another."""
    actor = actor_of(request)
    # Who may close this record is asked first (403), before the access log and before a form sent again is
    # answered: a refused request writes nothing, and a replayed token is no way past the refusal.
    episode = queries.family_record(actor, public_id, action="earlyhelp.close")
    if request.method == "POST" and submissions.sent_before(request) is not None:
        return redirect("earlyhelp:record", public_id=public_id)  # the same form sent again: it was done
    closed = episode.status == Status.CLOSED
    form: CloseForm = (ReviseClosureForm if closed else CloseForm)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if closed:
                submissions.of_form(
                    request,
                    lambda: services.revise_closure(
                        actor, episode, code=data["code"], text=data["text"], reason=data["reason"]
                    ),
                )
            else:
                submissions.of_form(
                    request,
                    lambda: services.close(actor, episode, code=data["code"], text=data["text"]),
                )
        except services.EarlyHelpError as exc:
            _refused(form, exc)
        else:
            if closed:
                return redirect("earlyhelp:close", public_id=public_id)
            return redirect("earlyhelp:record", public_id=public_id)
    chosen = form["code"].value()
    items = [
        {"html_id": f"code-{code}", "value": code, "label": label, "checked": chosen == code}
        for code, label in form.fields["code"].choices  # type: ignore[attr-defined]
    ]
    context = {
        "episode": episode,
        "closed": closed,
        "revisions": list(episode.closure_revisions.select_related("recorded_by")) if closed else [],
        "may_revise": closed and episode.closure_code != "step-up",
        "may_disagree": closed and can(actor, "escalations.raise"),
        "items": items,
        "text": form["text"].value() or "",
        "reason": form["reason"].value() or "" if "reason" in form.fields else "",
        **_form_context(form, {"code": items[0]["html_id"]}),
    }
    return render(request, "earlyhelp/close.html", context, status=400 if form.errors else 200)


@action_required("earlyhelp.step_up")
@require_http_methods(["GET", "POST"])
def step_up(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_of(request)
    episode = queries.family_record(actor, public_id, action=saving(request, "earlyhelp.step_up"))
    undated = services.undated_children(episode) if episode.status == Status.OPEN else []
    form = StepUpForm(request.POST or None, undated=undated)
    if request.method == "POST" and form.is_valid():
        try:
            submissions.of_form(
                request,
                lambda: services.step_up(actor, episode, reason=form.cleaned_data["reason"], dates=form.dates()),
            )
        except services.EarlyHelpError as exc:
            _refused(form, exc)
        else:
            return redirect("earlyhelp:record", public_id=public_id)
    loaded = services.framework_for(episode.partnership)
    children = [
        {
            "name": str(child),
            "dob_name": f"dob_{child.pk}",
            "dob": form[f"dob_{child.pk}"].value() or "",
            "dob_error": form.errors.get(f"dob_{child.pk}", [""])[0],
            "unborn_name": f"unborn_{child.pk}",
            "unborn_items": [
                {
                    "html_id": f"unborn_{child.pk}",
                    "value": "on",
                    "label": "Not yet born: the date above is the due date",
                    "checked": bool(form[f"unborn_{child.pk}"].value()),
                }
            ],
        }
        for child in undated
    ]
    context = {
        "episode": episode,
        "reason": form["reason"].value() or "",
        "undated": children,
        "step_up_words": statements(loaded.framework.early_help.step_up if loaded.framework.early_help else []),
        **_form_context(form),
    }
    return render(request, "earlyhelp/step_up.html", context, status=400 if form.errors else 200)
