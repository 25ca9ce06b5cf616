"""The early help journey walked step by step, with state (hypothesis stateful), through Django's test client.

A practitioner starts an early help assessment from their stored check at an early-help level (Bedford
Borough at level 3, whose document gives the first review's clock; Central Bedfordshire at level 2, whose
document gives none, so the partnership's own settings do), sometimes with a double click. Then, in an order
hypothesis chooses, they answer the assessment's pages (the family: add a child or an adult, save; strengths
and needs; the family's voice; consent: record, withdraw) with valid answers taken from each page's own form
(its radios, checkboxes, options and hidden fields) or with hostile ones (``tests/fuzz/inputs.py``: the valid
answer with fields replaced by long text, control, bidirectional and invisible characters, odd dates, huge
numbers, or left out); go back to a page; skip ahead to "check your answers" and submit (sometimes twice, as
a double click does); change answers from there; and, once submitted, work the family's record: the team and
the plan (a member, an action, its progress), consent on the open record, the reviews the clocks scheduled,
closure (and a change to it) and step-up, each with valid or hostile input. They also try another
practitioner's record and the other partnership's (404), and a front-door worker tries theirs (403).

The model is what the practitioner has had accepted, as each page's own form cleans it (the form is the
oracle for cleaning) and as the services' rules allow (the family needs a child, a review progress against
every action, "Other" words, and so on). Invariants after every step:

- never a 500 (the test client raises the view's exception) and only the expected answers: 200, 400 with
  the GOV.UK error summary, a 302 to a page of the journey, 403/404 for someone else's record (and 404 for a
  consent, an action or a review the record does not have);
- whether a post is accepted is what the model predicts; a valid answer from the page's own choices is
  accepted whenever the rules allow it;
- nothing but an accepted change stores anything: the rows of every Continuum model and of the job queue,
  and the audit events (the access log aside), are counted before and after (``test_posts.stored``); an
  accepted change stores exactly the rows the model predicts, with the app's own audit events
  (``earlyhelp.events``; a step-up also the front door's referrals, one per child, with theirs);
- the record in the database is the model's after every step (nothing lost, nothing extra);
- the same form sent twice stores nothing more (a section saved again with the same form is the save
  already made; withdrawing a consent again is refused as already withdrawn); a consent may still be
  withdrawn once the episode is closed (withdrawal is what stops the team seeing the closed record).

The faults the walk found are fixed and pinned by tests of their own in ``tests/apps/earlyhelp/``: "Save and
return" on the family page before a child was added was a 500 (the refusal put on an unbound form); a
withdrawal note was stored as posted, control characters and all (a NUL in it a 500 on PostgreSQL); "Save
progress" sent twice (a double click) was refused as someone else's change to the plan. A child
added without a date of birth (the page says it is optional) makes a step-up refused ("Enter the date of
birth of the child"), and the family page cannot add one once the assessment is submitted: the model
predicts that refusal, and valid answers give a child a date of birth mostly.

Bounded: derandomised, no example database, ``EXAMPLES`` journeys of at most ``STEPS`` steps (about 20 s on
SQLite on two cores); the walk asserts at its end that it submitted assessments, submitted too early, held
reviews, closed, stepped up and had each page accept a valid answer, so a walk that reaches nothing fails.
Each journey runs in a savepoint rolled back at its end. Marked ``web`` (as ``test_posts.py``): it runs
again on PostgreSQL, where a NUL character reaching a query is an error.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.db.models import Max
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
from continuum.apps.earlyhelp import clocks, events, services
from continuum.apps.earlyhelp.forms import (
    ActionForm,
    CloseForm,
    ConsentForm,
    FamilyMemberForm,
    NeedsForm,
    ProgressForm,
    ReasonForm,
    ReviseClosureForm,
    TeamMemberForm,
)
from continuum.apps.earlyhelp.models import Episode, Status, StepUp
from continuum.apps.earlyhelp.views.assessment import indicator_choices
from continuum.apps.govuk.text import clean_text, has_visible_text
from continuum.apps.referrals import events as referral_events
from continuum.apps.referrals import services as referrals
from continuum.apps.referrals.models import ConsentBasis
from continuum.engine import AssessmentInputError, assess
from tests.apps.referrals.factories import make_check
from tests.conftest import FRAMEWORKS_DIR
from tests.django_support import frameworks_offered
from tests.drills.casework import acting_client
from tests.fuzz.inputs import as_query as shared_as_query
from tests.fuzz.inputs import awkward_answer
from tests.fuzz.test_posts import BROWSER, SUMMARY, FormFields, answer_kind, stored
from tests.people import member

pytestmark = [pytest.mark.web, pytest.mark.django_db]

BB, CB = "bedford-borough", "central-bedfordshire"
LEVELS = {BB: 3, CB: 2}  # an early-help level of each document (BB's level 3 is early help and child in need)
TOO_HIGH = {BB: 4, CB: 4}  # a level that is not early help: the assessment cannot start from it
EXAMPLES = 10  # journeys
STEPS = 25  # steps per journey at most
BOUNDED = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)

UNROUTED = {"csrfmiddlewaretoken", "submission"}  # carried by every form: never made hostile
JOBS = "django_tasks_database.DBTaskResult"
SUBMISSION = "govuk.Submission"
DRAFT_KINDS = ("add", "save", "needs", "voice", "consent", "withdraw", "submit")
OPEN_KINDS = ("member", "action", "progress", "open-consent", "open-withdraw", "review", "close", "step-up")
ASSESSMENT = ("tasks", "family", "needs", "voice", "consent", "check_answers")
PAGES = (*ASSESSMENT, "record", "plan", "open_consent", "review", "close", "step_up")
PAGE_OF = {  # which page does what the walk does
    "add": "family",
    "save": "family",
    "needs": "needs",
    "voice": "voice",
    "consent": "consent",
    "withdraw": "consent",
    "submit": "check_answers",
    "member": "plan",
    "action": "plan",
    "progress": "plan",
    "open-consent": "open_consent",
    "open-withdraw": "open_consent",
    "review": "review",
    "close": "close",
    "revise": "close",
    "step-up": "step_up",
}
FOLLOW = "follow"  # do what the journey asks next (on a closed record: change the closure)
# What the practitioner does at each step, as often as it is listed: mostly follow the journey, else post to
# any page in any state (going back, skipping ahead, changing answers), show any page, or try someone else's.
ACTIONS = (*[FOLLOW] * 10, *["answer"] * 4, *["visit"] * 2, "stranger", "forbidden")


# --- the people, their checks and others' records, once for the test ---------------------------------


@dataclass(frozen=True)
class World:
    people: dict[str, Actor]  # partnership → a practitioner in it (they start and work the assessment)
    checks: dict[str, Check]  # partnership → a check of that practitioner's at an early-help level
    too_high: dict[str, Check]  # partnership → a check of theirs at a level that is not early help
    colleagues: dict[str, Actor]  # partnership → someone else of the partnership (a team member with an account)
    others: dict[str, Episode]  # partnership → another practitioner's submitted episode there
    front_door: dict[str, Actor]  # partnership → a front-door worker (may not see early help at all)


def _submitted(actor: Actor, partnership: str) -> Episode:
    episode = services.start_from_check(actor, make_check(actor, partnership, LEVELS[partnership]))
    services.add_family_member(actor, episode, kind="child", first_name="Mo", last_name="Other")
    parent = services.add_family_member(actor, episode, kind="adult", first_name="Jo", last_name="Other")
    services.save_section(actor, episode, "voice", {"family_voice": "Help with mornings."})
    services.record_consent(
        actor,
        episode,
        given_by=parent,
        to_what="The assessment",
        share_with=[],
        shares_with_team=True,
        given_at=timezone.now() - timedelta(minutes=1),
    )
    return services.submit(actor, episode)


@pytest.fixture
def world(settings: Any) -> Iterator[World]:
    with frameworks_offered(settings, FRAMEWORKS_DIR):
        people = {p: member(Role.PRACTITIONER, p, first_name="Pat", last_name="Walker") for p in (BB, CB)}
        colleagues = {p: member(Role.EARLY_HELP, p, first_name="Kim", last_name="Colleague") for p in (BB, CB)}
        strangers = {p: member(Role.PRACTITIONER, p, first_name="Sol", last_name="Stranger") for p in (BB, CB)}
        # Central Bedfordshire's document gives no review interval: the partnership's admin sets its own.
        admin = member(Role.PARTNERSHIP_ADMIN, CB)
        services.change_settings(admin, first_review="6 weeks", review_interval="4 weeks")
        yield World(
            people,
            {p: make_check(people[p], p, LEVELS[p]) for p in (BB, CB)},
            {p: make_check(people[p], p, TOO_HIGH[p]) for p in (BB, CB)},
            colleagues,
            {p: _submitted(strangers[p], p) for p in (BB, CB)},
            {p: member(Role.FRONT_DOOR_WORKER, p) for p in (BB, CB)},
        )


# --- valid and hostile answers --------------------------------------------------------------------

NAMES = ("Sam", "Robin", "Ali Khan", "Zoë")
SURNAMES = ("Example", "O'Neill", "Walker")
TEXTS = ("Mornings are hard; school is helping.", "We want help with bedtimes.\nAnd with the landlord.")
AGENCIES = ("Example Primary School", "Health visiting", "Housing")


def _words(options: tuple[str, ...]) -> st.SearchStrategy[list[str]]:
    return st.sampled_from(options).map(lambda v: [v])


def _day(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def _written(day: date) -> st.SearchStrategy[list[str]]:
    return st.sampled_from([day.strftime("%d/%m/%Y"), day.isoformat()]).map(lambda v: [v])


def valid_answer(kind: str, offered: dict[str, list[str]], world: World, partnership: str) -> st.SearchStrategy:
    """A valid answer for ``kind`` from the form's ``offered`` fields (its radios, checkboxes, options, hidden
    values): the fields a person fills with words get words, every choice is one the page offers."""

    def pick(name: str) -> st.SearchStrategy[list[str]]:
        choices = [v for v in offered.get(name, []) if v]
        assert choices, f"the {kind} form offers no {name}"
        return st.sampled_from(choices).map(lambda v: [v])

    def some(name: str, *, at_least: int = 0) -> st.SearchStrategy[list[str]]:
        choices = offered.get(name, [])
        if not choices:
            return st.just([])
        return st.lists(st.sampled_from(choices), min_size=at_least, max_size=min(3, len(choices)), unique=True)

    fixed = {k: st.just(v[:1]) for k, v in offered.items() if k in UNROUTED or k in ("add", "form", "version")}
    if kind == "add":  # a date of birth mostly (optional on the page, but a step-up needs each child's)
        born = st.one_of(*[st.integers(1, 6000).flatmap(lambda d: _written(_day(-d)))] * 3, st.just([""]))
        return st.fixed_dictionaries(
            {**fixed, "kind": pick("kind"), "first_name": _words(NAMES), "last_name": _words(SURNAMES)},
            optional={"relationship": _words(("mother", "stepfather", "sibling"))},
        ).flatmap(lambda d: born.map(lambda when: {**d, "date_of_birth": when}))
    if kind in ("save", "submit"):
        return st.fixed_dictionaries(fixed)
    if kind == "needs":
        return st.fixed_dictionaries(
            {**fixed, "needs": some("needs", at_least=1)},
            optional={"strengths": some("strengths"), "strengths_text": _words(("Grandparents nearby",))},
        )
    if kind == "voice":
        return st.fixed_dictionaries({**fixed, "family_voice": _words(TEXTS)})
    if kind in ("consent", "open-consent"):
        return st.fixed_dictionaries(
            {**fixed, "given_by": pick("given_by"), "to_what": _words(("The assessment and the plan",))},
            optional={
                "share_with": _words(("School, GP", " Health visiting ,, ")),
                "shares_with_team": st.just(["on"]),
            },
        )
    if kind in ("withdraw", "open-withdraw"):
        return st.fixed_dictionaries(
            {**fixed, "withdraw": pick("withdraw")}, optional={"note": _words(("Mother asked by phone",))}
        )
    return _on_the_record(kind, offered, fixed, pick, some, world.colleagues[partnership])


def _on_the_record(
    kind: str,
    offered: dict[str, list[str]],
    fixed: dict[str, st.SearchStrategy[list[str]]],
    pick: Callable[[str], st.SearchStrategy[list[str]]],
    some: Callable[[str], st.SearchStrategy[list[str]]],
    colleague_actor: Actor,
) -> st.SearchStrategy:
    """``valid_answer`` for the record's pages: the team and the plan, reviews, closure, step-up."""
    if kind == "member":
        colleague = colleague_actor.user
        assert colleague is not None
        who = st.sampled_from([{"name": ["Jo Nurse"]}, {"username": [colleague.get_username()]}])
        return st.builds(
            lambda rest, w: {**rest, **w}, st.fixed_dictionaries({**fixed, "agency": _words(AGENCIES)}), who
        )
    if kind == "action":
        return st.fixed_dictionaries(
            {
                **fixed,
                "description": _words(("Support with school mornings", "Referral to the food bank")),
                "owner": pick("owner"),
                "due_date": st.integers(0, 400).flatmap(lambda d: _written(_day(d))),
            }
        )
    if kind == "progress":
        return st.fixed_dictionaries(
            {**fixed, "action": pick("action"), "progress": _words(("Started", "Going well"))},
            optional={"done": st.just(["on"])},
        )
    if kind == "review":
        progress = {k: _words(("On track", "Done")) for k in offered if k.startswith("progress-")}
        return st.fixed_dictionaries(
            {**fixed, **progress, "needs": some("needs")},
            optional={"strengths": some("strengths"), "summary": _words(("Things are better",))},
        )
    if kind == "close":
        return pick("code").flatmap(
            lambda code: st.fixed_dictionaries(
                {**fixed, "code": st.just(code)},
                optional={} if code == ["other"] else {"text": _words(("Family moved",))},
            ).map(lambda d: d if code != ["other"] else {**d, "text": ["Family asked to stop"]})
        )
    if kind == "revise":
        return st.fixed_dictionaries(
            {
                **fixed,
                "code": pick("code"),
                "text": _words(("Moved away in the end",)),
                "reason": _words(("New facts",)),
            }
        )
    assert kind == "step-up", kind
    return st.fixed_dictionaries({**fixed, "reason": _words(("The neglect is worse",))})


def hostile_answer(valid: dict[str, list[str]], keys: dict[str, list[str]]) -> st.SearchStrategy:
    """The valid answer with some of the form's fields (not the button that routes it) made awkward or left out."""
    return awkward_answer(valid, {k: keys[k] for k in sorted(keys) if k not in UNROUTED})


def as_query(answer: dict[str, list[str]]) -> QueryDict:
    """The answer as the view reads it (the test client sends nothing of a field with no values)."""
    return shared_as_query(answer, drop_empty=True)


# --- the model: what the practitioner has had accepted -----------------------------------------------


@dataclass
class Model:
    """The episode as the accepted answers make it (``held`` reads the database the same way)."""

    status: str = Status.DRAFT
    family: list[tuple[str, str, str, date | None, str]] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    strengths: list[str] = field(default_factory=list)
    strengths_text: str = ""
    voice: str = ""
    sections: list[str] = field(default_factory=list)
    consents: list[dict[str, Any]] = field(default_factory=list)
    team: list[tuple[str, str, int | None]] = field(default_factory=list)
    actions: dict[int, dict[str, Any]] = field(default_factory=dict)  # pk → its fields
    version: int = 1
    reviews: dict[int, dict[str, Any]] = field(default_factory=dict)  # number → held or not, and what
    closure: tuple[str, str] = ("", "")
    revisions: list[tuple[str, str, str]] = field(default_factory=list)
    step_ups: int = 0

    def view(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items()}

    def done(self, section: str) -> None:
        order = ("family", "needs", "voice", "consent")
        self.sections = [s for s in order if s in {*self.sections, section}]

    @property
    def children(self) -> int:
        return sum(1 for m in self.family if m[0] == "child")

    @property
    def current_consent(self) -> bool:
        return any(not c["withdrawn"] for c in self.consents)

    @property
    def missing(self) -> bool:
        return not (self.children and self.needs and self.voice.strip() and self.current_consent)

    @property
    def in_force(self) -> tuple[str, str]:
        return self.revisions[-1][:2] if self.revisions else self.closure


def held(episode: Episode) -> dict[str, Any]:
    """The episode as stored, in the model's shape."""
    episode.refresh_from_db()
    return {
        "status": episode.status,
        "family": [
            (m.kind, m.first_name, m.last_name, m.date_of_birth, m.relationship) for m in episode.family.order_by("pk")
        ],
        "needs": list(episode.needs),
        "strengths": list(episode.strengths),
        "strengths_text": episode.strengths_text,
        "voice": episode.family_voice,
        "sections": list(episode.sections_done),
        "consents": [
            {
                "pk": c.pk,
                "given_by": c.given_by_id,
                "to_what": c.to_what,
                "share_with": c.share_with,
                "team": c.shares_with_team,
                "withdrawn": c.withdrawn_at is not None,
                "note": c.withdrawal_note,
            }
            for c in episode.consents.order_by("pk")
        ],
        "team": [(t.name, t.agency, t.user_id) for t in episode.team.order_by("pk")],
        "actions": {
            a.pk: {
                "description": a.description,
                "owner": a.owner_id,
                "due": a.due_date,
                "progress": a.progress,
                "done": a.done,
            }
            for a in episode.actions.order_by("pk")
        },
        "version": episode.version,
        "reviews": {
            r.number: {
                "held": r.held_at is not None,
                "level": r.level_now,
                "summary": r.summary,
                "progress": r.progress,
            }
            for r in episode.reviews.order_by("number")
        },
        "closure": (episode.closure_code, episode.closure_text),
        "revisions": [(r.closure_code, r.closure_text, r.reason) for r in episode.closure_revisions.order_by("pk")],
        "step_ups": StepUp.objects.filter(episode=episode).count(),
    }


@dataclass
class Accepted:
    """What an accepted post does: where it goes, the rows and audit events it adds, and the model's change."""

    location: str
    rows: dict[str, int]
    verbs: dict[str, int]
    apply: Callable[[], None] = lambda: None


@dataclass
class NotDone:
    """What a post that changes nothing answers: refused (400 with the error summary), shown again (200),
    sent elsewhere (302 to ``location``), or not found (404)."""

    kind: str  # "refused", "shown", "redirect", "forbidden"
    location: str = ""


Outcome = Accepted | NotDone


_status = answer_kind  # the walks' one reading of a page's answer


def _said(response: Any) -> str:
    """The error summary's messages on the page (for a failure's message)."""
    page = response.content.decode()
    return (
        " / ".join(re.findall(r'<a href="#[^"]*">([^<]*)</a>', page[page.find(SUMMARY) :])[:3])
        if SUMMARY in page
        else ""
    )


def _last_sequence() -> int:
    return audit.events().aggregate(Max("sequence"))["sequence__max"] or 0


def _verbs_since(sequence: int) -> Counter[str]:
    return Counter(audit.events().filter(sequence__gt=sequence, access=False).values_list("verb", flat=True))


def _changed(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before[k] for k in before if after[k] != before[k]}


# --- the walk ---------------------------------------------------------------------------------------


class Journey(RuleBasedStateMachine):
    """A practitioner working one family's early help, from the check to closure; the model is what they
    have had accepted."""

    world: World  # set by the test before the machine runs
    seen: Counter[str]  # what happened, over every journey (the test asserts the walk reached each kind)

    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.partnership = BB
        self.client: Client = Client()
        self.episode: Episode | None = None
        self.model = Model()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)

    # --- helpers

    @property
    def ep(self) -> Episode:
        assert self.episode is not None
        return self.episode

    def url(self, page: str, episode: Episode | None = None) -> str:
        public_id = (episode or self.ep).public_id
        if page == "review":
            return reverse("earlyhelp:review", args=[public_id, self.review_number()])
        return reverse(f"earlyhelp:{page}", args=[public_id])

    def review_number(self) -> int:
        """The first review not yet held (else the last one, or 1)."""
        waiting = [n for n, r in sorted(self.model.reviews.items()) if not r["held"]]
        return waiting[0] if waiting else max(self.model.reviews, default=1)

    def forms_on(self, page: str) -> list[dict[str, list[str]]]:
        """The forms on ``page`` as it is shown now (each with its fresh submission token), or none."""
        response = self.client.get(self.url(page))
        _status(response, f"GET {page}")
        if response.status_code != 200:
            return []
        parser = FormFields(self.url(page))
        parser.feed(response.content.decode())
        return [found for action, found in parser.forms if action == self.url(page)]

    def loaded(self) -> Any:
        return services.framework_for(self.partnership)

    # --- the steps

    @initialize(partnership=st.sampled_from([BB, CB]), twice=st.booleans(), data=st.data())
    def start(self, partnership: str, twice: bool, data: st.DataObject) -> None:
        """Start from the check: refused from a check that is not at an early-help level; once from a double click."""
        self.partnership = partnership
        self.seen[f"journey {partnership}"] += 1
        self.client = acting_client(Client(), self.world.people[partnership])
        if data.draw(st.booleans(), label="try a check too high first"):
            check = self.world.too_high[partnership]
            before = stored()
            url = reverse("earlyhelp:start", args=[check.public_id])
            response = self.client.post(url, {**BROWSER})
            assert _status(response, f"POST {url}") == "refused", response.status_code
            assert stored() == before, "a refused start stored something"
            self.seen["start refused"] += 1
        url = reverse("earlyhelp:start", args=[self.world.checks[partnership].public_id])
        page = self.client.get(url)
        assert page.status_code == 200
        parser = FormFields(url)
        parser.feed(page.content.decode())
        (answer,) = [f for action, f in parser.forms if action == url]
        body = {**BROWSER, "submission": answer["submission"]}
        before, sequence = stored(), _last_sequence()
        response = self.client.post(url, body)
        assert response.status_code == 302, response.status_code
        self.episode = Episode.objects.get(public_id=response["Location"].split("/")[-3])
        assert response["Location"] == self.url("tasks")
        assert _changed(before, stored()) == {"earlyhelp.Episode": 1, SUBMISSION: 1, "audit events": 1}
        assert _verbs_since(sequence) == Counter({events.STARTED.name: 1})
        check = self.world.checks[partnership]
        self.model.needs, self.model.strengths = list(check.inputs["indicators"]), list(check.inputs["protective"])
        if twice:
            before = stored()
            again = self.client.post(url, body)
            assert again.status_code == 302 and again["Location"] == response["Location"], "started twice"
            assert stored() == before, "a double click on start stored a second assessment"
            self.seen["start twice"] += 1

    @rule(what=st.sampled_from(ACTIONS), data=st.data())
    def step(self, what: str, data: st.DataObject) -> None:
        """One thing the practitioner does (see ``ACTIONS``)."""
        if what == FOLLOW:
            kind = self.next_kind(data)
            hostile = data.draw(st.sampled_from([False, False, False, True]), label="hostile")
            self.answer(kind, hostile, data)
        elif what == "answer":
            kind = data.draw(st.sampled_from(DRAFT_KINDS + OPEN_KINDS), label="page")
            self.answer(kind, data.draw(st.booleans(), label="hostile"), data)
        elif what == "visit":
            self.visit(data.draw(st.sampled_from(PAGES), label="page"))
        elif what == "stranger":
            page = data.draw(st.sampled_from(["family", "voice", "plan", "close", "step_up"]), label="page")
            self.someone_elses(page, data.draw(st.sampled_from([BB, CB]), label="whose"))
        else:
            assert what == "forbidden", what
            self.forbidden(data.draw(st.sampled_from(["record", "close"]), label="page"))

    def next_kind(self, data: st.DataObject) -> str:
        """What the journey asks for next (now and then skipping ahead to check your answers)."""
        m = self.model
        if m.status == Status.DRAFT:
            if data.draw(st.sampled_from([False] * 5 + [True]), label="skip ahead"):
                return "submit"
            if not m.children:
                return "add"
            for kind, done in (
                ("save", "family" in m.sections),
                ("voice", bool(m.voice)),
                ("consent", m.current_consent),
                ("needs", "needs" in m.sections or data.draw(st.booleans(), label="skip needs")),
            ):
                if not done:
                    return kind
            return "submit"
        if m.status == Status.OPEN:
            if not m.team:
                return "member"
            if not m.actions:
                return "action"
            if any(not r["held"] for r in m.reviews.values()) and data.draw(st.booleans(), label="review now"):
                return "review"
            return data.draw(
                st.sampled_from(["step-up", "close", "progress", "action", "open-consent", "open-withdraw"]),
                label="next on the record",
            )
        if m.closure[0] != "step-up" and data.draw(st.booleans(), label="change the closure"):
            return "revise"
        closed = ("open-withdraw", "step-up", "review", "open-consent", "member", "action", "progress")
        return data.draw(st.sampled_from(closed), label="on the closed record")  # refused, but a withdrawal

    def visit(self, page: str) -> None:
        """Show a page (going back, or skipping ahead): shown, or sent where the episode's state allows."""
        self.seen["visit"] += 1
        before = stored()
        response = self.client.get(self.url(page))
        context = f"GET {page} ({self.model.status})"
        kind = _status(response, context)
        expected = self.shown(page)
        assert kind == expected.kind, f"{context}: {kind}, expected {expected}"
        if kind == "redirect":
            assert response["Location"] == expected.location, f"{context}: {response['Location']}"
        assert stored() == before, f"{context}: showing a page stored something"

    def shown(self, page: str) -> NotDone:
        """What showing ``page`` answers in the episode's state."""
        status = self.model.status
        if page in ASSESSMENT and status != Status.DRAFT:
            return NotDone("redirect", self.url("record"))
        if page == "record" and status == Status.DRAFT:
            return NotDone("redirect", self.url("tasks"))
        if page == "review" and self.review_number() not in self.model.reviews:
            return NotDone("forbidden")
        return NotDone("shown")

    def someone_elses(self, page: str, partnership: str) -> None:
        """Another practitioner's record (ours or the other partnership's): not found, nothing stored."""
        self.seen["someone else's"] += 1
        other = self.world.others[partnership]
        before = stored()
        url = self.url(page, other)
        for response in (
            self.client.get(url),
            self.client.post(url, {**BROWSER, "family_voice": ["Ours"], "reason": ["x"], "code": ["needs-met"]}),
        ):
            assert response.status_code == 404, f"{url}: {response.status_code}"
        assert stored() == before, f"POST {url}: someone else's record stored something"

    def forbidden(self, page: str) -> None:
        """A front-door worker of the same partnership: early help is not theirs to see (403)."""
        self.seen["forbidden role"] += 1
        client = acting_client(Client(), self.world.front_door[self.partnership])
        before = stored()
        url = self.url(page)
        for response in (client.get(url), client.post(url, {**BROWSER, "code": ["needs-met"]})):
            assert response.status_code == 403, f"{url}: {response.status_code}"
        assert stored() == before, f"POST {url}: a front-door worker stored something"

    # --- answering a page

    def form_for(self, kind: str, forms: list[dict[str, list[str]]]) -> dict[str, list[str]] | None:
        """The form on the page that does ``kind``, if the page shows one."""

        def has(name: str, value: str | None = None) -> Callable[[dict[str, list[str]]], bool]:
            return lambda f: name in f and (value is None or value in f[name])

        chooser: dict[str, Callable[[dict[str, list[str]]], bool]] = {
            "add": has("add"),
            "save": lambda f: set(f) <= UNROUTED,
            "needs": has("needs"),
            "voice": has("family_voice"),
            "consent": has("given_by"),
            "open-consent": has("given_by"),
            "withdraw": has("withdraw"),
            "open-withdraw": has("withdraw"),
            "submit": lambda f: set(f) <= UNROUTED,
            "member": has("form", "member"),
            "action": has("form", "action"),
            "progress": has("form", "progress"),
            "review": lambda f: "needs" in f,
            "close": has("code"),
            "revise": has("reason"),
            "step-up": has("reason"),
        }
        found = [f for f in forms if chooser[kind](f)]
        return found[0] if found else None

    def answer(self, kind: str, hostile: bool, data: st.DataObject) -> None:
        page = PAGE_OF[kind]
        if kind == "close" and self.model.status == Status.CLOSED:
            kind = "revise"
        forms = self.forms_on(page)
        form = self.form_for(kind, forms)
        if form is None:  # the page offers no such form in this state: post what a stale page would have sent
            self.seen[f"{kind} no form"] += 1
            answer: dict[str, list[str]] = {"family_voice": ["Ours"], "reason": ["x"], "code": ["needs-met"]}
            if kind in ("withdraw", "open-withdraw"):
                answer = {"withdraw": [str(c["pk"]) for c in self.model.consents[:1]] or ["1"]}
            hostile = True
        else:
            answer = data.draw(valid_answer(kind, form, self.world, self.partnership), label=f"valid {kind}")
            if hostile:
                answer = data.draw(hostile_answer(answer, form), label=f"hostile {kind}")
        self.post(kind, page, answer, hostile, twice=data.draw(st.booleans(), label="twice"))

    def post(self, kind: str, page: str, answer: dict[str, list[str]], hostile: bool, *, twice: bool) -> None:
        if page == "family":  # the view reads the button: without "add", the section is saved
            kind = "add" if as_query(answer).get("add") else "save"
        url = self.url(page)
        expected = self.predict(kind, page, answer)
        before, sequence = stored(), _last_sequence()
        try:
            response = self.client.post(url, {**BROWSER, **answer})
        except RequestDataTooBig:  # over DATA_UPLOAD_MAX_MEMORY_SIZE: Django answers 400 (the test client raises)
            assert hostile and sum(len(v) for listed in answer.values() for v in listed) > 200_000, "too big?"
            assert stored() == before, f"POST {url}: a post too big stored something"
            self.seen["too big"] += 1
            return
        context = f"POST {url} [{kind}] {answer!r:.500} ({self.model.status})"
        got = _status(response, context)
        label = f"{kind} {'hostile' if hostile else 'valid'}"
        if isinstance(expected, NotDone):
            assert got == expected.kind, f"{context}: {got} ({response.status_code}), expected {expected}"
            if got == "redirect":
                assert response["Location"] == expected.location, f"{context}: went to {response['Location']}"
            assert stored() == before, f"{context}: {_changed(before, stored())} stored by a post that does nothing"
            self.seen[f"{label} {expected.kind}"] += 1
            return
        assert got == "redirect", f"{context}: {got} ({response.status_code}: {_said(response)}), expected it accepted"
        assert response["Location"] == expected.location, f"{context}: went to {response['Location']}"
        rows = _changed(before, stored())
        assert rows == expected.rows, f"{context}: stored {rows}, expected {expected.rows}"
        assert _verbs_since(sequence) == Counter(expected.verbs), f"{context}: events {_verbs_since(sequence)}"
        expected.apply()
        self.seen[f"{label} accepted"] += 1
        if twice:
            self.again(kind, url, answer, response["Location"], context)

    def again(self, kind: str, url: str, answer: dict[str, list[str]], location: str, context: str) -> None:
        """The same form sent again (a double click): nothing more stored, no event (a section saved again is the
        save already made; a consent withdrawn again is refused)."""
        before, sequence = stored(), _last_sequence()
        response = self.client.post(url, {**BROWSER, **answer})
        context = f"{context}, sent again"
        got = _status(response, context)
        self.seen[f"{kind} twice"] += 1
        if kind in ("withdraw", "open-withdraw"):  # no token: the service refuses it the second time
            assert got == "refused", f"{context}: {got} ({response.status_code})"
        elif kind in ("revise", "submit", "close", "step-up", "review"):
            assert got == "redirect" and response["Location"] == self.url("record"), f"{context}: {got}"
        else:
            assert got == "redirect" and response["Location"] == location, f"{context}: {got}"
        assert stored() == before, f"{context}: stored {_changed(before, stored())}"
        assert not _verbs_since(sequence), f"{context}: events {_verbs_since(sequence)}"

    # --- the oracle: what a post to each page does, from the model and the page's own form

    def predict(self, kind: str, page: str, answer: dict[str, list[str]]) -> Outcome:
        m, posted = self.model, as_query(answer)
        if page in ("family", "needs", "voice", "consent", "check_answers") and m.status != Status.DRAFT:
            return NotDone("redirect", self.url("record"))
        if page == "review" and self.review_number() not in m.reviews:
            return NotDone("forbidden")
        token = {SUBMISSION: 1} if "submission" in answer else {}
        if page == "family":
            return self.family(posted, token)
        if page == "needs":
            return self.needs(posted, token)
        if page == "voice":
            return self.voice(posted, token)
        if page in ("consent", "open_consent"):
            return self.consent(page, posted, token)
        if page == "check_answers":
            return self.submit()
        if page == "plan":
            return self.plan(posted, token)
        if page == "review":
            return self.review(posted, token)
        if page == "close":
            return self.close(posted, token)
        assert page == "step_up", page
        return self.step_up(posted, token)

    def family(self, posted: QueryDict, token: dict[str, int]) -> Outcome:
        m = self.model
        if not posted.get("add"):
            if not m.children:
                return NotDone("refused")

            def saved() -> None:
                m.done("family")

            return Accepted(self.url("tasks"), {"audit events": 1, **token}, {events.SECTION_SAVED.name: 1}, saved)
        form = FamilyMemberForm(posted)
        if not form.is_valid():
            return NotDone("refused")
        data = form.cleaned_data
        if data["date_of_birth"] is not None and data["date_of_birth"] > timezone.localdate():
            return NotDone("refused")

        def added() -> None:
            m.family.append(
                (data["kind"], data["first_name"], data["last_name"], data["date_of_birth"], data["relationship"])
            )

        rows = {"earlyhelp.FamilyMember": 1, "audit events": 1, **token}
        return Accepted(self.url("family"), rows, {events.MEMBER_ADDED.name: 1}, added)

    def needs(self, posted: QueryDict, token: dict[str, int]) -> Outcome:
        need_items, strength_items = indicator_choices(self.ep)
        form = NeedsForm(
            posted,
            needs=[(i["value"], i["label"]) for i in need_items],
            strengths=[(i["value"], i["label"]) for i in strength_items],
        )
        if not form.is_valid() or not form.cleaned_data["needs"]:
            return NotDone("refused")
        data = form.cleaned_data

        def saved() -> None:
            self.model.needs, self.model.strengths = list(data["needs"]), list(data["strengths"])
            self.model.strengths_text = data["strengths_text"].strip()
            self.model.done("needs")

        return Accepted(self.url("tasks"), {"audit events": 1, **token}, {events.SECTION_SAVED.name: 1}, saved)

    def voice(self, posted: QueryDict, token: dict[str, int]) -> Outcome:
        from continuum.apps.earlyhelp.forms import VoiceForm

        form = VoiceForm(posted)
        if not form.is_valid():
            return NotDone("refused")
        voice = form.cleaned_data["family_voice"].strip()

        def saved() -> None:
            self.model.voice = voice
            self.model.done("voice")

        return Accepted(self.url("tasks"), {"audit events": 1, **token}, {events.SECTION_SAVED.name: 1}, saved)

    def consent(self, page: str, posted: QueryDict, token: dict[str, int]) -> Outcome:
        m = self.model
        if "withdraw" in posted:
            chosen = posted.get("withdraw", "")
            consent = next((c for c in m.consents if str(c["pk"]) == chosen), None)
            if consent is None:
                return NotDone("forbidden")
            if consent["withdrawn"]:
                return NotDone("refused")
            note = posted.get("note", "")

            def withdrawn() -> None:
                consent["withdrawn"], consent["note"] = True, clean_text(note).strip()

            return Accepted(self.url(page), {"audit events": 1}, {events.CONSENT_WITHDRAWN.name: 1}, withdrawn)
        members = [(pk, "") for pk in self.ep.family.order_by("pk").values_list("pk", flat=True)]
        form = ConsentForm(posted, members=members)
        if not form.is_valid() or m.status == Status.CLOSED:
            return NotDone("refused")
        data, share_with = form.cleaned_data, form.share_with_list

        def recorded() -> None:
            pk = self.ep.consents.aggregate(Max("pk"))["pk__max"]
            m.consents.append(
                {
                    "pk": pk,
                    "given_by": data["given_by"],
                    "to_what": data["to_what"],
                    "share_with": share_with,
                    "team": data["shares_with_team"],
                    "withdrawn": False,
                    "note": "",
                }
            )
            m.done("consent")

        rows = {"earlyhelp.Consent": 1, "audit events": 1, **token}
        return Accepted(self.url(page), rows, {events.CONSENT_RECORDED.name: 1}, recorded)

    def submit(self) -> Outcome:
        m = self.model
        if m.missing:
            return NotDone("refused")
        clock = clocks.review_clock(self.loaded(), services.partnership_settings(self.partnership), 1)
        rows = {"audit events": 1, **({"earlyhelp.Review": 1, JOBS: 2} if clock.runs else {})}

        def submitted() -> None:
            m.status = Status.OPEN
            if clock.runs:
                m.reviews[1] = {"held": False, "level": None, "summary": "", "progress": {}}

        return Accepted(self.url("record"), rows, {events.SUBMITTED.name: 1}, submitted)

    def plan(self, posted: QueryDict, token: dict[str, int]) -> Outcome:
        m = self.model
        which = posted.get("form")
        owners = [(pk, "") for pk in self.ep.team.filter(left_at__isnull=True).values_list("pk", flat=True)]
        form: Any = {
            "member": TeamMemberForm(posted),
            "action": ActionForm(posted, owners=owners),
            "progress": ProgressForm(posted),
        }.get(which or "")
        if form is None:
            return NotDone("shown")
        if not form.is_valid() or m.status == Status.CLOSED:
            return NotDone("refused")
        data = form.cleaned_data
        if which == "progress" and not any(str(pk) == str(data["action"]) for pk in m.actions):
            return NotDone("forbidden")
        if data["version"] != m.version:
            return NotDone("refused")
        location = self.url("plan")
        if which == "member":
            user, colleague = None, self.world.colleagues[self.partnership].user
            assert colleague is not None
            if data["username"]:  # only the colleague of this partnership may join (once); no one else exists
                if data["username"] != colleague.get_username() or colleague.pk in {t[2] for t in m.team}:
                    return NotDone("refused")
                user = colleague
            elif not data["name"]:
                return NotDone("refused")
            name = data["name"] or colleague.get_full_name()

            def joined() -> None:
                m.team.append((name, data["agency"], user.pk if user else None))
                m.version += 1

            rows = {"earlyhelp.TeamMember": 1, "audit events": 1, **token}
            return Accepted(location, rows, {events.TEAM_MEMBER_ADDED.name: 1}, joined)
        if which == "action":
            if data["due_date"] < timezone.localdate():
                return NotDone("refused")

            def added() -> None:
                pk = self.ep.actions.aggregate(Max("pk"))["pk__max"]
                m.actions[pk] = {
                    "description": data["description"],
                    "owner": data["owner"],
                    "due": data["due_date"],
                    "progress": "",
                    "done": False,
                }
                m.version += 1

            rows = {"earlyhelp.PlanAction": 1, "audit events": 1, **token}
            return Accepted(location, rows, {events.PLAN_CHANGED.name: 1}, added)

        def progressed() -> None:
            m.actions[data["action"]] |= {"progress": data["progress"], "done": data["done"]}
            m.version += 1

        return Accepted(location, {"audit events": 1, **token}, {events.PLAN_CHANGED.name: 1}, progressed)

    def review(self, posted: QueryDict, token: dict[str, int]) -> Outcome:
        m, number = self.model, self.review_number()
        if m.status != Status.OPEN or m.reviews[number]["held"]:
            return NotDone("refused")
        progress = {str(pk): clean_text(posted.get(f"progress-{pk}", "")).strip() for pk in m.actions}
        if any(not has_visible_text(v) for v in progress.values()):
            return NotDone("refused")
        selection = {"indicators": posted.getlist("needs"), "protective": posted.getlist("strengths")}
        try:
            level = assess(self.loaded(), {**selection, "facts": None, "age_years": None})["recommended_level"]
        except AssessmentInputError:
            return NotDone("refused")
        clock = clocks.review_clock(self.loaded(), services.partnership_settings(self.partnership), number + 1)
        rows = {"audit events": 1, **token, **({"earlyhelp.Review": 1, JOBS: 2} if clock.runs else {})}
        summary = clean_text(posted.get("summary", "")).strip()

        def reviewed() -> None:
            m.reviews[number] = {"held": True, "level": level["number"], "summary": summary, "progress": progress}
            for pk, text in progress.items():
                m.actions[int(pk)]["progress"] = text
            if clock.runs:
                m.reviews[number + 1] = {"held": False, "level": None, "summary": "", "progress": {}}

        return Accepted(self.url("record"), rows, {events.REVIEW_RECORDED.name: 1}, reviewed)

    def close(self, posted: QueryDict, token: dict[str, int]) -> Outcome:
        m = self.model
        closed = m.status == Status.CLOSED
        form = (ReviseClosureForm if closed else CloseForm)(posted)
        if not form.is_valid() or m.status == Status.DRAFT:
            return NotDone("refused")
        data = form.cleaned_data
        text = clean_text(data["text"]).strip()
        if data["code"] == "other" and not has_visible_text(text):
            return NotDone("refused")
        if not closed:

            def closing() -> None:
                m.status, m.closure = Status.CLOSED, (data["code"], text)

            return Accepted(self.url("record"), {"audit events": 1, **token}, {events.CLOSED.name: 1}, closing)
        if m.closure[0] == "step-up" or (data["code"], text) == m.in_force:
            return NotDone("refused")

        def revised() -> None:
            m.revisions.append((data["code"], text, clean_text(data["reason"]).strip()))

        rows = {"earlyhelp.ClosureRevision": 1, "audit events": 1, **token}
        return Accepted(self.url("close"), rows, {events.CLOSURE_REVISED.name: 1}, revised)

    def refused_at_the_front_door(self) -> bool:
        """The front door's consent gate holds for a step-up: with no consent in force, it goes as not sought,
        at the level the last review found (else the level the assessment started at)."""
        if self.model.current_consent:
            return False
        found = [r["level"] for _, r in sorted(self.model.reviews.items()) if r["level"] is not None]
        level = found[-1] if found else self.ep.level_at_start
        framework = referrals._framework(self.partnership).framework
        requirement = referrals.consent_requirement(framework, level, None)
        consent = referrals.Consent(basis=ConsentBasis.NOT_SOUGHT, reason="Stepped up from early help")
        return referrals.consent_refusal(requirement, consent) is not None

    def step_up(self, posted: QueryDict, token: dict[str, int]) -> Outcome:
        m = self.model
        form = ReasonForm(posted)
        if not form.is_valid() or m.status != Status.OPEN:
            return NotDone("refused")
        if self.refused_at_the_front_door() or any(
            kind == "child" and born is None for kind, _, _, born, _ in m.family
        ):
            return NotDone("refused")  # the front door's referral needs each child's date of birth (module docstring)
        reason = clean_text(form.cleaned_data["reason"]).strip()
        children = m.children
        rows = {
            "earlyhelp.StepUp": 1,
            "referrals.Family": 1,
            "referrals.Referral": children,
            "audit events": 2 + children,
            **token,
        }
        verbs = {events.CLOSED.name: 1, events.STEPPED_UP.name: 1, referral_events.STEPPED_UP.name: children}

        def stepped() -> None:
            m.status, m.closure, m.step_ups = Status.CLOSED, ("step-up", reason), m.step_ups + 1

        return Accepted(self.url("record"), rows, verbs, stepped)

    # --- the invariant

    @invariant()
    def the_record_is_the_model(self) -> None:
        if self.episode is None:
            return
        found, expected = held(self.ep), self.model.view()
        for key in found:
            if key == "consents":
                assert found[key] == expected[key], f"consents: {found[key]} != {expected[key]}"
            else:
                assert found[key] == expected[key], f"{key}: stored {found[key]!r}, accepted {expected[key]!r}"


def test_the_early_help_journey_walked_in_any_order_stores_only_what_is_accepted(world: World) -> None:
    Journey.world = world
    Journey.seen = Counter()
    run_state_machine_as_test(Journey, settings=BOUNDED)
    seen = Journey.seen
    # The walk reached what it is for (else the invariants above held of nothing).
    assert seen[f"journey {BB}"] and seen[f"journey {CB}"], seen
    for kind in ("add", "save", "needs", "voice", "consent", "submit", "member", "action", "progress", "review"):
        assert seen[f"{kind} valid accepted"], f"{kind}: {seen}"
    for kind in ("close", "step-up", "revise"):
        assert seen[f"{kind} valid accepted"] + seen[f"{kind} hostile accepted"], f"{kind}: {seen}"
    assert seen["submit valid refused"] + seen["submit hostile refused"] >= 2, f"too few early submits: {seen}"
    assert seen["submit twice"] and seen["start twice"] and seen["start refused"], seen
    assert seen["someone else's"] and seen["forbidden role"], seen
    refused = {k.split()[0] for k, n in seen.items() if k.endswith(" hostile refused") and n}
    assert len(refused) >= 6, f"hostile answers refused on too few pages: {seen}"
