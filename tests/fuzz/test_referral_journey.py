"""The referral journey walked step by step, with state (hypothesis stateful), through Django's test client.

A practitioner starts from a stored check and, in an order hypothesis chooses, answers the journey's pages
(the child, the children so far, the family, the referrer, what has been done, consent) with valid answers
taken from each page's own form (its radios and options) or with hostile ones (``tests/fuzz/inputs.py``:
the valid answer with fields replaced by long text, control, bidirectional and invisible characters, odd
dates, huge numbers, or left out); goes back to earlier pages; skips ahead to a later page's URL; answers
from "check your answers" (``?change=1``); edits or removes a child; tries the pages of someone else's check;
and sends from "check your answers" (sometimes twice with the same form, as a double click does).

The checks walked: one that can be referred in Cambridgeshire and Peterborough (consent: seek unless risk)
and one in Central Bedfordshire at level 2 (consent required, with the document's exceptions offered on the
page). A check below the partnership's referral level is tested on its own (every page goes back to the start
page; nothing can be sent), as are the faults the walk found, each now fixed and pinned by a test of its
own: the family page could be skipped and the referral still sent; superscript digits in an NHS number or a
child's remove button, and a date part too large, were a 500; an upper-cased postcode could outgrow its column.

The model is what the practitioner has had accepted: a page's answer counts once the page redirects onwards,
and what it holds is what the page's own form cleans (the form is the oracle for cleaning, not for the
journey). Invariants after every step:

- never a 500 (the test client raises the view's exception) and only the expected answers: 200, 400 with
  the GOV.UK error summary, a 302 to one of the journey's pages (or to the sent page after sending), 403/404
  for someone else's check;
- a valid answer taken from the page's own choices is accepted (a 302 to the next page);
- nothing but a successful send stores anything: the rows of every Continuum model and of the job queue, and
  the audit events (the access log aside), are counted before and after (``test_posts.stored``);
- a send is accepted only when every page has been answered (skipping ahead never sends an incomplete
  referral); it makes exactly one referral per child, with the last accepted answers, each with its
  ``referrals.submitted`` audit event; the same form sent again stores nothing more.

Bounded: derandomised, no example database, ``EXAMPLES`` journeys of at most ``STEPS`` steps (about 30 s on
SQLite on two cores; the walk asserts at its end that it sent journeys, sent too early, had each page accept
a valid answer and had half the pages or more refuse a hostile one, so a walk that reaches nothing fails; which
pages refuse depends on the path, so each page's refusal of an empty answer is a test of its own). Each journey runs in a savepoint rolled back
at its end. Marked ``web`` (as
``test_posts.py``): it runs again on PostgreSQL, where a NUL character reaching a query is an error.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.audit import queries as audit
from continuum.apps.checks.models import Check
from continuum.apps.referrals import events, forms
from continuum.apps.referrals.models import Family, Referral
from continuum.apps.referrals.views import journey
from tests.apps.referrals.factories import make_check
from tests.conftest import FRAMEWORKS_DIR
from tests.django_support import frameworks_offered, submission_token
from tests.drills.casework import acting_client
from tests.fuzz.inputs import as_query, awkward_answer
from tests.fuzz.test_posts import BROWSER, SUMMARY, FormFields, answer_kind, stored
from tests.people import member

pytestmark = [pytest.mark.web, pytest.mark.django_db]

CP, CB = "cambridgeshire-peterborough", "central-bedfordshire"
EXAMPLES = 40  # journeys
STEPS = 30  # steps per journey at most
BOUNDED = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)

QUESTIONS = ("child", "children", "family", "referrer", "done", "consent")  # the pages with answers
PAGES = (*QUESTIONS, "check")
VIEWS: dict[str, Any] = {
    "child": journey.ChildPage,
    "children": journey.ChildrenPage,
    "family": journey.FamilyPage,
    "referrer": journey.ReferrerPage,
    "done": journey.DonePage,
    "consent": journey.ConsentPage,
}
NEXT = dict(itertools.pairwise(PAGES))
UNROUTED = {"csrfmiddlewaretoken", "submission"}
FOLLOW = "follow"  # answer the page the journey sent us to (on check your answers: send)
# What the practitioner does at each step, as often as it is listed: mostly follow the journey (valid answers
# mostly), else answer any page out of order (skipping ahead, going back, changing from check your answers),
# show any page, send whatever has been answered, remove a child, or try someone else's check.
ACTIONS: list[tuple[str, str]] = [
    *[(FOLLOW, "")] * 14,
    *[("answer", p) for p in QUESTIONS],
    *[("visit", p) for p in PAGES],
    ("send", "check"),
    ("remove", "children"),
    *[("stranger", p) for p in ("child", "consent", "check")],
]


# --- the people and their checks, once for the test ------------------------------------------------


@dataclass(frozen=True)
class Journeys:
    people: dict[str, Actor]  # partnership → a practitioner in it
    checks: dict[str, Check]  # "cp", "cb", "cp-low" → a check of that practitioner's
    strangers: Check  # another practitioner's check (in CP): 404 for ours


@pytest.fixture
def journeys(settings: Any) -> Iterator[Journeys]:
    with frameworks_offered(settings, FRAMEWORKS_DIR):
        people = {p: member(Role.PRACTITIONER, p, first_name="Pat", last_name="Walker") for p in (CP, CB)}
        stranger = member(Role.PRACTITIONER, CP, first_name="Sol", last_name="Stranger")
        checks = {
            "cp": make_check(people[CP], CP, 3),
            "cb": make_check(people[CB], CB, 2),
            "cp-low": make_check(people[CP], CP, 2),  # below the level CP refers at
        }
        yield Journeys(people, checks, make_check(stranger, CP, 3))


# --- valid answers, from the page's own choices ---------------------------------------------------

NAMES = ("Sam", "Robin", "Ali Khan", "Zoë")
SURNAMES = ("Example", "O'Neill", "Drill")
TEXTS = ("Met the mother twice; school nurse involved.", "Early help plan since March.")
NHS = ("", "943 476 5919", "9434765919")


def _past(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def _date(name: str, day: date) -> dict[str, list[str]]:
    return {f"{name}-day": [str(day.day)], f"{name}-month": [str(day.month)], f"{name}-year": [str(day.year)]}


def valid_answer(step: str, offered: dict[str, list[str]]) -> st.SearchStrategy[dict[str, list[str]]]:
    """A valid answer to ``step``, its choices from ``offered`` (the page's radios and options)."""

    def pick(name: str, *, blank: bool = False) -> st.SearchStrategy[list[str]]:
        choices = [v for v in offered.get(name, []) if blank or v]
        assert choices, f"the {step} page offers no {name}"
        return st.sampled_from(choices).map(lambda v: [v])

    def text(options: tuple[str, ...]) -> st.SearchStrategy[list[str]]:
        return st.sampled_from(options).map(lambda v: [v])

    if step == "child":
        born = st.integers(200, 6000).map(lambda d: _date("date_of_birth", _past(d)))
        due = st.integers(1, 250).map(lambda d: {"unborn": ["on"], **_date("unborn_due_date", _past(-d))})
        return st.builds(
            lambda when, rest: {**when, **rest},
            born | due,
            st.fixed_dictionaries(
                {"first_name": text(NAMES), "last_name": text(SURNAMES)},
                optional={
                    "nhs_number": text(NHS),
                    "gender": pick("gender", blank=True),
                    "ethnicity": text(("White British", "Mixed")),
                    "school_or_setting": text(("Example Primary School",)),
                },
            ),
        )
    if step == "children":
        return st.fixed_dictionaries({"another": pick("another")})
    if step == "family":
        return st.fixed_dictionaries(
            {
                "address": text(("1 Example Street\nExampletown", "Flat 2, 3 High Road")),
                "interpreter_needed": pick("interpreter_needed"),
            },
            optional={
                "postcode": text(("AB1 2CD", "ab12cd", "")),
                "household": text(("Alex Example, mother\nJo Example, brother", "Pat Example")),
                "languages": text(("English, Polish",)),
            },
        )
    if step == "referrer":
        contact = st.sampled_from(
            [
                {"referrer_phone": ["01234 567890"]},
                {"referrer_email": ["pat@example.org"]},
                {"referrer_phone": ["07700 900123"], "referrer_email": ["pat.walker@example.org"]},
            ]
        )
        return st.builds(
            lambda mine, how: {**mine, **how},
            st.fixed_dictionaries(
                {
                    "referrer_name": text(("Pat Walker", "Dr Jo Smith")),
                    "referrer_agency": text(("Example Primary School", "Health visiting")),
                    "referral_source": pick("referral_source"),
                }
            ),
            contact,
        )
    if step == "done":
        return st.fixed_dictionaries({"what_done_so_far": text(TEXTS)})
    assert step == "consent", step
    obtained = st.fixed_dictionaries(
        {
            "consent_basis": st.just(["obtained"]),
            "consent_who": text(("Alex Example (mother)",)),
            "consent_shared": text(("The concerns and this referral",)),
        }
    ).flatmap(lambda d: st.integers(0, 400).map(lambda n: {**d, **_date("consent_when", _past(n))}))
    others = [v for v in offered.get("consent_basis", []) if v and v != "obtained"]
    exception = pick("consent_exception") if offered.get("consent_exception") else st.just([""])
    not_obtained = st.fixed_dictionaries(
        {
            "consent_basis": st.sampled_from(others).map(lambda v: [v]),
            "consent_who": text(("Alex Example (mother)",)),
            "consent_reason": text(("Seeking consent would put the child at risk of significant harm",)),
            "consent_exception": exception,
        }
    )
    assert "obtained" in offered.get("consent_basis", []), "the consent page offers no 'obtained'"
    return obtained | not_obtained


# --- what the pages keep, as the form cleans it (the oracle for an accepted answer) ---------------


CHILD_FIELDS = (
    "child_first_name",
    "child_last_name",
    "date_of_birth",
    "unborn_due_date",
    "nhs_number",
    "gender",
    "ethnicity",
    "school_or_setting",
)


def kept_child(data: dict[str, Any]) -> dict[str, Any]:
    unborn = bool(data["unborn"])
    return {
        "child_first_name": data["first_name"].strip(),
        "child_last_name": data["last_name"].strip(),
        "date_of_birth": None if unborn else data["date_of_birth"],
        "unborn_due_date": data["unborn_due_date"] if unborn else None,
        "nhs_number": data["nhs_number"],
        "gender": data["gender"],
        "ethnicity": data["ethnicity"].strip(),
        "school_or_setting": data["school_or_setting"].strip(),
    }


def kept(step: str, data: dict[str, Any]) -> dict[str, Any]:
    """What the referral will say, from the cleaned answer to ``step`` (besides the child)."""
    if step == "family":
        return {
            "address": data["address"].strip(),
            "postcode": data["postcode"].strip().upper(),
            "household": forms.household_rows(data["household"].strip()),
            "languages": data["languages"].strip(),
            "interpreter_needed": data["interpreter_needed"] == "yes",
        }
    if step == "referrer":
        return {k: v.strip() for k, v in data.items()}
    if step == "done":
        return {"what_done_so_far": data["what_done_so_far"].strip()}
    assert step == "consent"
    basis = data["consent_basis"]
    detail: dict[str, Any] = {}
    if data["consent_exception"] and basis != "obtained":
        detail["exception"] = data["consent_exception"]
    if basis == "obtained":
        when = data["consent_when"]
        detail |= {"who": data["consent_who"].strip(), "when": when.isoformat() if when else None}
        detail["shared"] = data["consent_shared"].strip()
    elif basis == "not-sought":
        detail["reason"] = data["consent_reason"].strip()
    else:
        detail |= {"who": data["consent_who"].strip(), "reason": data["consent_reason"].strip()}
    return {"consent_basis": basis, "consent_detail": detail}


def row_of(referral: Referral) -> dict[str, Any]:
    family: Family = referral.family
    detail = {k: v for k, v in referral.consent_detail.items() if k not in ("rule", "exception_applies")}
    return {
        **{k: getattr(referral, k) for k in CHILD_FIELDS},
        "address": family.address,
        "postcode": family.postcode,
        "household": family.household,
        "languages": family.languages,
        "interpreter_needed": family.interpreter_needed,
        **{k: getattr(referral, k) for k in forms.ReferrerForm.base_fields},
        "what_done_so_far": referral.what_done_so_far,
        "consent_basis": referral.consent_basis,
        "consent_detail": detail,
    }


# --- the walk ---------------------------------------------------------------------------------------


class Journey(RuleBasedStateMachine):
    """A practitioner walking the referral journey of one check; the model is what they have had accepted."""

    world: Journeys  # set by the test before the machine runs
    offered: dict[tuple[str, str], dict[str, list[str]]]  # (check, page) → the page's fields and choices
    seen: Counter[str]  # what happened, over every journey (the test asserts the walk reached each kind)

    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.which = "cp"
        self.client: Client = Client()
        self.reset()

    def reset(self) -> None:
        self.on = ("child", "")  # where the journey last sent us (the page and its query)
        self.children: list[dict[str, Any]] = []
        self.answered: dict[str, dict[str, Any]] = {}

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)

    # --- helpers

    @property
    def check(self) -> Check:
        return self.world.checks[self.which]

    def url(self, page: str, check: Check | None = None, query: str = "") -> str:
        found = reverse(f"referrals:{page}", kwargs={"check_id": (check or self.check).public_id})
        return found + (f"?{query}" if query else "")

    def fields_of(self, page: str) -> dict[str, list[str]]:
        """The page's fields and the values it offers (its radios, options, buttons), read from the page once."""
        key = (self.which, page)
        if key not in self.offered:
            form_keys: dict[str, list[str]] = {}
            response = self.client.get(self.url(page))
            assert response.status_code == 200, f"GET {page}: {response.status_code}"
            parser = FormFields(self.url(page))
            parser.feed(response.content.decode())
            for _, found in parser.forms:
                for name, values in found.items():
                    if name not in UNROUTED and name != "remove":
                        form_keys.setdefault(name, []).extend(values)
            self.offered[key] = form_keys
        return self.offered[key]

    def where(self, location: str) -> tuple[str, str]:
        """The journey page (or "sent") a redirect goes to, and its query."""
        parts = urlsplit(location)
        for page in (*PAGES, "start"):
            if parts.path == self.url(page):
                return page, parts.query
        if parts.path.endswith("/sent/"):
            return "sent", parts.query
        raise AssertionError(f"a redirect outside the journey: {location}")

    def expect_gate(self, page: str, response: Any, context: str) -> bool:
        """Whether the journey's gates sent ``page`` elsewhere (asserting where); else it is the page itself."""
        if page not in ("child", "children") and not self.children:
            assert response.status_code == 302 and self.where(response["Location"])[0] == "child", context
            return True
        return False

    # --- the steps

    @initialize(which=st.sampled_from(["cp", "cb"]))
    def start(self, which: str) -> None:
        self.which = which
        self.seen[f"journey {which}"] += 1
        person = self.world.people[CB if which == "cb" else CP]
        self.client = acting_client(Client(), person)
        response = self.client.get(reverse("referrals:start", kwargs={"check_id": self.check.public_id}))
        assert response.status_code == 200

    def visit(self, page: str, changing: bool) -> None:
        """Go back to an earlier page, or skip ahead to a later one's URL: shown, or sent back by the gates."""
        self.seen["visit"] += 1
        before = stored()
        response = self.client.get(self.url(page, query="change=1" if changing else ""))
        context = f"GET {page} with {len(self.children)} children, answered {sorted(self.answered)}"
        answer_kind(response, context)
        if not self.expect_gate(page, response, context):
            assert response.status_code == 200, f"{context}: {response.status_code}"
        assert stored() == before, f"{context}: showing a page stored something"

    @rule(action=st.sampled_from(ACTIONS), data=st.data())
    def step(self, action: tuple[str, str], data: st.DataObject) -> None:
        """One thing the practitioner does (see ``ACTIONS``)."""
        what, page = action
        if what == FOLLOW and self.on[0] == "check":  # arrived at check your answers: send
            self.send(twice=data.draw(st.booleans(), label="twice"), with_token=True)
        elif what == FOLLOW:
            hostile = data.draw(st.sampled_from([False, False, True]), label="hostile")
            self.answer_page(self.on[0], self.on[1], hostile, data)
        elif what == "answer":
            changing = data.draw(st.booleans(), label="changing")
            index = data.draw(st.integers(0, len(self.children) + 1), label="child") if page == "child" else 0
            query = "&".join(
                q for q in ("change=1" if changing else "", f"child={index}" if page == "child" else "") if q
            )
            self.answer_page(page, query, data.draw(st.booleans(), label="hostile"), data)
        elif what == "visit":
            self.visit(page, changing=data.draw(st.booleans(), label="changing"))
        elif what == "send":
            self.send(twice=data.draw(st.booleans(), label="twice"), with_token=data.draw(st.booleans(), label="token"))
        elif what == "remove":
            self.remove_child(data.draw(st.integers(0, 2), label="remove"))
        else:
            assert what == "stranger", what
            self.someone_elses_check(page)

    def answer_page(self, page: str, query: str, hostile: bool, data: st.DataObject) -> None:
        params = QueryDict(query)
        changing = params.get("change") == "1"
        if page not in ("child", "children") and not self.children:
            answer: dict[str, list[str]] = {"first_name": ["Sam"], "address": ["1 Example Street"]}
        else:
            offered = self.fields_of(page)
            answer = data.draw(valid_answer(page, offered), label=f"valid {page}")
            if hostile:
                answer = data.draw(awkward_answer(answer, dict(sorted(offered.items()))), label=f"hostile {page}")
        index = len(self.children)
        if page == "child" and (params.get("child") or "").isdecimal():
            index = min(int(params["child"]), len(self.children))
        before = stored()
        url = self.url(page, query=query)
        try:
            response = self.client.post(url, {**BROWSER, **answer})
        except RequestDataTooBig:  # over DATA_UPLOAD_MAX_MEMORY_SIZE: Django answers 400 (the test client raises)
            assert hostile and sum(len(v) for listed in answer.values() for v in listed) > 100_000, "too big?"
            assert stored() == before, f"POST {url}: a post too big stored something"
            self.seen["too big"] += 1
            return
        context = f"POST {url} {answer!r:.400} with {len(self.children)} children, answered {sorted(self.answered)}"
        kind = answer_kind(response, context)
        assert stored() == before, f"{context}: a question page stored something"
        if self.expect_gate(page, response, context):
            self.seen["answer gated"] += 1
            return
        self.seen[f"{page} {'hostile' if hostile else 'valid'} {kind}"] += 1
        form = VIEWS[page].form_class(as_query(answer))
        valid = form.is_valid()
        if not hostile:
            assert valid, f"{context}: the valid answer is invalid: {form.errors}"
        if kind != "redirect":
            assert kind == "refused", f"{context}: {kind}"
            return  # refused: nothing kept
        assert valid, f"{context}: accepted what the page's form refuses: {form.errors}"
        self.accepted(page, form.cleaned_data, index, changing, response, context)

    def accepted(
        self, page: str, data: dict[str, Any], index: int, changing: bool, response: Any, context: str
    ) -> None:
        target, query = self.where(response["Location"])
        self.on = (target, query)
        if page == "child":
            if index < len(self.children):
                self.children[index] = kept_child(data)
            else:
                self.children.append(kept_child(data))
            assert target == "children", f"{context}: went to {target}"
            return
        if page == "children":
            if not self.children:
                assert target == "child", f"{context}: no child yet, went to {target}"
            elif data["another"] == "yes":
                assert (target, f"child={len(self.children)}" in query) == ("child", True), f"{context}: {query}"
            else:
                self.onwards("children", target, query, changing, context)
            return
        if page == "consent":
            requirement = journey.services.consent_requirement(
                journey.services._framework(self.check.framework_id).framework,
                journey.services.check_level(self.check),
                self.check.result.get("consent"),
            )
            refusal = journey.services.consent_refusal(requirement, forms.consent_from(data))
            assert refusal is None, f"{context}: accepted a consent the service refuses: {refusal}"
        self.answered[page] = kept(page, data)
        self.onwards(page, target, query, changing, context)

    def onwards(self, page: str, target: str, query: str, changing: bool, context: str) -> None:
        """An accepted answer goes to the next page; one changed from check your answers goes back there, or
        on to the next page still changing (what ``QuestionPage.advance`` does where the next step is not
        overridden, as in the referral journey)."""
        if changing:
            assert target == "check" or (target == NEXT[page] and "change=1" in query), f"{context}: {target}?{query}"
        else:
            assert target == NEXT[page] and not query, f"{context}: went to {target}?{query}"

    def remove_child(self, remove: int) -> None:
        before = stored()
        response = self.client.post(self.url("children"), {**BROWSER, "remove": str(remove)})
        context = f"remove child {remove} of {len(self.children)}"
        answer_kind(response, context)
        assert stored() == before, f"{context}: removing a child stored something"
        if self.expect_gate("children", response, context):
            return
        if remove < len(self.children):
            del self.children[remove]
            assert response.status_code == 302, context
            assert self.where(response["Location"])[0] == ("children" if self.children else "child"), context

    def someone_elses_check(self, page: str) -> None:
        self.seen["someone else's"] += 1
        before = stored()
        url = self.url(page, self.world.strangers)
        response = self.client.post(url, {**BROWSER, "first_name": ["Sam"], "another": ["no"]})
        assert response.status_code == 404, f"POST {url}: {response.status_code}"
        assert stored() == before, f"POST {url}: someone else's check stored something"

    def send(self, twice: bool, with_token: bool) -> None:
        """Send from check your answers: accepted only when every page is answered."""
        page = self.client.get(self.url("check"))
        context = f"send with {len(self.children)} children, answered {sorted(self.answered)}"
        answer_kind(page, context)
        token = (
            {"submission": submission_token(page.content.decode())} if page.status_code == 200 and with_token else {}
        )
        before, referrals = stored(), set(Referral.objects.values_list("pk", flat=True))
        response = self.client.post(self.url("check"), {**BROWSER, **token})
        kind = answer_kind(response, context)
        if self.expect_gate("check", response, context):
            assert stored() == before, f"{context}: a refused send stored something"
            self.seen["send gated"] += 1
            return
        missing = {"family", "referrer", "done", "consent"} - set(self.answered)
        if missing or not self.children:
            self.seen["send incomplete " + ",".join(sorted(missing))] += 1
            assert kind == "refused", f"{context}: an incomplete referral was not refused ({response.status_code})"
            assert stored() == before, f"{context}: a refused send stored something"
            return
        assert kind == "redirect" and self.where(response["Location"])[0] == "sent", f"{context}: {kind}"
        made = list(Referral.objects.exclude(pk__in=referrals).order_by("pk"))
        assert len(made) == len(self.children), f"{context}: {len(made)} referrals for {len(self.children)} children"
        assert response["Location"] == reverse("referrals:sent", kwargs={"public_id": made[0].public_id})
        answers = {k: v for page in ("family", "referrer", "done", "consent") for k, v in self.answered[page].items()}
        for referral, child in zip(made, self.children, strict=True):
            assert row_of(referral) == {**child, **answers}, f"{context}: the referral is not the answers"
            assert referral.stored_check_id == self.check.pk and referral.referrer_id == self.world_person().user.pk
            sent_events = audit.for_target(referral).filter(verb=events.SENT)
            assert sent_events.count() == 1, f"{context}: {sent_events.count()} sent events for {referral.public_id}"
        assert len({r.family_id for r in made}) == 1, f"{context}: siblings in different families"
        assert stored()["referrals.Referral"] == before["referrals.Referral"] + len(made)
        self.seen[f"sent {len(made)}"] += 1
        if twice and token:
            again_before = stored()
            again = self.client.post(self.url("check"), {**BROWSER, **token})
            assert again.status_code == 302 and again["Location"] == response["Location"], f"{context}: resent"
            assert stored() == again_before, f"{context}: the same form sent twice stored twice"
        self.reset()  # the answers are cleared once sent: the next referral starts again

    def world_person(self) -> Actor:
        return self.world.people[CB if self.which == "cb" else CP]

    @invariant()
    def the_answers_are_the_sessions_for_this_check(self) -> None:
        kept_answers = self.client.session.get("referral") or {}
        if kept_answers and kept_answers.get("check") == self.check.public_id:
            assert len(kept_answers["children"]) == len(self.children), "the session's children are not the model's"


def test_the_referral_journey_walked_in_any_order_sends_only_complete_answers_and_stores_nothing_else(
    journeys: Journeys,
):
    Journey.world = journeys
    Journey.offered = {}
    Journey.seen = Counter()
    run_state_machine_as_test(Journey, settings=BOUNDED)
    seen = Journey.seen
    # The walk reached what it is for (else the invariants above held of nothing).
    assert seen["journey cp"] and seen["journey cb"], seen
    assert sum(n for k, n in seen.items() if k.startswith("sent ")) >= 5, f"too few journeys sent: {seen}"
    assert sum(n for k, n in seen.items() if k.startswith("send incomplete")) >= 3, f"too few early sends: {seen}"
    for page in QUESTIONS:
        assert seen[f"{page} valid redirect"], f"{page}: {seen}"
    # Which pages happen to refuse a hostile answer depends on the path the walk takes (the pages'
    # redirects steer it), so the walk asks for refusals overall and each page's own refusal is
    # pinned by test_each_page_refuses_an_empty_answer_and_stores_nothing, whatever the path.
    refused = {k.split()[0] for k, n in seen.items() if k.endswith(" hostile refused") and n}
    assert len(refused) >= len(QUESTIONS) // 2, f"hostile answers refused on too few pages: {seen}"


# --- a check below the referral level, and the gaps the walk found ---------------------------------

ANSWERS: dict[str, dict[str, str]] = {
    "child": {
        "first_name": "Sam",
        "last_name": "Example",
        "date_of_birth-day": "3",
        "date_of_birth-month": "4",
        "date_of_birth-year": "2016",
    },
    "children": {"another": "no"},
    "family": {"address": "1 Example Street", "postcode": "AB1 2CD", "interpreter_needed": "no"},
    "referrer": {
        "referrer_name": "Pat Walker",
        "referrer_agency": "Example School",
        "referral_source": "2A",
        "referrer_email": "pat@example.org",
    },
    "done": {"what_done_so_far": "Met the family"},
    "consent": {
        "consent_basis": "obtained",
        "consent_who": "Alex Example",
        "consent_when-day": "5",
        "consent_when-month": "1",
        "consent_when-year": "2026",
        "consent_shared": "The concerns",
    },
}


def _walk(client: Client, check: Check, skip: tuple[str, ...] = (), **changed: dict[str, str]) -> None:
    for page, answer in ANSWERS.items():
        if page not in skip:
            url = reverse(f"referrals:{page}", kwargs={"check_id": check.public_id})
            response = client.post(url, {**BROWSER, **answer, **changed.get(page, {})})
            assert response.status_code == 302, f"POST {url}: {response.status_code}"


def test_a_check_below_the_referral_level_sends_every_page_back_to_the_start_and_sends_nothing(journeys: Journeys):
    check = journeys.checks["cp-low"]
    client = acting_client(Client(), journeys.people[CP])
    start = reverse("referrals:start", kwargs={"check_id": check.public_id})
    before = stored()
    for page in PAGES:
        url = reverse(f"referrals:{page}", kwargs={"check_id": check.public_id})
        for response in (client.get(url), client.post(url, {**BROWSER, **ANSWERS.get(page, {})})):
            assert response.status_code == 302 and response["Location"] == start, f"{page}: {response.status_code}"
    assert stored() == before


@pytest.mark.parametrize("page", QUESTIONS)
def test_each_page_refuses_an_empty_answer_and_stores_nothing(journeys: Journeys, page: str):
    check = journeys.checks["cp"]
    client = acting_client(Client(), journeys.people[CP])
    _walk(client, check, skip=QUESTIONS[QUESTIONS.index(page) :])
    if page != "child":  # every later page needs a child first
        _walk(client, check, skip=tuple(p for p in QUESTIONS if p != "child"))
    before = stored()
    response = client.post(reverse(f"referrals:{page}", kwargs={"check_id": check.public_id}), BROWSER)
    assert response.status_code == 400 and SUMMARY in response.content.decode(), f"{page}: {response.status_code}"
    assert stored() == before


def test_skipping_the_family_page_does_not_send(journeys: Journeys):
    check = journeys.checks["cp"]
    client = acting_client(Client(), journeys.people[CP])
    _walk(client, check, skip=("family",))
    before = stored()
    response = client.post(reverse("referrals:check", kwargs={"check_id": check.public_id}), BROWSER)
    assert response.status_code == 400 and SUMMARY in response.content.decode()
    assert stored() == before


def test_an_nhs_number_of_superscript_digits_is_refused_on_the_child_page(journeys: Journeys):
    check = journeys.checks["cp"]
    client = acting_client(Client(), journeys.people[CP])
    before = stored()
    url = reverse("referrals:child", kwargs={"check_id": check.public_id})
    response = client.post(url, {**BROWSER, **ANSWERS["child"], "nhs_number": "²" * 10})
    assert response.status_code == 400 and SUMMARY in response.content.decode()
    assert stored() == before


@pytest.mark.parametrize("written", ["９４３ ４７６ ５９１９", "٩٤٣٤٧٦٥٩١٩"])
def test_an_nhs_number_in_another_scripts_digits_is_stored_in_0_to_9(journeys: Journeys, written: str):
    check = journeys.checks["cp"]
    client = acting_client(Client(), journeys.people[CP])
    _walk(client, check, child={"nhs_number": written})
    response = client.post(reverse("referrals:check", kwargs={"check_id": check.public_id}), BROWSER)
    assert response.status_code == 302
    assert Referral.objects.get(stored_check=check).nhs_number == "9434765919"


def test_removing_a_child_by_a_superscript_digit_is_refused(journeys: Journeys):
    check = journeys.checks["cp"]
    client = acting_client(Client(), journeys.people[CP])
    _walk(client, check)
    before = stored()
    response = client.post(reverse("referrals:children", kwargs={"check_id": check.public_id}), {"remove": "²"})
    assert response.status_code in (200, 302, 400)
    assert stored() == before


@pytest.mark.parametrize("postcode", ["ß" * 10, "AB1\u00a02CD\u00a0ÄÖ", "AB1 2CD; DROP"])
def test_a_postcode_that_would_not_be_stored_as_written_is_refused_on_the_family_page(
    journeys: Journeys, postcode: str
):
    check = journeys.checks["cp"]
    client = acting_client(Client(), journeys.people[CP])
    _walk(client, check, skip=("family", "referrer", "done", "consent"))
    before = stored()
    url = reverse("referrals:family", kwargs={"check_id": check.public_id})
    response = client.post(url, {**BROWSER, **ANSWERS["family"], "postcode": postcode})
    assert response.status_code == 400 and "Enter a real postcode" in response.content.decode()
    assert stored() == before


def test_a_postcode_is_stored_as_capitals_with_single_spaces_within_its_column(journeys: Journeys):
    check = journeys.checks["cp"]
    client = acting_client(Client(), journeys.people[CP])
    _walk(client, check, family={"postcode": "  ab1   2cd "})
    response = client.post(reverse("referrals:check", kwargs={"check_id": check.public_id}), BROWSER)
    assert response.status_code == 302
    assert Referral.objects.get(stored_check=check).family.postcode == "AB1 2CD"


def test_a_date_part_too_large_is_refused_on_the_consent_page(journeys: Journeys):
    check = journeys.checks["cp"]
    client = acting_client(Client(), journeys.people[CP])
    _walk(client, check)
    before = stored()
    url = reverse("referrals:consent", kwargs={"check_id": check.public_id})
    response = client.post(url, {**BROWSER, **ANSWERS["consent"], "consent_when-day": "9" * 20})
    assert response.status_code == 400 and SUMMARY in response.content.decode()
    assert stored() == before
