"""Sending a referral from a stored check: question pages kept in the session, then one service call.

Pages: the child (one at a time), the children so far (add another?), the family, the
referrer, what has been done so far, consent, check your answers. Sending goes through
:func:`continuum.apps.referrals.services.send_referral`, which checks everything again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator

from continuum.apps.accounts.permissions import action_required, can
from continuum.apps.checks.models import Check
from continuum.apps.govuk import submissions
from continuum.apps.govuk.text import whole_number
from continuum.apps.govuk.views import QuestionPage
from continuum.apps.govuk.wizard import SessionAnswers, Steps
from continuum.apps.referrals import forms, presenters, services
from continuum.apps.referrals.codes import GENDER_LABELS, REFERRAL_SOURCE_LABELS, REFERRAL_SOURCES
from continuum.apps.referrals.models import ConsentBasis, Referral

STEPS = Steps(("child", "children", "family", "referrer", "done", "consent", "check"))

# Where each service refusal's field is answered: (step, the field's id on that page).
FIELD_PAGES: dict[str, str] = {
    "children": "children",
    "referrer_name": "referrer",
    "referrer_agency": "referrer",
    "referral_source": "referrer",
    "referrer_phone": "referrer",
    "what_done_so_far": "done",
    "postcode": "family",
}


@dataclass
class ReferralAnswers(SessionAnswers):
    SESSION_KEY: ClassVar[str] = "referral"

    check: str = ""  # the check's public id: answers for another check start again
    children: list[dict[str, Any]] = field(default_factory=list)
    family: dict[str, Any] = field(default_factory=dict)
    referrer: dict[str, Any] = field(default_factory=dict)
    what_done_so_far: str = ""
    consent: dict[str, Any] = field(default_factory=dict)


def _own_check(request: HttpRequest, public_id: str) -> Check:
    check = Check.objects.visible_to(request.actor).filter(public_id=public_id).first()  # type: ignore[attr-defined]
    if check is None or not can(request.actor, "checks.send", check):  # type: ignore[attr-defined]
        raise Http404("No check of yours has this reference")
    return check


def _when_text(data: dict[str, Any], unborn: bool) -> str:
    day = data["unborn_due_date"] if unborn else data["date_of_birth"]
    return f"{'Due' if unborn else 'Born'} {day.day} {day:%B %Y}" if day else ""


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def values(form: Any) -> dict[str, Any]:
    """Each field's value to show: what was posted, else what was saved (templates cannot call functions)."""
    if form is None:
        return {}
    return {name: (form[name].value() if form.is_bound else form.initial.get(name, "")) for name in form.fields}


def details_from(answers: ReferralAnswers) -> services.Details:
    """The answers as the service takes them."""
    consent = answers.consent
    return services.Details(
        children=[
            services.Child(
                first_name=c.get("first_name", ""),
                last_name=c.get("last_name", ""),
                date_of_birth=_date(c.get("date_of_birth")),
                unborn_due_date=_date(c.get("unborn_due_date")),
                nhs_number=c.get("nhs_number", ""),
                gender=c.get("gender", ""),
                ethnicity=c.get("ethnicity", ""),
                school_or_setting=c.get("school_or_setting", ""),
            )
            for c in answers.children
        ],
        referrer_name=answers.referrer.get("referrer_name", ""),
        referrer_agency=answers.referrer.get("referrer_agency", ""),
        referral_source=answers.referrer.get("referral_source", ""),
        referrer_phone=answers.referrer.get("referrer_phone", ""),
        referrer_email=answers.referrer.get("referrer_email", ""),
        what_done_so_far=answers.what_done_so_far,
        consent=services.Consent(
            basis=consent.get("consent_basis", ""),
            who=consent.get("consent_who", ""),
            when=_date(consent.get("consent_when")),
            shared=consent.get("consent_shared", ""),
            reason=consent.get("consent_reason", ""),
            exception=consent.get("consent_exception", ""),
        ),
        address=answers.family.get("address", ""),
        postcode=answers.family.get("postcode", ""),
        household=forms.household_rows(answers.family.get("household", "")),
        languages=answers.family.get("languages", ""),
        interpreter_needed=answers.family.get("interpreter_needed") == "yes",
    )


@method_decorator(action_required("referrals.send"), name="dispatch")
class ReferralPage(QuestionPage):
    steps = STEPS
    check: Check
    framework: Any
    answers: ReferralAnswers

    def load(self) -> HttpResponse | None:
        self.check = _own_check(self.request, self.kwargs["check_id"])
        self.answers = ReferralAnswers.from_session(self.request.session)
        if self.answers.check != self.check.public_id:
            self.answers = ReferralAnswers(check=self.check.public_id)
        loaded = services._framework(self.check.framework_id)
        self.framework = loaded.framework
        refusal = services.level_refusal(self.framework, services.check_level(self.check))
        if refusal is not None:
            return redirect("referrals:start", check_id=self.check.public_id)
        if self.step not in ("child", "children") and not self.answers.children:
            return redirect(self.url_for("child"))
        return None

    def next_step(self) -> str:
        """The next page; from "check your answers" (``?change=1``), back there, as GOV.UK's pattern does."""
        return self.steps.last if self.changing else super().next_step()

    def url_for(self, step: str, *, changing: bool = False) -> str:
        url = reverse(f"referrals:{step}", kwargs={"check_id": self.check.public_id})
        return url + ("?change=1" if changing else "")

    def back_url(self) -> str:
        if self.changing:
            return self.url_for(self.steps.last)
        previous = self.previous_step()
        return (
            self.url_for(previous)
            if previous
            else reverse("referrals:start", kwargs={"check_id": self.check.public_id})
        )

    def question_context(self) -> dict[str, Any]:
        return {"check": self.check, "front_door": presenters.what_happens_next(self.check.framework_id).front_door}


class ChildPage(ReferralPage):
    step = "child"
    form_class = forms.ChildForm
    template_name = "referrals/child.html"

    @property
    def index(self) -> int:
        try:
            index = int(self.request.GET.get("child", len(self.answers.children)))
        except ValueError:
            index = len(self.answers.children)
        return max(0, min(index, len(self.answers.children)))

    def form_kwargs(self) -> dict[str, Any]:
        if self.index < len(self.answers.children):
            saved = dict(self.answers.children[self.index])
            saved["date_of_birth"] = _date(saved.get("date_of_birth"))
            saved["unborn_due_date"] = _date(saved.get("unborn_due_date"))
            return {"initial": saved}
        return {}

    def page_context(self, form: Any) -> dict[str, Any]:
        value = values(form)
        return {
            "index": self.index,
            "number": self.index + 1,
            "dob": forms.date_parts(value["date_of_birth"]),
            "due": forms.date_parts(value["unborn_due_date"]),
            "genders": [("", "Not given"), *GENDER_LABELS.items()],
            "value": value,
        }

    def anchors(self, form: Any) -> dict[str, str]:
        return {"date_of_birth": "date_of_birth-day", "unborn_due_date": "unborn_due_date-day"}

    def done(self, answers: Any, form: Any) -> HttpResponse | None:
        data = form.cleaned_data
        unborn = bool(data["unborn"])
        child = {
            "first_name": data["first_name"].strip(),
            "last_name": data["last_name"].strip(),
            "unborn": unborn,
            "date_of_birth": None if unborn else _iso(data["date_of_birth"]),
            "unborn_due_date": _iso(data["unborn_due_date"]) if unborn else None,
            "nhs_number": data["nhs_number"],
            "gender": data["gender"],
            "ethnicity": data["ethnicity"].strip(),
            "school_or_setting": data["school_or_setting"].strip(),
            "when_text": _when_text(data, unborn),
        }
        if self.index < len(answers.children):
            answers.children[self.index] = child
        else:
            answers.children.append(child)
        answers.save(self.request.session)
        return redirect(self.url_for("children", changing=self.changing))


class ChildrenPage(ReferralPage):
    step = "children"
    form_class = forms.AnotherChildForm
    template_name = "referrals/children.html"

    def anchors(self, form: Any) -> dict[str, str]:
        return {"another": "another-yes"}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        remove = request.POST.get("remove")
        index = whole_number(remove)
        if index is not None and index < len(self.answers.children):
            del self.answers.children[index]
            self.answers.save(request.session)
            return redirect(self.url_for("children" if self.answers.children else "child", changing=self.changing))
        return super().post(request, *args, **kwargs)

    def done(self, answers: Any, form: Any) -> HttpResponse | None:
        if not answers.children:
            return redirect(self.url_for("child"))
        if form.cleaned_data["another"] == "yes":
            return redirect(
                self.url_for("child", changing=self.changing)
                + ("&" if self.changing else "?")
                + f"child={len(answers.children)}"
            )
        return None


class FamilyPage(ReferralPage):
    step = "family"
    form_class = forms.FamilyForm
    template_name = "referrals/family.html"

    def form_kwargs(self) -> dict[str, Any]:
        return {"initial": self.answers.family}

    def anchors(self, form: Any) -> dict[str, str]:
        return {"interpreter_needed": "interpreter_needed-yes"}

    def page_context(self, form: Any) -> dict[str, Any]:
        return {"value": values(form)}

    def done(self, answers: Any, form: Any) -> HttpResponse | None:
        answers.family = {k: (v.strip() if isinstance(v, str) else v) for k, v in form.cleaned_data.items()}
        return None


class ReferrerPage(ReferralPage):
    step = "referrer"
    form_class = forms.ReferrerForm
    template_name = "referrals/referrer.html"

    def form_kwargs(self) -> dict[str, Any]:
        user = self.request.user
        initial = {
            "referrer_name": user.get_full_name() if hasattr(user, "get_full_name") else "",
            "referrer_email": getattr(user, "email", ""),
        }
        return {"initial": initial | self.answers.referrer}

    def page_context(self, form: Any) -> dict[str, Any]:
        return {
            "value": values(form),
            "sources": REFERRAL_SOURCES,
        }

    def done(self, answers: Any, form: Any) -> HttpResponse | None:
        answers.referrer = {k: v.strip() for k, v in form.cleaned_data.items()}
        return None


class DonePage(ReferralPage):
    step = "done"
    form_class = forms.DoneForm
    template_name = "referrals/done.html"

    def form_kwargs(self) -> dict[str, Any]:
        return {"initial": {"what_done_so_far": self.answers.what_done_so_far}}

    def done(self, answers: Any, form: Any) -> HttpResponse | None:
        answers.what_done_so_far = form.cleaned_data["what_done_so_far"].strip()
        return None


class ConsentPage(ReferralPage):
    step = "consent"
    form_class = forms.ConsentForm
    template_name = "referrals/consent.html"

    def requirement(self) -> dict[str, Any]:
        return services.consent_requirement(
            self.framework, services.check_level(self.check), self.check.result.get("consent")
        )

    def form_kwargs(self) -> dict[str, Any]:
        saved = dict(self.answers.consent)
        saved["consent_when"] = _date(saved.get("consent_when"))
        return {"initial": saved}

    def anchors(self, form: Any) -> dict[str, str]:
        return {
            "consent_basis": "consent_basis-obtained",
            "consent_when": "consent_when-day",
            "consent_exception": "consent_exception-0",
        }

    def page_context(self, form: Any) -> dict[str, Any]:
        value = values(form)
        return {
            "requirement": self.requirement(),
            "when": forms.date_parts(value["consent_when"]),
            "value": value,
            "bases": ConsentBasis.choices,
        }

    def done(self, answers: Any, form: Any) -> HttpResponse | None:
        consent = forms.consent_from(form.cleaned_data)
        refusal = services.consent_refusal(self.requirement(), consent)  # the service's own rule, shown early
        if refusal is not None:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
            return self.render_page(form)
        answers.consent = {
            "consent_basis": consent.basis,
            "consent_who": consent.who.strip(),
            "consent_when": _iso(consent.when),
            "consent_shared": consent.shared.strip(),
            "consent_reason": consent.reason.strip(),
            "consent_exception": consent.exception,
        }
        return None


class CheckAnswersPage(ReferralPage):
    step = "check"
    form_class = forms.forms.Form
    template_name = "referrals/check_answers.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST":
            # The same answers sent again (a double click, a resent form): the referral they already made.
            sent = submissions.sent_before(request)
            if isinstance(sent, Referral) and sent.referrer_id == getattr(request.user, "pk", None):
                return redirect("referrals:sent", public_id=sent.public_id)
        return super().dispatch(request, *args, **kwargs)

    def page_context(self, form: Any) -> dict[str, Any]:
        answers = self.answers
        consent = answers.consent
        return {
            "children": answers.children,
            "family": answers.family,
            "referrer": answers.referrer,
            "source_label": REFERRAL_SOURCE_LABELS.get(answers.referrer.get("referral_source", ""), ""),
            "genders": GENDER_LABELS,
            "consent": consent,
            "basis_label": dict(ConsentBasis.choices).get(consent.get("consent_basis", ""), ""),
            "level": services.check_level(self.check),
            "level_name": next(
                (lv.name for lv in self.framework.levels if lv.number == services.check_level(self.check)), ""
            ),
            "household": forms.household_rows(answers.family.get("household", "")),
            "next": presenters.what_happens_next(self.check.framework_id),
            "drivers": self.check.result.get("drivers", []),
        }

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.answers.family:
            # The journey's own rule, beyond the service's (a referral phoned in may have no address):
            # one sent here has had the family's page answered, not skipped by going to this page's address.
            href = self.url_for("family", changing=True)
            return self.render_page(None, errors=[{"href": href, "text": "Answer the questions about the family"}])
        try:
            actor = request.actor  # type: ignore[attr-defined]
            details = details_from(self.answers)
            first = submissions.of_form(request, lambda: services.send_referral(actor, self.check, details)[0])
        except services.ReferralError as refusal:
            step = FIELD_PAGES.get(refusal.field)
            if step is None and refusal.field.startswith(
                ("children-", "first_name", "date_of_birth", "nhs_number", "gender")
            ):
                step = "child"
            if step is None and refusal.field.startswith("consent"):
                step = "consent"
            href = self.url_for(step, changing=True) if step else "#main-content"
            return self.render_page(None, errors=[{"href": href, "text": refusal.message}])
        ReferralAnswers.clear(request.session)
        return redirect("referrals:sent", public_id=first.public_id)


@action_required("referrals.send")
def start(request: HttpRequest, check_id: str) -> HttpResponse:
    """The referral's start page: what it sends and to whom, or why this check cannot be sent."""
    stored = _own_check(request, check_id)
    loaded = services._framework(stored.framework_id)
    level = services.check_level(stored)
    refusal = services.level_refusal(loaded.framework, level)
    context = {
        "check": stored,
        "level": level,
        "refusal": refusal,
        "next": presenters.what_happens_next(stored.framework_id),
        "first": reverse("referrals:child", kwargs={"check_id": stored.public_id}),
    }
    return render(request, "referrals/start.html", context, status=200)
