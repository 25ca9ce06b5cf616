"""The practitioner's check walked step by step, with state (hypothesis stateful), through Django's test client.

An anonymous practitioner (no sign-in; matching by words only, as the checks tests run it) picks a
partnership (any of the five shipped frameworks, from the page's own radios) and, in an order hypothesis
chooses, answers the check's pages: the concern in their words (a few real concerns, none, or hostile text
from ``tests/fuzz/inputs.py``), the suggestions (confirmed or unticked from the page's own checkboxes),
indicators found by area or level and ticked or removed, strengths, the child's age and key facts, each with
valid answers taken from the page's own choices or hostile ones (fields replaced by long text, control,
bidirectional and invisible characters, huge numbers, other values, or left out). They go back, skip ahead to
a later page's URL (``new/answers`` among them), search the indicators with odd filters, change the partnership
mid-way, store the check from "check your answers" (sometimes twice with the same form, as a double click
does), open its page and its report, record "I think it is lower" with a valid or hostile reason (sometimes
twice with the same form, sometimes again as a change of mind), and try another session's check.

The model is what the practitioner has had accepted: an answer counts once the page redirects onwards, and
what it holds is what the page's own form cleans (the form is the oracle for cleaning, not for the journey).
Invariants after every step:

- never a 500 (the test client raises the view's exception) and only the expected answers: 200, 400 with
  the GOV.UK error summary, a 302 to the page of the journey the model expects (the next page, the page a
  missing answer sends to, check your answers when changing, the stored check's page), 403 for recording on
  another session's check;
- a valid answer taken from the page's own choices is accepted;
- nothing is stored but by storing the check or recording a lower view: the rows of every Continuum model
  and of the job queue, and the audit events (the access log aside), are counted before and after
  (``test_posts.stored``). Storing stores exactly one check (with its indicator rows) and its
  ``checks.recorded`` event, once per answers form (the same form again stores nothing); recording a lower
  view stores one ``LowerView``, its ``checks.lower_view_recorded`` event and its form's token, once per form;
- the stored check holds the last accepted answers: the partnership, words, suggestions offered, concerns and
  strengths (of its own framework only: answers from a partnership left mid-way never leak into it), facts and
  age; its recommended level is what ``continuum.engine.assess`` gives for them;
- a lower view is refused when its reason has nothing visible; it never changes the check's recommended or
  decided level; another session may open an anonymous check by its link but record nothing on it (403).

Bounded: derandomised, no example database, ``EXAMPLES`` journeys of at most ``STEPS`` steps (about 30 s on
SQLite on two cores; not shrunk: a failure is reported as walked). Each journey runs in a savepoint rolled
back at its end. The report's PDF is not walked (WeasyPrint takes seconds; ``test_views`` covers it). The
walk asserts at its end that it stored checks, refused a check of nothing, recorded a lower view and refused
one, changed partnership with answers given, tried another session's check, and had each page accept a valid
answer and three or more refuse a hostile one, so a walk that reaches nothing fails (how often it reaches each
depends on the path drawn; double clicks and invisible reasons also have tests of their own). New words
forget what was suggested for the old ones: the walk found them stored with the new words when the
suggestions page was skipped (fixed; ``test_views``). Marked ``web`` (as ``test_posts.py``): it runs again on
PostgreSQL, where a NUL character reaching a query is an error (and where triggers mark a stored check's day
stale for the reports: that derived row is allowed beside what a step stores).
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from continuum.apps.accounts.actor import Actor
from continuum.apps.audit import queries as audit
from continuum.apps.checks import events, services
from continuum.apps.checks.forms import ChildForm, ConcernForm, LowerViewForm, PartnershipForm, SelectionForm
from continuum.apps.checks.models import Check, LowerView
from continuum.apps.partnerships.catalogue import catalogue
from continuum.engine import assess
from continuum.frameworks import LoadedFramework
from tests.conftest import FRAMEWORKS_DIR
from tests.django_support import frameworks_offered
from tests.fuzz.inputs import BIDI, CONTROL, INVISIBLE, as_query, awkward_answer, values_for
from tests.fuzz.test_posts import BROWSER, FormFields, answer_kind, stored

pytestmark = [pytest.mark.web, pytest.mark.django_db]

EXAMPLES = 14  # journeys
STEPS = 30  # steps per journey at most
BOUNDED = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking: a failing walk is reported as it was walked (shrinking a stateful walk through the web
    # pages took more than five minutes).
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)

QUESTIONS = ("partnership", "concern", "suggestions", "indicators", "strengths", "child")  # the pages with answers
PAGES = (*QUESTIONS, "answers")
FIELDS = {  # each question page's fields
    "partnership": ("partnership",),
    "concern": ("text",),
    "suggestions": ("selected",),
    "indicators": ("selected", "shown", "action"),
    "strengths": ("selected",),
    "child": ("age_years", "age_months", "facts"),
}
UNROUTED = {"csrfmiddlewaretoken", "submission"}
FOLLOW = "follow"  # do what the page the journey sent us to asks (on check your answers: store; on a check: lower)
# What the practitioner does at each step, as often as it is listed: mostly follow the journey, else answer any
# page out of order (going back, skipping ahead, changing from check your answers, another partnership), show
# any page, search the indicators, remove one, store whatever has been answered, open a stored check or its
# report, record a lower view, or try another session's check.
ACTIONS: list[tuple[str, str]] = [
    *[(FOLLOW, "")] * 16,
    *[("answer", p) for p in QUESTIONS],
    ("answer", "indicators"),
    *[("switch", "partnership")] * 2,  # another partnership, mid-way
    *[("visit", "")] * 2,
    ("search", "indicators"),
    ("remove", "indicators"),
    *[("store", "answers")] * 2,
    ("result", ""),
    *[("lower", "")] * 2,
    ("stranger", ""),
]

CONCERNS = (
    "The baby has bruises and is often late for school",
    "Mum drinks heavily and the house is dirty; the child is often hungry at school",
    "She says her stepdad hits her and she is scared to go home",
    "Missing from home overnight twice, an older boyfriend, a new phone and money",
    "Parents are separating; he is upset but well cared for and his grandparents help every day",
    "",  # no words: the indicators are chosen from the list
)
REASONS = (
    "The school nurse sees her weekly and mum has accepted help from the family hub.",
    "Dad has moved out and the grandparents look after him every day.",
)
# A reason with nothing visible once cleaned: spaces, zero-width, bidirectional and control characters only.
NOTHING_VISIBLE = st.text(st.sampled_from(INVISIBLE + BIDI + CONTROL + " \t\n\u00a0\u3000"), min_size=1, max_size=12)


# --- the frameworks and another session's check, once for the test ---------------------------------


@dataclass(frozen=True)
class World:
    frameworks: dict[str, LoadedFramework]  # the five the service offers
    stranger: Check  # a check another session made: ours may open it by its link, never record on it


@pytest.fixture
def world(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("CONTINUUM_MATCH_MODE", "lexical")  # the real matcher, by words only: no model to load
    with frameworks_offered(settings, FRAMEWORKS_DIR):
        offered = {f.id: f for f in catalogue().choices()}
        assert len(offered) == 5, sorted(offered)
        luton = offered["luton"]
        high = next(i.id for i in luton.framework.indicators if not i.protective and i.level >= 3)
        stranger = services.create_check(luton, {"indicators": [high]}, actor=Actor.anonymous())
        assert services.lower_levels(stranger), "the stranger's check must offer a lower level to refuse"
        yield World(offered, stranger)


# --- the model: what the practitioner has had accepted ----------------------------------------------


@dataclass
class Kept:
    """The check's answers so far, as the pages' forms cleaned them."""

    framework: str | None = None
    text: str = ""
    suggested: list[str] = field(default_factory=list)  # offered on the suggestions page, in its order
    indicators: set[str] = field(default_factory=set)
    protective: set[str] = field(default_factory=set)
    facts: list[str] = field(default_factory=list)
    age_years: int | None = None
    age_months: int | None = None

    def engine_input(self) -> dict[str, Any]:
        age = None
        if self.age_years is not None or self.age_months is not None:
            age = round((self.age_years or 0) + (self.age_months or 0) / 12, 3)
        return {
            "indicators": sorted(self.indicators),
            "protective": sorted(self.protective),
            "facts": dict.fromkeys(self.facts, True),
            "age_years": age,
        }


@dataclass
class Made:
    """A check this session stored, and the lower views recorded on it."""

    public_id: str
    recommended_level: int
    lower: list[tuple[int, str]] = field(default_factory=list)  # (level, reason) in order
    tokens: set[str] = field(default_factory=set)  # the lower view forms' tokens already used


def _select(current: set[str], chosen: list[str], shown: list[str]) -> set[str]:
    """What a page of checkboxes means: among those shown, exactly those ticked; the rest as they were."""
    return (current - set(shown)) | (set(chosen) & set(shown))


# --- answers ------------------------------------------------------------------------------------


def _some(choices: list[str]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(choices), unique=True, max_size=4) if choices else st.just([])


def valid_answer(page: str, offered: dict[str, list[str]]) -> st.SearchStrategy[dict[str, list[str]]]:
    """A valid answer to ``page``, its choices from ``offered`` (the page's radios, checkboxes and buttons)."""
    if page == "partnership":
        assert offered.get("partnership"), "the partnership page offers no partnership"
        return st.fixed_dictionaries({"partnership": st.sampled_from(offered["partnership"]).map(lambda v: [v])})
    if page == "concern":
        return st.fixed_dictionaries({"text": st.sampled_from(CONCERNS).map(lambda v: [v])})
    if page in ("suggestions", "strengths"):
        return st.fixed_dictionaries({"selected": _some(offered.get("selected", []))})
    if page == "indicators":
        assert offered.get("action"), "the indicators page offers no button"
        return st.fixed_dictionaries(
            {
                "selected": _some(offered.get("selected", [])),
                "shown": st.just(offered.get("shown", [])),
                "action": st.sampled_from(offered["action"]).map(lambda v: [v]),
            }
        )
    assert page == "child", page
    assert "unborn" in offered.get("facts", []), "the child page offers no facts"

    def child(facts: list[str], years: str, months: str) -> dict[str, list[str]]:
        if "unborn" in facts:
            years = months = ""
        return {"facts": facts, "age_years": [years], "age_months": [months]}

    return st.builds(
        child,
        _some(offered["facts"]),
        st.sampled_from(["", *map(str, range(25))]),
        st.sampled_from(["", *map(str, range(12))]),
    )


# On PostgreSQL, triggers mark the day of a stored check stale for the reports' tallies (reports.tallies), in
# the same transaction: a row the first time a partnership's day changes. Derived, not stored by the walk.
DERIVED = ("reports.StaleDay",)


def _changed(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """What a step stored: the rows added, by model (the derived stale days aside, at most one)."""
    for name in DERIVED:
        assert after[name] - before[name] in (0, 1), f"{name}: {after[name] - before[name]}"
    return {k: after[k] - before[k] for k in after if after[k] != before[k] and k not in DERIVED}


# --- the walk ---------------------------------------------------------------------------------------


class CheckJourney(RuleBasedStateMachine):
    """An anonymous practitioner making checks in one browser session; the model is what they have had accepted."""

    world: World  # set by the test before the machine runs
    seen: Counter[str]  # what happened, over every journey (the test asserts the walk reached each kind)

    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.client = Client()
        self.kept = Kept()
        self.on: tuple[str, str] = ("partnership", "")  # where the journey last sent us (the page and its query)
        self.made: list[Made] = []
        self.checks_before = Check.objects.count()
        self.lower_before = LowerView.objects.count()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)

    # --- helpers

    @property
    def loaded(self) -> LoadedFramework | None:
        return self.world.frameworks.get(self.kept.framework or "")

    def has_strengths(self) -> bool:
        return self.loaded is not None and any(i.protective for i in self.loaded.framework.indicators)

    def url(self, page: str, query: str = "") -> str:
        return reverse(f"checks:{page}") + (f"?{query}" if query else "")

    def where(self, location: str) -> tuple[str, str]:
        """The journey page a redirect goes to and its query (a stored check's page: "detail" and its id)."""
        parts = urlsplit(location)
        try:
            match = resolve(parts.path)
        except Resolver404:
            raise AssertionError(f"a redirect outside the journey: {location}") from None
        assert match.namespace == "checks", f"a redirect outside the journey: {location}"
        if match.url_name == "detail":
            return "detail", match.kwargs["public_id"]
        assert match.url_name in PAGES, f"a redirect outside the journey: {location}"
        return match.url_name, parts.query

    def fields(self, html: str, url: str) -> tuple[dict[str, list[str]], list[str]]:
        """The page's fields and the values it offers (radios, checkboxes, buttons); its remove buttons apart."""
        parser = FormFields(url)
        parser.feed(html)
        offered: dict[str, list[str]] = {}
        removes: list[str] = []
        for _, found in parser.forms:
            for name, values in found.items():
                if name == "remove":
                    removes.extend(values)
                elif name not in UNROUTED:
                    offered.setdefault(name, []).extend(values)
        return offered, removes

    def gate(self, page: str, changing: bool) -> tuple[str, bool] | None:
        """Where the journey sends ``page`` instead (and whether still changing), from the answers so far."""
        if page != "partnership" and self.kept.framework is None:
            return "partnership", False
        if (page == "suggestions" and not self.kept.text) or (page == "strengths" and not self.has_strengths()):
            if changing:
                return "answers", False
            return ("indicators", False) if page == "suggestions" else ("child", False)
        return None

    def expect(self, response: Any, target: tuple[str, bool], context: str, filters: str = "") -> None:
        """``response`` is a redirect to ``target`` (a page, and whether ``?change=1``); the journey is now there."""
        assert response.status_code == 302, f"{context}: {response.status_code}, expected a redirect to {target}"
        page, query = self.where(response["Location"])
        params = parse_qs(query)
        assert page == target[0], f"{context}: went to {page}?{query}, not {target[0]}"
        assert (params.get("change") == ["1"]) == target[1], f"{context}: went to {page}?{query}"
        if filters:
            kept = {k: v for k, v in parse_qs(filters).items() if k in ("q", "domain", "level")}
            assert {k: v for k, v in params.items() if k != "change"} == kept, f"{context}: lost the filters {query}"
        self.on = (page, query)

    def onwards(self, page: str, changing: bool, action: str = "") -> tuple[str, bool]:
        """The page after an accepted answer to ``page``."""
        if page == "concern" and self.kept.text:
            return "suggestions", changing
        if changing:
            return "answers", False
        after = {
            "partnership": "concern",
            "concern": "indicators",
            "suggestions": "indicators",
            "indicators": "strengths" if self.has_strengths() else "child",
            "strengths": "child",
            "child": "answers",
        }
        return after[page], False

    # --- the steps

    @initialize()
    def start(self) -> None:
        self.seen["journey"] += 1
        response = self.client.get(reverse("start"))
        assert response.status_code == 200

    @rule(action=st.sampled_from(ACTIONS), data=st.data())
    def step(self, action: tuple[str, str], data: st.DataObject) -> None:
        """One thing the practitioner does (see ``ACTIONS``)."""
        what, page = action
        if what == FOLLOW and self.on[0] == "answers":
            self.store(data.draw(st.booleans(), label="twice"), with_token=True)
        elif what == FOLLOW and self.on[0] == "detail":
            self.lower_view(data, hostile=data.draw(st.sampled_from([False, False, True]), label="hostile"))
            self.on = ("partnership", "")  # then another check
        elif what == FOLLOW:
            hostile = data.draw(st.sampled_from([False, False, True]), label="hostile")
            self.answer(self.on[0], self.on[1], hostile, data)
        elif what == "answer":
            changing = data.draw(st.booleans(), label="changing")
            self.answer(page, "change=1" if changing else "", data.draw(st.booleans(), label="hostile"), data)
        elif what == "switch":
            self.answer(page, "change=1" if data.draw(st.booleans(), label="changing") else "", False, data, other=True)
        elif what == "visit":
            page = data.draw(st.sampled_from(PAGES), label="page")
            self.visit(page, data.draw(st.booleans(), label="changing"))
        elif what == "search":
            self.search(data)
        elif what == "remove":
            self.remove(data)
        elif what == "store":
            self.store(data.draw(st.booleans(), label="twice"), with_token=data.draw(st.booleans(), label="token"))
        elif what == "result":
            self.result(data)
        elif what == "lower":
            self.lower_view(data, hostile=data.draw(st.booleans(), label="hostile"))
        else:
            assert what == "stranger", what
            self.stranger(data)

    def visit(self, page: str, changing: bool) -> None:
        """Go back to an earlier page, or skip ahead to a later one's URL: shown, or sent on by the journey."""
        self.seen["visit"] += 1
        before = stored()
        response = self.client.get(self.url(page, "change=1" if changing else ""))
        context = f"GET {page} with {self.kept}"
        answer_kind(response, context)
        gated = self.gate(page, changing)
        if gated is not None:
            self.expect(response, gated, context)
        else:
            assert response.status_code == 200, f"{context}: {response.status_code}"
        assert stored() == before, f"{context}: showing a page stored something"

    def filters(self, data: st.DataObject, html: str) -> str:
        """A filter of the indicators page's own (an area or a level from its lists), or none: its query."""
        offered_gets = {
            name: [v for v in values if v]
            for name, values in (
                ("domain", _options(html, "domain")),
                ("level", _options(html, "level")[::-1]),  # the highest first: checks with a level below
            )
        }
        kind = data.draw(st.sampled_from(["", "domain", "domain", "level"]), label="filter")
        if not kind or not offered_gets[kind]:
            return ""
        return urlencode({kind: data.draw(st.sampled_from(offered_gets[kind]), label=kind)})

    def answer(self, page: str, query: str, hostile: bool, data: st.DataObject, *, other: bool = False) -> None:
        """Answer ``page`` (at ``query``, as the journey or the practitioner put it), valid or hostile; ``other``:
        choose a partnership other than the one chosen."""
        changing = QueryDict(query).get("change") == "1"
        gated = self.gate(page, changing)
        if page == "indicators" and gated is None and not any(k in QueryDict(query) for k in ("q", "domain", "level")):
            # ticking indicators: find some by area or level first, with the page's own lists
            first = self.client.get(self.url(page, query))
            answer_kind(first, f"GET {page}?{query}")
            assert first.status_code == 200, f"GET {page}?{query}: {first.status_code}"
            chosen = self.filters(data, first.content.decode())
            query = "&".join(q for q in (chosen, "change=1" if changing else "") if q)
        url = self.url(page, query)
        before = stored()
        offered: dict[str, list[str]] = {}
        if gated is not None:
            answer: dict[str, list[str]] = {"partnership": ["luton"], "text": ["words"], "selected": ["x"]}
        else:
            shown = self.client.get(url)
            context = f"GET {url} with {self.kept}"
            answer_kind(shown, context)
            assert shown.status_code == 200, f"{context}: {shown.status_code}"
            offered, _ = self.fields(shown.content.decode(), url)
            if other:
                offered["partnership"] = [p for p in offered["partnership"] if p != self.kept.framework]
            answer = data.draw(valid_answer(page, offered), label=f"valid {page}")
            if hostile:
                keys: dict[str, list[str]] = {key: [] for key in FIELDS[page]} | offered  # a page may offer none
                answer = data.draw(awkward_answer(answer, dict(sorted(keys.items()))), label=f"hostile {page}")
        try:
            response = self.client.post(url, {**BROWSER, **answer})
        except RequestDataTooBig:  # over DATA_UPLOAD_MAX_MEMORY_SIZE: Django answers 400 (the test client raises)
            assert hostile and sum(len(v) for listed in answer.values() for v in listed) > 100_000, "too big?"
            assert stored() == before, f"POST {url}: a post too big stored something"
            self.seen["too big"] += 1
            return
        context = f"POST {url} {answer!r:.400} with {self.kept}"
        kind = answer_kind(response, context)
        assert stored() == before, f"{context}: a question page stored something"
        if gated is not None:
            self.expect(response, gated, context)
            self.seen["answer gated"] += 1
            return
        self.seen[f"{page} {'hostile' if hostile else 'valid'} {kind}"] += 1
        form = self.form(page, answer, offered)
        valid = form.is_valid()
        if not hostile:
            assert valid, f"{context}: the valid answer is invalid: {form.errors}"
        if kind != "redirect":
            assert kind == "refused", f"{context}: {kind}"
            assert not valid, f"{context}: refused what the page's form accepts"
            return
        assert valid, f"{context}: accepted what the page's form refuses: {form.errors}"
        self.accepted(page, form.cleaned_data, answer, offered, changing, query, response, context)

    def form(self, page: str, answer: dict[str, list[str]], offered: dict[str, list[str]]) -> Any:
        """The page's own form for ``answer`` (the oracle for what is accepted and how it is cleaned)."""
        data = as_query(answer)
        if page == "partnership":
            return PartnershipForm(data, choices=[(f, f) for f in self.world.frameworks])
        if page == "concern":
            return ConcernForm(data)
        if page == "child":
            return ChildForm(data)
        assert self.loaded is not None
        indicators = self.loaded.framework.indicators
        if page == "suggestions":
            return SelectionForm(data, ids=offered.get("selected", []))
        return SelectionForm(data, ids=[i.id for i in indicators if i.protective == (page == "strengths")])

    def accepted(
        self,
        page: str,
        data: dict[str, Any],
        answer: dict[str, list[str]],
        offered: dict[str, list[str]],
        changing: bool,
        query: str,
        response: Any,
        context: str,
    ) -> None:
        kept = self.kept
        if page == "partnership":
            if data["partnership"] != kept.framework:
                if kept.framework and (kept.indicators or kept.protective or kept.text or kept.facts):
                    self.seen["partnership changed with answers"] += 1
                self.kept = Kept(framework=data["partnership"])  # another partnership starts the check again
        elif page == "concern":
            if data["text"] != kept.text:  # new words: what was suggested for the old ones is forgotten
                kept.suggested = []
            kept.text = data["text"]
        elif page == "suggestions":
            assert self.loaded is not None
            protective = {i.id for i in self.loaded.framework.indicators if i.protective}
            ids = offered.get("selected", [])  # the suggestions, as the page offered them
            kept.indicators = _select(kept.indicators, data["selected"], [i for i in ids if i not in protective])
            kept.protective = _select(kept.protective, data["selected"], [i for i in ids if i in protective])
            kept.suggested = list(ids)
        elif page == "indicators":
            kept.indicators = _select(kept.indicators, data["selected"], data["shown"])
            if (answer.get("action") or [""])[-1] != "continue":  # the page reads the last button sent
                self.expect(response, ("indicators", changing), context, filters=query)
                self.seen["indicators saved"] += 1
                return
        elif page == "strengths":
            kept.protective = set(data["selected"])  # every strength is on the page
        else:
            assert page == "child", page
            kept.age_years, kept.age_months = data["age_years"], data["age_months"]
            kept.facts = list(data["facts"])
        self.expect(response, self.onwards(page, changing), context)

    def search(self, data: st.DataObject) -> None:
        """Search the indicators with words and filters, the page's own or odd ones: shown, or refused."""
        self.seen["search"] += 1
        gated = self.gate("indicators", False)
        params = data.draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "q": st.sampled_from(["bruise", "school", "housing", ""])
                    | values_for([]).map(lambda v: v[0] if v else ""),
                    "domain": st.sampled_from(self.domains()) | values_for([]).map(lambda v: v[0] if v else ""),
                    "level": st.sampled_from(["1", "2", "3", "4", "5"])
                    | values_for([]).map(lambda v: v[0] if v else ""),
                },
            ),
            label="search",
        )
        before = stored()
        response = self.client.get(self.url("indicators"), params)
        context = f"GET indicators {params!r:.300}"
        kind = answer_kind(response, context)
        assert stored() == before, f"{context}: a search stored something"
        if gated is not None:
            self.expect(response, gated, context)
            return
        assert kind in ("shown", "refused"), f"{context}: {kind}"
        self.seen[f"search {kind}"] += 1

    def domains(self) -> list[str]:
        loaded = self.loaded
        return [d.id for d in loaded.framework.domains] if loaded is not None else ["none"]

    def remove(self, data: st.DataObject) -> None:
        """Remove a selected concern with its own button on the indicators page."""
        gated = self.gate("indicators", False)
        url = self.url("indicators")
        if gated is None:
            page = self.client.get(url)
            assert page.status_code == 200, f"GET {url}: {page.status_code}"
            _, removes = self.fields(page.content.decode(), url)
            assert sorted(removes) == sorted(self.kept.indicators), f"{url}: offers to remove {removes}"
            if not removes:
                return
            chosen = data.draw(st.sampled_from(removes), label="remove")
        else:
            chosen = "x"
        before = stored()
        response = self.client.post(url, {**BROWSER, "remove": chosen})
        context = f"POST {url} remove {chosen}"
        answer_kind(response, context)
        assert stored() == before, f"{context}: removing a concern stored something"
        if gated is not None:
            self.expect(response, gated, context)
            return
        self.kept.indicators.discard(chosen)
        self.expect(response, ("indicators", False), context)
        self.seen["removed"] += 1

    def store(self, twice: bool, with_token: bool) -> None:
        """Store the check from check your answers: refused until a concern or a key fact is chosen."""
        context = f"store {self.kept}"
        gated = self.gate("answers", False)
        page = self.client.get(self.url("answers"))
        answer_kind(page, context)
        token: dict[str, str] = {}
        if gated is None:
            assert page.status_code == 200, f"{context}: {page.status_code}"
            if with_token:
                token = {"submission": _hidden(page.content.decode(), "submission")}
        before = stored()
        known = set(Check.objects.values_list("pk", flat=True))
        response = self.client.post(self.url("answers"), {**BROWSER, **token})
        kind = answer_kind(response, context)
        if gated is not None:
            self.expect(response, gated, context)
            assert stored() == before, f"{context}: a refused store stored something"
            self.seen["store gated"] += 1
            return
        if not self.kept.indicators and not self.kept.facts:
            assert kind == "refused", f"{context}: stored a check of nothing ({response.status_code})"
            assert stored() == before, f"{context}: a refused store stored something"
            self.seen["store refused"] += 1
            self.on = ("indicators", "")  # back to choose a concern
            return
        assert kind == "redirect", f"{context}: {kind}"
        made = list(Check.objects.exclude(pk__in=known))
        assert len(made) == 1, f"{context}: {len(made)} checks stored"
        check = made[0]
        assert self.where(response["Location"]) == ("detail", check.public_id), f"{context}: {response['Location']}"
        self.the_check_is_the_answers(check, context)
        rows = len(set(self.kept.indicators) | set(self.kept.protective) | set(self.kept.suggested))
        changed = _changed(before, stored())
        assert changed == {"checks.Check": 1, "audit events": 1} | ({"checks.CheckIndicator": rows} if rows else {}), (
            f"{context}: stored {changed}"
        )
        recorded = audit.for_target(check).filter(verb=events.RECORDED)
        assert recorded.count() == 1, f"{context}: {recorded.count()} recorded events"
        self.made.append(Made(check.public_id, check.recommended_level))
        self.seen["stored"] += 1
        self.kept = Kept()  # stored: the next check starts again
        self.on = ("detail", check.public_id)
        if twice:
            again_before = stored()
            again = self.client.post(self.url("answers"), {**BROWSER, **token})
            if token:  # the same form again (a double click): the check it already stored
                assert again.status_code == 302 and again["Location"] == response["Location"], f"{context}: again"
                self.seen["stored twice"] += 1
            else:  # the answers were cleared: start again
                self.expect(again, ("partnership", False), f"{context}: again without a token")
                self.on = ("detail", check.public_id)
            assert stored() == again_before, f"{context}: the same answers sent twice stored twice"

    def the_check_is_the_answers(self, check: Check, context: str) -> None:
        kept, inputs = self.kept, check.inputs
        loaded = self.loaded
        assert loaded is not None
        assert (check.framework_id, check.framework_hash) == (kept.framework, loaded.content_hash), context
        for name in ("indicators", "protective"):
            assert len(set(inputs[name])) == len(inputs[name]), f"{context}: {name} twice: {inputs[name]}"
        stored_answers = {
            "text": inputs["text"],
            "suggested": inputs["suggested"],
            "indicators": set(inputs["indicators"]),
            "protective": set(inputs["protective"]),
            "facts": inputs["facts"],
            "age": inputs["age"],
        }
        expected = {
            "text": kept.text,
            "suggested": kept.suggested,
            "indicators": kept.indicators,
            "protective": kept.protective,
            "facts": dict.fromkeys(kept.facts, True),
            "age": {"years": kept.age_years, "months": kept.age_months},
        }
        assert stored_answers == expected, f"{context}: the check is not the answers: {stored_answers}"
        by_id = {i.id: i for i in loaded.framework.indicators}
        own = [i for i in (*inputs["indicators"], *inputs["protective"], *inputs["suggested"]) if i not in by_id]
        assert not own, f"{context}: indicators of another framework: {own}"
        assert all(not by_id[i].protective for i in inputs["indicators"]), f"{context}: a strength as a concern"
        assert all(by_id[i].protective for i in inputs["protective"]), f"{context}: a concern as a strength"
        chosen = kept.indicators | kept.protective
        assert inputs["rejected"] == [i for i in kept.suggested if i not in chosen], f"{context}: rejected"
        result = assess(loaded, kept.engine_input())
        assert check.recommended_level == result["recommended_level"]["number"], f"{context}: not the engine's level"
        assert check.immediate_danger == bool(result["immediate_danger"]["applies"]), context
        assert check.judgement == "" and check.decided_level is None, context

    def result(self, data: st.DataObject) -> None:
        """Open a stored check's page and its report: shown, storing nothing (the access log aside)."""
        if not self.made:
            return
        made = data.draw(st.sampled_from(self.made), label="check")
        before = stored()
        for name in ("detail", "report"):
            response = self.client.get(reverse(f"checks:{name}", kwargs={"public_id": made.public_id}))
            assert response.status_code == 200, f"GET {name} of {made.public_id}: {response.status_code}"
        assert stored() == before, f"GET {made.public_id}: showing a check stored something"
        self.seen["result"] += 1

    def lower_view(self, data: st.DataObject, hostile: bool) -> None:
        """'I think it is lower' on a check this session stored, from its page's own form, valid or hostile."""
        if not self.made:
            return
        above = [m for m in self.made if m.recommended_level > 1]  # with a lower level to choose, mostly
        mostly_above = bool(above) and not data.draw(st.booleans(), label="any check")
        made = data.draw(st.sampled_from(above if mostly_above else self.made), label="check")
        check = Check.objects.get(public_id=made.public_id)
        page_url = reverse("checks:detail", kwargs={"public_id": made.public_id})
        url = reverse("checks:lower_view", kwargs={"public_id": made.public_id})
        page = self.client.get(page_url)
        assert page.status_code == 200, f"GET {page_url}: {page.status_code}"
        html = page.content.decode()
        parser = FormFields(page_url)
        parser.feed(html)
        forms = [found for action, found in parser.forms if action == url]
        lower = services.lower_levels(check)
        assert bool(forms) == bool(lower), f"{page_url}: the lower view form is offered {bool(forms)}, {lower}"
        if forms:
            offered = {k: v for k, v in forms[0].items() if k != "csrfmiddlewaretoken"}
            assert offered.get("lower_level") == [str(n) for n, _ in lower], f"{page_url}: {offered}"
            answer = {
                "lower_level": [data.draw(st.sampled_from(offered["lower_level"]), label="lower level")],
                "lower_reason": [data.draw(st.sampled_from(REASONS), label="reason")],
                "submission": offered["submission"],
            }
        else:  # at the lowest level: nothing lower to choose, so any answer is refused
            answer = {"lower_level": ["1"], "lower_reason": [REASONS[0]]}
            offered = {key: ["1"] for key in answer}
            hostile = True
        invisible = False
        if hostile:
            if data.draw(st.booleans(), label="nothing visible"):
                answer = answer | {"lower_reason": [data.draw(NOTHING_VISIBLE, label="invisible reason")]}
                invisible = True
            else:
                answer = data.draw(awkward_answer(answer, dict(sorted(offered.items()))), label="hostile lower view")
        twice = data.draw(st.booleans(), label="twice")
        self.post_lower_view(made, check, url, answer, hostile, invisible)
        if twice:  # the same form again: a double click (with its token) or a second view (without one)
            self.post_lower_view(made, check, url, answer, hostile, invisible)

    def post_lower_view(
        self, made: Made, check: Check, url: str, answer: dict[str, list[str]], hostile: bool, invisible: bool
    ) -> None:
        before = stored()
        views = list(check.lower_views.values_list("pk", flat=True))
        try:
            response = self.client.post(url, {**BROWSER, **answer})
        except RequestDataTooBig:
            assert hostile, "too big?"
            assert stored() == before, f"POST {url}: a post too big stored something"
            return
        context = f"POST {url} {answer!r:.300} (recommended {made.recommended_level})"
        kind = answer_kind(response, context)
        form = LowerViewForm(as_query(answer), levels=services.lower_levels(check))
        valid = form.is_valid()
        if not hostile:
            assert valid, f"{context}: the valid answer is invalid: {form.errors}"
        if invisible:
            assert kind == "refused", f"{context}: a reason with nothing visible was not refused"
            self.seen["lower nothing visible refused"] += 1
        if kind != "redirect":
            assert kind == "refused" and not valid, f"{context}: {kind}"
            assert stored() == before, f"{context}: a refused lower view stored something"
            self.seen["lower refused"] += 1
            return
        assert valid, f"{context}: accepted what the form refuses: {form.errors}"
        assert response["Location"] == reverse("checks:detail", kwargs={"public_id": made.public_id}) + "#lower-view"
        token = (answer.get("submission") or [""])[-1]
        try:
            token_ok = bool(token) and uuid.UUID(token) is not None
        except ValueError:
            token_ok = False
        changed = _changed(before, stored())
        if token_ok and token in made.tokens:
            assert changed == {}, f"{context}: the same form sent twice stored {changed}"
            self.seen["lower view twice"] += 1
            return
        assert changed == {"checks.LowerView": 1, "audit events": 1} | ({"govuk.Submission": 1} if token_ok else {}), (
            f"{context}: stored {changed}"
        )
        if token_ok:
            made.tokens.add(token)
        view = check.lower_views.exclude(pk__in=views).get()
        level, reason = form.cleaned_data["lower_level"], form.cleaned_data["lower_reason"]
        assert (view.level, view.reason, view.recommended_level) == (level, reason, made.recommended_level), context
        event = audit.for_target(check).filter(verb=events.LOWER_VIEW_RECORDED).last()
        assert event is not None and audit.recorded(event) == {
            "level": level,
            "recommended_level": made.recommended_level,
            "reason": reason,
        }, context
        made.lower.append((level, reason))
        after = Check.objects.get(pk=check.pk)
        assert (after.recommended_level, after.judgement, after.decided_level, after.level_in_force) == (
            check.recommended_level,
            check.judgement,
            check.decided_level,
            check.level_in_force,
        ), f"{context}: a lower view changed the level"
        assert after.result == check.result, f"{context}: a lower view changed the result"
        self.seen["lower view"] += 1

    def stranger(self, data: st.DataObject) -> None:
        """Another session's check: opened by its link, nothing recorded on it (and ours not by another session)."""
        self.seen["stranger"] += 1
        mine = bool(self.made) and data.draw(st.booleans(), label="ours")
        ours = data.draw(st.sampled_from(self.made), label="which") if mine else None
        client = Client() if ours is not None else self.client
        public_id = ours.public_id if ours is not None else self.world.stranger.public_id
        page_url = reverse("checks:detail", kwargs={"public_id": public_id})
        before = stored()
        page = client.get(page_url)
        assert page.status_code == 200, f"GET {page_url} from another session: {page.status_code}"
        lower_url = reverse("checks:lower_view", kwargs={"public_id": public_id})
        assert f'action="{lower_url}"' not in page.content.decode(), f"{page_url}: offers another session to record"
        for url, answer in (
            (lower_url, {"lower_level": "1", "lower_reason": REASONS[0]}),
            (page_url, {"level": "4", "reason": REASONS[0]}),
        ):
            response = client.post(url, {**BROWSER, **answer})
            assert response.status_code == 403, f"POST {url} from another session: {response.status_code}"
        assert stored() == before, f"{page_url}: another session stored something"

    @invariant()
    def only_what_the_walk_stored_is_stored(self) -> None:
        assert Check.objects.count() == self.checks_before + len(self.made), "a check stored that the walk did not"
        lower = sum(len(m.lower) for m in self.made)
        assert LowerView.objects.count() == self.lower_before + lower, "a lower view the walk did not record"


def _options(html: str, name: str) -> list[str]:
    """The values of the ``<select name=name>``'s options on the page."""
    start = html.find(f'name="{name}"')
    if start < 0:
        return []
    block = html[start : html.find("</select>", start)]
    return re.findall(r'<option value="([^"]*)"', block)


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"the page has no {name}"
    return found.group(1)


def test_the_check_journey_walked_in_any_order_stores_only_the_last_accepted_answers(world: World) -> None:
    CheckJourney.world = world
    CheckJourney.seen = Counter()
    run_state_machine_as_test(CheckJourney, settings=BOUNDED)
    seen = CheckJourney.seen
    # The walk reached what it is for (else the invariants above held of nothing). How often it reaches each
    # thing depends on the path hypothesis draws, which changes with this file's own text (derandomised by its
    # digest), so it is asked to reach each at least once; a double click on the answers page, a lower view
    # posted twice and a reason of nothing visible are also tests of their own (test_views.py,
    # test_decision_records.py), whatever path the walk takes.
    assert seen["stored"] >= 3 and seen["store refused"], f"too few checks stored: {seen}"
    assert seen["lower view"] and seen["lower refused"] + seen["lower nothing visible refused"], seen
    assert seen["partnership changed with answers"], seen
    assert seen["stranger"] and seen["indicators saved"], seen
    for page in QUESTIONS:
        assert seen[f"{page} valid redirect"], f"{page}: {seen}"
    refused = {k.split()[0] for k, n in seen.items() if k.endswith(" hostile refused") and n}
    assert len(refused) >= 3, f"hostile answers refused on too few pages: {seen}"
