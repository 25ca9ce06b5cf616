"""``QuestionPage``: one page of a question asked over several pages, as a small FormView.

An app's question has one base class that says where its answers and pages are
(:meth:`QuestionPage.load`, :meth:`~QuestionPage.url_for`, :meth:`~QuestionPage.next_step`,
:meth:`~QuestionPage.previous_step`); each page then sets ``step``, ``form_class`` and
``template_name`` and says what an answer changes (:meth:`~QuestionPage.done`). Pages read and
write only the session; stored records change through the app's services.

A page answered from "check your answers" (``?change=1``) returns there, and its back link
goes there. A form with errors is shown again with status 400, the GOV.UK error summary and
a message beside each field.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from continuum.apps.govuk.errors import error_summary, field_errors
from continuum.apps.govuk.wizard import SessionAnswers, Steps


class QuestionPage(View):
    """A question page: GET shows the form, POST validates it and, if valid, calls :meth:`done`."""

    http_method_names: ClassVar[list[str]] = ["get", "post"]  # type: ignore[misc]
    steps: ClassVar[Steps]
    step: ClassVar[str]
    form_class: ClassVar[type[forms.Form]]
    template_name: ClassVar[str]
    start_url_name: ClassVar[str] = "start"  # the back link from the first page

    request: HttpRequest
    answers: SessionAnswers

    # --- what an app's question says once ------------------------------------------------

    def load(self) -> HttpResponse | None:
        """Set ``self.answers`` (and what else the pages need); a redirect if an earlier page must come first."""
        raise NotImplementedError

    def url_for(self, step: str, *, changing: bool = False) -> str:
        raise NotImplementedError

    def applies(self, step: str) -> bool:
        """Whether ``step`` is part of this question, given the answers so far."""
        return True

    def next_step(self) -> str:
        return self.steps.next(self.step, self.applies)

    def previous_step(self) -> str | None:
        return self.steps.previous(self.step, self.applies)

    # --- what each page says ----------------------------------------------------------------

    def form_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for the form besides the data (``initial``, choices)."""
        return {}

    def done(self, answers: Any, form: Any) -> HttpResponse | None:
        """Keep the valid answer in ``answers``; return a response, or ``None`` for the next page."""
        raise NotImplementedError

    def question_context(self) -> dict[str, Any]:
        """What every page of the question shows (e.g. which framework it is about)."""
        return {}

    def page_context(self, form: Any) -> dict[str, Any]:
        """What this page's template needs besides the form and its errors."""
        return {}

    def anchors(self, form: Any) -> dict[str, str]:
        """Where each field's error summary link goes, when not to the field's name."""
        return {}

    # --- the machinery ---------------------------------------------------------------------

    @property
    def changing(self) -> bool:
        """Answering again from the check-your-answers page."""
        return self.request.GET.get("change") == "1"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if (request.method or "").lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        early = self.load()
        if early is not None:
            return early
        if not self.applies(self.step):
            target = self.next_step()
            return redirect(self.url_for(target, changing=self.changing and target != self.steps.last))
        return super().dispatch(request, *args, **kwargs)

    def get_form(self) -> Any:
        """The form, bound to the submitted data on a POST (even when empty, so a blank form shows its errors)."""
        data = self.request.POST if self.request.method == "POST" else None
        return self.form_class(data, **self.form_kwargs())

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(self.get_form())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.get_form()
        if form.is_valid():
            return self.done(self.answers, form) or self.advance()
        return self.render_page(form)

    def advance(self) -> HttpResponse:
        """Save the answers and go to the next page (back to check your answers when changing one)."""
        self.answers.save(self.request.session)
        target = self.next_step()
        return redirect(self.url_for(target, changing=self.changing and target != self.steps.last))

    def back_url(self) -> str:
        if self.changing:
            return self.url_for(self.steps.last)
        previous = self.previous_step()
        return self.url_for(previous) if previous else reverse(self.start_url_name)

    def render_page(self, form: Any, *, errors: list[dict[str, str]] | None = None) -> HttpResponse:
        """The page; status 400 with the error summary when the form (or ``errors``) has problems."""
        summary = error_summary(form, self.anchors(form)) if form is not None else []
        summary += errors or []
        context = {
            "step": self.step,
            "answers": self.answers,
            "back_url": self.back_url(),
            "changing": self.changing,
            "form": form,
            "errors": summary,
            "field_errors": field_errors(form) if form is not None else {},
        }
        context |= self.question_context() | self.page_context(form)
        return render(self.request, self.template_name, context, status=400 if context["errors"] else 200)
