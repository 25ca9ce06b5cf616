"""The practitioner's question pages: one ``QuestionPage`` (form, template, ``done``) per page.

Pages read and write only the session (:class:`~continuum.apps.checks.journey.Answers`);
the last one stores the check through :func:`continuum.apps.checks.services.create_check`.
Every page works without JavaScript. The order of the pages is :mod:`continuum.apps.checks.journey`'s.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django import forms as django_forms
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from continuum.apps.checks import journey, presenters, services
from continuum.apps.checks.forms import ChildForm, ConcernForm, FilterForm, PartnershipForm, SelectionForm
from continuum.apps.checks.journey import Answers
from continuum.apps.checks.suggest import child_from_words, suggest
from continuum.apps.checks.views.common import actor_for, remember_made
from continuum.apps.govuk.errors import error_summary, field_errors
from continuum.apps.govuk.views import QuestionPage
from continuum.apps.partnerships.catalogue import catalogue
from continuum.engine import AssessmentInputError
from continuum.frameworks import LoadedFramework
from continuum.frameworks.schema import Fact, fact_label


def step_url(step: str, *, changing: bool = False) -> str:
    url = reverse(f"checks:{step}")
    return f"{url}?change=1" if changing else url


@require_http_methods(["GET"])
def start(request: HttpRequest) -> HttpResponse:
    answers = Answers.from_session(request.session)
    return render(
        request,
        "checks/start.html",
        {"in_progress": bool(answers.framework), "partnerships": catalogue().choices()},
    )


class CheckQuestion(QuestionPage):
    """A page of the check: the answers so far and the framework they are about."""

    steps = journey.PAGES
    answers: Answers
    loaded: LoadedFramework | None

    def load(self) -> HttpResponse | None:
        answers = Answers.from_session(self.request.session)
        loaded = catalogue().get(answers.framework) if answers.framework else None
        if answers.framework and loaded is None:
            answers = Answers()  # the framework is no longer offered: start again
            answers.save(self.request.session)
        self.answers, self.loaded = answers, loaded
        missing = journey.missing_before(self.step, answers)
        return redirect(self.url_for(missing)) if missing else None

    @property
    def framework(self) -> LoadedFramework:
        """The framework (pages after the first are reached only once it is chosen)."""
        assert self.loaded is not None
        return self.loaded

    def url_for(self, step: str, *, changing: bool = False) -> str:
        return step_url(step, changing=changing)

    def applies(self, step: str) -> bool:
        return journey.applies(step, self.loaded, self.answers)

    def next_step(self) -> str:
        return journey.next_step(self.step, self.loaded, self.answers, changing=self.changing)

    def previous_step(self) -> str | None:
        return journey.previous_step(self.step, self.loaded, self.answers)

    def advance(self) -> HttpResponse:
        if self.loaded is not None:
            self.answers.remember_texts(self.loaded)
        return super().advance()

    def question_context(self) -> dict[str, Any]:
        return {"framework": self.loaded.framework if self.loaded else None}


class PartnershipPage(CheckQuestion):
    step = journey.PARTNERSHIP
    form_class = PartnershipForm
    template_name = "checks/partnership.html"

    def form_kwargs(self) -> dict[str, Any]:
        choices = [(f.id, f.framework.name) for f in catalogue().choices()]
        return {"choices": choices, "initial": {"partnership": self.answers.framework}}

    def done(self, answers: Answers, form: PartnershipForm) -> None:
        loaded = catalogue().get(form.cleaned_data["partnership"])
        assert loaded is not None  # the form offers only what the catalogue has
        answers.choose_framework(loaded)
        self.loaded = loaded

    def anchors(self, form: Any) -> dict[str, str]:
        offered = catalogue().choices()
        return {"partnership": f"partnership-{offered[0].id}"} if offered else {}

    def page_context(self, form: Any) -> dict[str, Any]:
        chosen = form["partnership"].value() or self.answers.framework
        items = [
            {
                "html_id": f"partnership-{f.id}",
                "value": f.id,
                "label": f.framework.name,
                "hint": f"{f.framework.source.title} (framework version {f.framework.version})",
                "checked": chosen == f.id,
            }
            for f in catalogue().choices()
        ]
        return {"items": items}


class ConcernPage(CheckQuestion):
    step = journey.CONCERN
    form_class = ConcernForm
    template_name = "checks/concern.html"

    def form_kwargs(self) -> dict[str, Any]:
        return {"initial": {"text": self.answers.text}}

    def done(self, answers: Answers, form: ConcernForm) -> None:
        text = form.cleaned_data["text"]
        if text != answers.text or (text and not answers.matches and not answers.matching_unavailable):
            if text != answers.text:  # what was suggested and turned down was for the words before
                answers.suggested, answers.rejected = [], []
            answers.text = text
            if text:
                found = suggest(self.framework, text)
                answers.matches = found.matches
                answers.matching_mode = found.mode
                answers.matching_note = found.note
                answers.matching_unavailable = not found.available
            else:
                answers.matches, answers.matching_mode, answers.matching_unavailable = [], None, False
                answers.matching_note = None

    def page_context(self, form: Any) -> dict[str, Any]:
        return {"text": form["text"].value() or ""}


class SuggestionsPage(CheckQuestion):
    """The indicators suggested from the practitioner's words, to confirm or leave unselected."""

    step = journey.SUGGESTIONS
    form_class = SelectionForm
    template_name = "checks/suggestions.html"

    def matches(self) -> list[dict[str, Any]]:
        known = {i.id for i in self.framework.framework.indicators}
        return [m for m in self.answers.matches if m["indicator"] in known]

    def form_kwargs(self) -> dict[str, Any]:
        return {"ids": [m["indicator"] for m in self.matches()]}

    def done(self, answers: Answers, form: SelectionForm) -> None:
        by_id = {i.id: i for i in self.framework.framework.indicators}
        ids = [m["indicator"] for m in self.matches()]
        chosen = form.cleaned_data["selected"]
        answers.set_selected(chosen, [i for i in ids if not by_id[i].protective], protective=False)
        answers.set_selected(chosen, [i for i in ids if by_id[i].protective], protective=True)
        answers.suggested = ids
        answers.rejected = [i for i in ids if i not in set(chosen)]

    def items(self) -> list[dict[str, Any]]:
        by_id = {i.id: i for i in self.framework.framework.indicators}
        selected = set(self.answers.indicators) | set(self.answers.protective)
        items = []
        for m in self.matches():
            item = presenters.indicator_item(
                by_id[m["indicator"]], self.framework, checked=m["indicator"] in selected, prefix="s"
            )
            kind = "Strength or protective factor" if item["protective"] else item["level_name"]
            negated = " · You wrote that this is not happening" if m["negated"] else ""
            item["hint"] = f"{kind} · {item['domain_name']}{negated}"
            items.append(item)
        return items

    def anchors(self, form: Any) -> dict[str, str]:
        items = self.items()
        return {"selected": items[0]["html_id"]} if items else {}

    def page_context(self, form: Any) -> dict[str, Any]:
        return {"items": self.items()}


def _filter_query(data: dict[str, str], *, changing: bool = False) -> str:
    kept = {k: v for k, v in data.items() if k in {"q", "domain", "level"} and v}
    if changing:
        kept["change"] = "1"
    return f"?{urlencode(kept)}" if kept else ""


class IndicatorsPage(CheckQuestion):
    """Browse and search every concern indicator; save the selection and find more, or continue."""

    step = journey.INDICATORS
    form_class = SelectionForm
    template_name = "checks/indicators.html"
    FILTERS = ("q", "domain", "level")

    def form_kwargs(self) -> dict[str, Any]:
        return {"ids": [i.id for i in self.framework.framework.indicators if not i.protective]}

    def filters(self) -> FilterForm:
        fw = self.framework.framework
        domains = [
            (d.id, d.name) for d in fw.domains if any(i.domain == d.id and not i.protective for i in fw.indicators)
        ]
        return FilterForm(
            self.request.GET or None, domains=domains, levels=[(str(lv.number), lv.name) for lv in fw.levels]
        )

    def query(self) -> dict[str, str]:
        return {k: self.request.GET.get(k, "") for k in self.FILTERS}

    def same_page(self) -> HttpResponse:
        self.answers.save(self.request.session)
        return HttpResponseRedirect(reverse("checks:indicators") + _filter_query(self.query(), changing=self.changing))

    def done(self, answers: Answers, form: SelectionForm) -> HttpResponse | None:
        remove = self.request.POST.get("remove")
        if remove:
            answers.indicators = [i for i in answers.indicators if i != remove]
            return self.same_page()
        answers.set_selected(form.cleaned_data["selected"], form.cleaned_data["shown"], protective=False)
        if self.request.POST.get("action") == "continue":
            return None
        self.answers.remember_texts(self.framework)
        return self.same_page()

    def render_page(self, form: Any, *, errors: list[dict[str, str]] | None = None) -> HttpResponse:
        self.filter_form = self.filters()
        self.filter_form.is_valid()
        extra = error_summary(self.filter_form, {"q": "q", "domain": "domain", "level": "level"})
        return super().render_page(form, errors=extra + (errors or []))

    def page_context(self, form: Any) -> dict[str, Any]:
        filters, loaded = self.filter_form, self.framework
        filtering = filters.is_valid() and any(filters.cleaned_data.get(k) for k in self.FILTERS)
        shown = (
            presenters.search(loaded, **{k: filters.cleaned_data.get(k) or "" for k in self.FILTERS})
            if filtering
            else []
        )
        selected = set(self.answers.indicators)
        by_id = {i.id: i for i in loaded.framework.indicators}
        items = [presenters.indicator_item(i, loaded, checked=i.id in selected) for i in shown]
        chosen = [
            presenters.indicator_item(by_id[i], loaded, checked=True, prefix="c")
            for i in self.answers.indicators
            if i in by_id
        ]
        selection_errors = field_errors(form)
        return {
            "filters": filters,
            "filter_values": self.query(),
            "filtering": filtering,
            "groups": presenters.grouped(items),
            "shown_count": len(items),
            "chosen": chosen,
            "domains": presenters.domain_summary(loaded, selected),
            "domain_choices": filters.fields["domain"].choices,
            "level_choices": filters.fields["level"].choices,
            "form_action": self.request.get_full_path(),
            "field_errors": field_errors(filters)
            | {"selection": selection_errors.get("selected") or selection_errors.get("shown")},
        }


class StrengthsPage(CheckQuestion):
    step = journey.STRENGTHS
    form_class = SelectionForm
    template_name = "checks/strengths.html"

    def protective_ids(self) -> list[str]:
        return [i.id for i in self.framework.framework.indicators if i.protective]

    def form_kwargs(self) -> dict[str, Any]:
        return {"ids": self.protective_ids()}

    def done(self, answers: Answers, form: SelectionForm) -> None:
        answers.set_selected(form.cleaned_data["selected"], self.protective_ids(), protective=True)

    def anchors(self, form: Any) -> dict[str, str]:
        ids = self.protective_ids()
        return {"selected": f"p-{ids[0]}"} if ids else {}

    def page_context(self, form: Any) -> dict[str, Any]:
        selected = set(self.answers.protective)
        groups: dict[str, list[dict[str, Any]]] = {}
        for indicator in self.framework.framework.indicators:
            if indicator.protective:
                item = presenters.indicator_item(
                    indicator, self.framework, checked=indicator.id in selected, prefix="p"
                )
                groups.setdefault(item["domain_name"], []).append(item)
        return {"groups": list(groups.items())}


class ChildPage(CheckQuestion):
    step = journey.CHILD
    form_class = ChildForm
    template_name = "checks/child.html"

    def load(self) -> HttpResponse | None:
        early = super().load()
        answers = self.answers
        self.from_words = None if answers.child_answered else child_from_words(answers.text)
        return early

    def form_kwargs(self) -> dict[str, Any]:
        answers = self.answers
        initial = {"age_years": answers.age_years, "age_months": answers.age_months, "facts": answers.facts}
        if self.from_words is not None:  # a first visit: what their words said, filled in for them to check
            initial = self.from_words.initial
        return {"initial": initial}

    def done(self, answers: Answers, form: ChildForm) -> None:
        answers.age_years = form.cleaned_data["age_years"]
        answers.age_months = form.cleaned_data["age_months"]
        answers.facts = list(form.cleaned_data["facts"])
        answers.child_answered = True

    def anchors(self, form: Any) -> dict[str, str]:
        return {"age_years": "age_years", "age_months": "age_months", "facts": f"fact-{next(iter(Fact)).value}"}

    def page_context(self, form: Any) -> dict[str, Any]:
        chosen = set(form["facts"].value() or [])
        facts = [
            {
                "html_id": f"fact-{f.value}",
                "value": f.value,
                "label": fact_label(f.value)[0],
                "hint": fact_label(f.value)[1],
                "checked": f.value in chosen,
            }
            for f in Fact
        ]
        said = self.from_words.said if self.from_words is not None and self.request.method == "GET" else []
        return {
            "facts": facts,
            "age_years": form["age_years"].value() if form["age_years"].value() is not None else "",
            "age_months": form["age_months"].value() if form["age_months"].value() is not None else "",
            "from_words": said,
        }


class AnswersPage(CheckQuestion):
    """Check your answers; sending them stores the check and shows its recommendation.

    If the framework changed since the check started, the answers are read under the current
    version: indicators it no longer has are dropped, and the page says so and lists them."""

    step = journey.ANSWERS
    form_class = django_forms.Form
    template_name = "checks/answers.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST":
            # The same answers sent again (a double click, a resent form): the check they already made.
            stored = services.submitted_check(request.POST.get("submission", ""))
            if stored is not None:
                return redirect("checks:detail", public_id=stored.public_id)
        return super().dispatch(request, *args, **kwargs)

    def load(self) -> HttpResponse | None:
        early = super().load()
        if early is None:
            self.gone = self.answers.keep_known(self.framework)  # in this request only: said on every showing
            if not self.answers.submission:
                self.answers.submission = str(uuid.uuid4())
                self.answers.save(self.request.session)
        return early

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        answers, loaded = self.answers, self.framework
        if not answers.indicators and not answers.facts:
            return self.render_page(
                None,
                errors=[{"href": "#concerns", "text": "Select at least one concern, or a key fact about the child"}],
            )
        inputs = answers.stored_input() | {"rejected_text": _texts(loaded, answers.not_selected())}
        if self.changed():
            inputs["started_under"] = {"version": answers.framework_version, "hash": answers.framework_hash}
            inputs["dropped"] = self.gone
        try:
            check = services.create_check(
                loaded, inputs, actor=actor_for(request), submission=uuid.UUID(answers.submission)
            )
        except AssessmentInputError as exc:
            return self.render_page(
                None, errors=[{"href": "#concerns", "text": f"The answers could not be checked: {exc}"}]
            )
        Answers.clear(request.session)
        remember_made(request, check.public_id)  # this session records its judgement (ADR 0018)
        return redirect("checks:detail", public_id=check.public_id)

    def changed(self) -> bool:
        return self.answers.framework_changed(self.framework) or bool(self.gone)

    def page_context(self, form: Any) -> dict[str, Any]:
        answers, loaded = self.answers, self.framework
        by_id = {i.id: i for i in loaded.framework.indicators}
        return {
            "concerns": [presenters.indicator_item(by_id[i], loaded, checked=True) for i in answers.indicators],
            "strengths": [presenters.indicator_item(by_id[i], loaded, checked=True) for i in answers.protective],
            "rejected": [
                presenters.indicator_item(by_id[i], loaded, checked=False) for i in answers.not_selected() if i in by_id
            ],
            "has_strengths": journey.has_strengths(loaded),
            "age": {"years": answers.age_years, "months": answers.age_months},
            "gone": self.gone,
            "submission": answers.submission,
            "framework_changed": {"version_from": answers.framework_version or "unknown"} if self.changed() else None,
        }


def _texts(loaded: LoadedFramework, ids: list[str]) -> list[dict[str, str]]:
    by_id = {i.id: i for i in loaded.framework.indicators}
    return [{"indicator": i, "text": by_id[i].text} for i in ids if i in by_id]
