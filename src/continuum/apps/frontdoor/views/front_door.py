"""The queue, a contact's triage page and the forms that change it. Every read of a contact is logged."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.accounts.models import Membership
from continuum.apps.accounts.permissions import FRONT_DOOR_ROLES, action_required, can, require
from continuum.apps.frontdoor import clocks, forms, queries, services
from continuum.apps.frontdoor.models import AgencyCheck, Match, State, Triage
from continuum.apps.govuk import submissions
from continuum.apps.govuk.errors import error_summary, field_errors


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


def _levels(framework: Any) -> dict[int, str]:
    return {level.number: level.name for level in framework.levels}


@require_http_methods(["GET"])
@action_required("frontdoor.view_queue")
def queue(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    assert actor.partnership is not None
    framework = services.framework_of(actor.partnership)
    setting = services.settings_for(actor.partnership)
    services.open_new(actor.partnership, actor=Actor.for_system("frontdoor", actor.partnership), setting=setting)
    filters = queries.QueueFilters.from_query(request.GET)
    now = timezone.now()
    rows, more = queries.page_of(actor, filters, now, framework)
    services.note_listed(actor, [row.triage for row in rows], setting)
    decision = clocks.clock(framework, "decision")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "frontdoor/queue.html",
        {
            "framework": framework,
            "rows": rows,
            "filters": filters,
            "levels": _levels(framework),
            "agencies": queries.referral_sources(),
            "rags": [(r.value, clocks.RAG_LABELS[r]) for r in clocks.Rag],
            "decision": decision,
            "no_clock": clocks.NO_CLOCK,
            "amber_share": round(setting.amber_share * 100),
            "query": query.urlencode(),
            "previous_page": filters.page - 1 if filters.page > 1 else None,
            "next_page": filters.page + 1 if more else None,
        },
    )


@require_POST
@action_required("frontdoor.view_queue")
def claim_next(request: HttpRequest) -> HttpResponse:
    """Claim the next contact; the same form sent again (a double click) goes to the one it claimed, not a second."""

    def claimed() -> Triage:
        triage = services.claim_next(_actor(request))
        if triage is None:
            raise _NothingToClaim
        return triage

    try:
        triage = submissions.of_form(request, claimed)
    except _NothingToClaim:
        messages.info(request, "There is no unclaimed contact to claim.")
        return redirect("frontdoor:queue")
    return redirect("frontdoor:contact", public_id=triage.public_id)


class _NothingToClaim(Exception):
    """The queue has no unclaimed contact: nothing is claimed, so the form's token is not spent."""


def _triage(request: HttpRequest, public_id: str, action: str = "frontdoor.view") -> Triage:
    """The contact, if it is within the actor's reach (else 404) and they may see it and do ``action`` to it
    (else 403). Each view asks this first, before reading what was posted: a person who may not act learns
    nothing of the form, and every refusal comes in the same order (the services ask again)."""
    actor = _actor(request)
    triage = queries.triage_for(actor, public_id)
    if triage is None:
        raise Http404("no such contact at this front door")
    for needed in dict.fromkeys(("frontdoor.view", action)):
        require(actor, needed, triage)
    return triage


def _contact_context(request: HttpRequest, triage: Triage) -> dict[str, Any]:
    actor = _actor(request)
    framework = services.framework_of(triage.partnership)
    now = timezone.now()
    calendar = clocks.calendar_for(triage.partnership, framework)
    referral = triage.referral
    checks = list(triage.agency_checks.all())
    asked = {c.agency for c in checks}
    indicators = {i.id: i for i in framework.indicators}
    rag = clocks.rag(triage.due_at, triage.amber_at, now)
    mine = triage.claimed_by_id == actor.user.pk
    can_work = triage.state == State.CLAIMED and (mine or actor.role == Role.FRONT_DOOR_MANAGER)
    grades = framework.front_door.grades if framework.front_door else []
    people = []
    if actor.role == Role.FRONT_DOOR_MANAGER and triage.state != State.DECIDED:
        user_model = get_user_model()
        ids = Membership.objects.filter(
            partnership=triage.partnership, role__in=[r.value for r in FRONT_DOOR_ROLES]
        ).values("user")
        people = [(u.pk, services.person_name(u)) for u in user_model.objects.filter(pk__in=ids, is_active=True)]
    decision_clock = clocks.clock(framework, "decision")
    feedback_clock = clocks.clock(framework, "feedback")
    agency_clock = clocks.clock(framework, "agency_checks")
    window, window_is_documents = clocks.look_back(framework)
    answered = sum(1 for c in checks if c.answered_at)
    return {
        "triage": triage,
        "referral": referral,
        "framework": framework,
        "rag": rag,
        "rag_label": clocks.RAG_LABELS[rag],
        "time_left": clocks.time_left(calendar, triage.due_at, now),
        "mine": mine,
        "claimed_name": "You" if mine else (services.person_name(triage.claimed_by) if triage.claimed_by_id else ""),
        "can_work": can_work,
        "manager": actor.role == Role.FRONT_DOOR_MANAGER,
        "people": people,
        "grades": grades,
        "grade_name": next((g.name for g in grades if g.id == triage.grade), ""),
        "checks": [
            {"check": c, "rag": clocks.rag(c.due_at, None, now), "time_left": clocks.time_left(calendar, c.due_at, now)}
            for c in checks
        ],
        "answered": answered,
        "to_ask": [(code, name) for code, name in services.agencies(triage.partnership) if code not in asked],
        "referred": [(i, indicators.get(i)) for i in (referral.indicator_ids or [])],
        "levels": _levels(framework),
        "match_pending": triage.match == Match.NAME_DOB and triage.match_confirmed is None,
        "decision_clock": decision_clock,
        "feedback_clock": feedback_clock,
        "agency_clock": agency_clock,
        "window": window,
        "window_is_documents": window_is_documents,
        "no_clock": clocks.NO_CLOCK,
        "Match": Match,
        "State": State,
        "consent_bases": services.CONSENT_BASES,
        "revisions": list(triage.decision_revisions.select_related("recorded_by")),
        "may_revise": triage.state == State.DECIDED and can(actor, "frontdoor.decide", triage),
    }


@require_http_methods(["GET"])
@action_required("frontdoor.view_queue")
def contact(request: HttpRequest, public_id: str) -> HttpResponse:
    triage = _triage(request, public_id)
    services.note_viewed(_actor(request), triage)
    return render(request, "frontdoor/contact.html", _contact_context(request, triage))


def _refused(request: HttpRequest, triage: Triage, error: services.FrontDoorError) -> HttpResponse:
    """The contact's page again, with the refusal in the error summary (and beside its field)."""
    services.note_viewed(_actor(request), triage)
    context = _contact_context(request, triage)
    anchor = error.field or "main-content"
    context["errors"] = [{"href": f"#{anchor}", "text": error.message}]
    context["field_errors"] = {error.field: error.message} if error.field else {}
    return render(request, "frontdoor/contact.html", context, status=400)


def _form_refused(request: HttpRequest, triage: Triage, form: Any) -> HttpResponse:
    services.note_viewed(_actor(request), triage)
    context = _contact_context(request, triage)
    context["errors"] = error_summary(form)
    context["field_errors"] = field_errors(form)
    return render(request, "frontdoor/contact.html", context, status=400)


def _done(request: HttpRequest, triage: Triage, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("frontdoor:contact", public_id=triage.public_id)


@require_POST
@action_required("frontdoor.view_queue")
def claim(request: HttpRequest, public_id: str) -> HttpResponse:
    triage = _triage(request, public_id, "frontdoor.claim")
    try:
        submissions.of_form(request, lambda: services.claim(_actor(request), triage))
    except services.FrontDoorError as error:
        return _refused(request, triage, error)
    return _done(request, triage, "You have claimed this contact.")


@require_POST
@action_required("frontdoor.view_queue")
def reassign(request: HttpRequest, public_id: str) -> HttpResponse:
    triage = _triage(request, public_id, "frontdoor.reassign")
    form = forms.ReassignForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, triage, form)
    to = get_user_model().objects.filter(pk=form.cleaned_data["to"]).first()
    if to is None:
        return _refused(request, triage, services.FrontDoorError("Choose someone from the list.", field="to"))
    try:
        submissions.of_form(request, lambda: services.reassign(_actor(request), triage, to))
    except services.FrontDoorError as error:
        return _refused(request, triage, error)
    return _done(request, triage, f"Given to {services.person_name(to)}.")


@require_POST
@action_required("frontdoor.view_queue")
def grade(request: HttpRequest, public_id: str) -> HttpResponse:
    triage = _triage(request, public_id, "frontdoor.triage")
    form = forms.GradeForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, triage, form)
    try:
        submissions.of_form(request, lambda: services.grade(_actor(request), triage, form.cleaned_data["grade"]))
    except services.FrontDoorError as error:
        return _refused(request, triage, error)
    return _done(request, triage, "Grade recorded; the decision deadline follows it.")


@require_POST
@action_required("frontdoor.view_queue")
def request_check(request: HttpRequest, public_id: str) -> HttpResponse:
    triage = _triage(request, public_id, "frontdoor.triage")
    form = forms.RequestCheckForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, triage, form)
    try:
        submissions.of_form(
            request,
            lambda: services.request_check(
                _actor(request), triage, form.cleaned_data["agency"], form.cleaned_data["question"]
            ),
        )
    except services.FrontDoorError as error:
        return _refused(request, triage, error)
    return _done(request, triage, "Information requested.")


@require_POST
@action_required("frontdoor.view_queue")
def answer_check(request: HttpRequest, public_id: str, agency: str) -> HttpResponse:
    triage = _triage(request, public_id, "frontdoor.triage")
    check = AgencyCheck.objects.filter(triage=triage, agency=agency).first()
    if check is None:
        raise Http404("no such agency check")
    form = forms.AnswerForm(request.POST)
    if not form.is_valid():
        return _refused(
            request, triage, services.FrontDoorError(f"Enter what {check.agency_name} said.", field="response")
        )
    try:
        submissions.of_form(
            request,
            lambda: services.answer_check(_actor(request), check, form.cleaned_data["response"]),
        )
    except services.FrontDoorError as error:
        return _refused(request, triage, error)
    return _done(request, triage, f"{check.agency_name}'s answer recorded.")


@require_POST
@action_required("frontdoor.view_queue")
def confirm_match(request: HttpRequest, public_id: str) -> HttpResponse:
    triage = _triage(request, public_id, "frontdoor.triage")
    form = forms.MatchForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, triage, form)
    try:
        submissions.of_form(
            request,
            lambda: services.confirm_match(_actor(request), triage, form.cleaned_data["same_child"] == "yes"),
        )
    except services.FrontDoorError as error:
        return _refused(request, triage, error)
    return _done(request, triage, "Re-referral match recorded.")


@require_http_methods(["GET", "POST"])
@action_required("frontdoor.view_queue")
def decide(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _actor(request)
    triage = _triage(request, public_id, "frontdoor.decide")
    if triage.state == State.DECIDED:
        if request.method == "POST" and submissions.sent_before(request) is not None:
            return _done(request, triage, "Decision recorded.")  # the same form sent again
        return redirect("frontdoor:contact", public_id=triage.public_id)
    context = _contact_context(request, triage)
    context["outcomes"] = services.outcome_choices(context["framework"])
    referred = [i for i, _ in context["referred"]]
    values = forms.decision_fields(request.POST, referred) if request.method == "POST" else None
    if values is not None:
        try:
            outcome, police = values.pop("outcome"), values.pop("police")
            submissions.of_form(
                request,
                lambda: services.decide(
                    actor, triage, outcome=outcome, police=police, rationale=services.Rationale(**values)
                ),
            )
        except services.DecisionError as error:
            services.note_viewed(actor, triage, what="decision page")
            context.update(
                values=request.POST,
                errors=[{"href": f"#{name}", "text": text.capitalize()} for name, text in error.missing.items()],
                field_errors={name: text.capitalize() for name, text in error.missing.items()},
            )
            return render(request, "frontdoor/decide.html", context, status=400)
        except services.FrontDoorError as error:
            return _refused(request, triage, error)
        return _done(request, triage, "Decision recorded.")
    services.note_viewed(actor, triage, what="decision page")
    context["values"] = {}
    return render(request, "frontdoor/decide.html", context)


@require_http_methods(["GET", "POST"])
@action_required("frontdoor.view_queue")
def feedback(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _actor(request)
    triage = _triage(request, public_id, "frontdoor.decide")
    context = _contact_context(request, triage)
    if request.method == "POST":
        form = forms.FeedbackForm(request.POST)
        if form.is_valid():
            try:
                submissions.of_form(
                    request,
                    lambda: services.send_feedback(
                        actor,
                        triage,
                        shared=form.cleaned_data["shared"] == "yes",
                        text=form.cleaned_data["text"],
                        reason_not_shared=form.cleaned_data["reason_not_shared"],
                    ),
                )
            except services.FrontDoorError as error:
                context["errors"] = [{"href": f"#{error.field or 'shared'}", "text": error.message}]
                context["field_errors"] = {error.field or "shared": error.message}
            else:
                return _done(request, triage, "The referrer has been told.")
        else:
            context["errors"] = error_summary(form)
            context["field_errors"] = field_errors(form)
        context["values"] = request.POST
        services.note_viewed(actor, triage, what="feedback page")
        return render(request, "frontdoor/feedback.html", context, status=400)
    services.note_viewed(actor, triage, what="feedback page")
    context["values"] = {}
    return render(request, "frontdoor/feedback.html", context)


@require_http_methods(["GET", "POST"])
@action_required("frontdoor.view_queue")
def revise(request: HttpRequest, public_id: str) -> HttpResponse:
    """Record a change to a decided contact's decision: beside the first, in the person's name, with why."""
    actor = _actor(request)
    triage = _triage(request, public_id, "frontdoor.decide")
    if triage.state != State.DECIDED:
        return redirect("frontdoor:decide", public_id=triage.public_id)
    context = _contact_context(request, triage)
    context["outcomes"] = services.outcome_choices(context["framework"])
    form = forms.ReviseDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                submissions.of_form(
                    request,
                    lambda: services.revise_decision(
                        actor,
                        triage,
                        outcome=data["outcome"],
                        police=data["police"],
                        level=data["level"],
                        reason=data["reason"],
                    ),
                )
            except services.FrontDoorError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                return _done(request, triage, "The change to the decision has been recorded beside it.")
        context.update(errors=error_summary(form), field_errors=field_errors(form), values=request.POST)
        services.note_viewed(actor, triage, what="decision change page")
        return render(request, "frontdoor/revise.html", context, status=400)
    services.note_viewed(actor, triage, what="decision change page")
    in_force = triage.latest_revision or triage
    decided = (in_force.outcome_code, in_force.outcome_name)  # two of a document's outcomes may share a code
    context["values"] = {
        "outcome": next((o.key for o in context["outcomes"] if (o.code, o.name) == decided), ""),
        "level": str(in_force.frontdoor_level or ""),
        "police": "yes" if in_force.police else "",
    }
    return render(request, "frontdoor/revise.html", context)


def contact_url(triage: Triage) -> str:
    return reverse("frontdoor:contact", kwargs={"public_id": triage.public_id})
