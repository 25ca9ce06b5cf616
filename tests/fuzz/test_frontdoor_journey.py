"""The front door (MASH triage) and escalation casework walked step by step, with state (hypothesis stateful),
through Django's test client.

Three contacts wait on Central Bedfordshire's front-door queue (a referral with a referred indicator, and a
child referred twice, the second a re-referral by name and date of birth that needs its match confirmed).
Two front-door workers and a front-door manager act on them in an order hypothesis chooses: claim one, claim
the next, reassign (the manager), grade, ask an agency for information and record its answer, confirm the
re-referral match, decide, tell the referrer, change the decision. Each answer is a valid one taken from the
page's own form (its radios, options and token, parsed from the HTML) or a hostile one (``tests/fuzz/inputs.py``:
the valid answer with fields replaced by long text, control, bidirectional and invisible characters, odd
numbers, or left out); steps come out of order (deciding before claiming or grading, working a contact the
other worker claimed, answering an agency nobody asked) and twice with the same form (a double click). Once a
contact is decided, someone raises a professional disagreement about it (a front-door worker or manager about
the front-door decision, the referrer about their referral once told the outcome) and the parties move it
through its stages (respond, move to the next stage, resolve, withdraw) and change its resolution. Other
people try too: the referrer and an auditor, who may not act at the front door or on the escalation, a
partnership admin, who may see an escalation but not move it, and our workers on another partnership's contact
and escalation.

The model is what the people have had accepted: each contact's state, claimant, grade, agency checks,
match, decision (as first recorded and in force), feedback and changes; each escalation's status, stage,
response, outcome and changes. Invariants after every step:

- never a 500 (the test client raises the view's exception) and only the expected answers: 200; 400 with
  the GOV.UK error summary; a 302 to a page of the journey (the contact, its decision page, the queue, the
  escalation); 403 or 404 where the person may not act or the record is not within their reach;
- a valid answer taken from the page's own choices, in a state that allows it, is accepted (and one the state
  does not allow is refused), whoever's hands it is in, as the model predicts;
- nothing is stored by a refused request: the rows of every Continuum model and of the job queue, and the
  audit events (the access log aside), are counted before and after (``test_posts.stored``);
- an accepted request stores exactly what the model predicts: the rows it makes, its audit events by their
  real verbs (``frontdoor.*``, ``referrals.*``, ``escalations.*``), only its own kinds of job; and the
  records then read as the model says (nothing lost, nothing changed that was not asked);
- a decision, once recorded, stays as recorded (a change is a new entry beside it, and the decision in force
  is the latest change); a resolved escalation's outcome likewise; an escalation names the decision in force
  when it was raised;
- the same form sent twice (a double click) stores nothing more.

The walk found, each now fixed and pinned by a test of its own (``tests/apps/frontdoor/test_decision_records.py``,
``tests/apps/escalations/test_decision_records.py``): grading, confirming a match and reassigning sent twice
with the same form were recorded twice (their views ignored the form's token); a disagreement raised about a
changed front-door decision named the decision as first recorded, not the one in force; and a change between
two of the document's outcomes that share a canonical code was refused as "the decision already recorded". Noticed
and fixed beside them: a claim sent twice was refused as already claimed, "claim the next contact" sent twice
claimed two, and the feedback page named the first decision, not the one in force.

Bounded: derandomised, no example database, no shrinking (a failing walk is reported as it was found:
shrinking a walk this long takes minutes), ``EXAMPLES`` journeys of at most ``STEPS`` steps (about 25 s on
SQLite on two cores); the walk asserts at its end that it decided contacts, raised, moved, withdrew and
resolved escalations, changed decisions and outcomes, had each page accept a valid answer, had eight pages
or more refuse a hostile one, and sent forms twice, so a walk that reaches nothing fails. Each journey runs in a savepoint rolled back at its end. Marked ``web`` (as
``test_posts.py``): it runs again on PostgreSQL, where a NUL character reaching a query is an error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.db.models import Count, F
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.audit import queries as audit
from continuum.apps.escalations import events as escalation_events
from continuum.apps.escalations import forms as escalation_forms
from continuum.apps.escalations import services as escalations
from continuum.apps.escalations.models import Escalation, Status
from continuum.apps.escalations.subjects import kind_of
from continuum.apps.frontdoor import events, forms, services
from continuum.apps.frontdoor.models import Match, State, Triage
from continuum.apps.govuk.text import clean_text, has_visible_text
from continuum.apps.referrals import events as referral_events
from tests.apps.referrals.factories import child, sent_referral
from tests.conftest import FRAMEWORKS_DIR
from tests.django_support import frameworks_offered
from tests.drills.casework import acting_client
from tests.fuzz.inputs import as_query, awkward_answer
from tests.fuzz.test_posts import BROWSER, REFUSED_PAGE, SUMMARY, FormFields, stored
from tests.people import member

pytestmark = [pytest.mark.web, pytest.mark.django_db]

OURS, THEIRS = "central-bedfordshire", "cambridgeshire-peterborough"
EXAMPLES = 10  # journeys
STEPS = 40  # steps per journey at most
BOUNDED = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    derandomize=True,
    database=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # no shrinking: it takes minutes on a walk this long
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)

FRONT_DOOR = ("a", "b", "m")  # two front-door workers and a manager
PARTIES = (*FRONT_DOOR, "p")  # who may raise and move an escalation (the referrer too, on their own)
CONTACTS = ("one", "earlier", "again")  # "again": a re-referral of the child of "earlier" (name and birth)
SUBMISSION = "govuk.Submission"
JOBS = "django_tasks_database.DBTaskResult"
FRONT_DOOR_JOBS = frozenset({"continuum.apps.frontdoor.tasks.remind", "continuum.apps.frontdoor.tasks.escalate"})
EMAIL_JOB = "continuum.apps.frontdoor.tasks.email_referrer"
STAGE_JOBS = frozenset(
    {"continuum.apps.escalations.tasks.remind_stage", "continuum.apps.escalations.tasks.flag_overdue_stage"}
)
UNROUTED = {"csrfmiddlewaretoken", "submission"}
TEXTS = ("Spoke to the school and the health visitor.", "Known to police; no current concerns.", "Zoë's mother agreed")


# --- the people and the contacts, once for the test --------------------------------------------------


@dataclass(frozen=True)
class World:
    people: dict[str, Actor]  # a, b (workers), m (manager), p (the referrer), x (auditor), pa (partnership admin)
    contacts: dict[str, str]  # our contacts' references
    theirs_contact: str  # another partnership's contact, decided
    theirs_escalation: str  # another partnership's escalation about it
    grades: list[str]  # our framework's grades, outcomes (key → code, name, police) and levels
    outcomes: dict[str, tuple[str, str, bool]]
    levels: list[int]
    agencies: list[str]


@pytest.fixture
def world(settings: Any) -> Iterator[World]:
    with frameworks_offered(settings, FRAMEWORKS_DIR):
        people = {
            "a": member(Role.FRONT_DOOR_WORKER, OURS, first_name="Wren", last_name="Walker"),
            "b": member(Role.FRONT_DOOR_WORKER, OURS, first_name="Bo", last_name="Baker"),
            "m": member(Role.FRONT_DOOR_MANAGER, OURS, first_name="Mo", last_name="Manager"),
            "p": member(Role.PRACTITIONER, OURS, first_name="Pat", last_name="Referrer"),
            "x": member(Role.AUDITOR, OURS, first_name="Ax", last_name="Auditor"),
            "pa": member(Role.PARTNERSHIP_ADMIN, OURS, first_name="Ada", last_name="Admin"),
        }
        same = {"first_name": "Robin", "last_name": "Again", "date_of_birth": date(2016, 3, 3)}
        referrals = {
            "one": sent_referral(people["p"], OURS, level=4),
            "earlier": sent_referral(people["p"], OURS, level=4, children=[child(**same)]),
            "again": sent_referral(people["p"], OURS, level=4, children=[child(**same)]),
        }
        triages = {key: services.open_triage(referral) for key, referral in referrals.items()}
        assert triages["again"].match == Match.NAME_DOB and triages["again"].match_confirmed is None
        assert all(not t.match for key, t in triages.items() if key != "again")
        # Another partnership's contact, decided, and a disagreement about it.
        worker = member(Role.FRONT_DOOR_WORKER, THEIRS, first_name="Tam", last_name="Theirs")
        theirs = services.claim(worker, services.open_triage(sent_referral(member(Role.PRACTITIONER, THEIRS), THEIRS)))
        rationale = services.Rationale(
            indicators={i: "confirmed" for i in theirs.referral.indicator_ids},
            added=[],
            information="Spoke to the school.",
            consent_basis="obtained",
            consent_detail="",
            level=theirs.referral.referrer_level,
            level_reason="",
        )
        theirs = services.decide(worker, theirs, outcome="0", police=False, rationale=rationale)
        kind = kind_of("front-door-decision")
        assert kind is not None
        disagreement = escalations.raise_escalation(worker, kind, theirs, concern="Too low", other_party="The MASH")
        framework = services.framework_of(OURS)
        yield World(
            people=people,
            contacts={key: t.public_id for key, t in triages.items()},
            theirs_contact=theirs.public_id,
            theirs_escalation=disagreement.public_id,
            grades=[g.id for g in framework.front_door.grades],
            outcomes={o.key: (o.code, o.name, o.police) for o in services.outcome_choices(framework)},
            levels=[level.number for level in framework.levels],
            agencies=[code for code, _ in services.agencies(OURS)],
        )


# --- the model ---------------------------------------------------------------------------------------


@dataclass
class Contact:
    """What the people have had accepted about one contact."""

    public_id: str
    referred: list[str]
    referrer_level: int
    match: bool  # a name-and-birth match to confirm
    state: str = State.NEW
    claimed_by: str | None = None
    grade: str = ""
    asked: dict[str, str] = field(default_factory=dict)  # agency → its answer ("" until answered)
    confirmed: bool | None = None
    decided: dict[str, Any] | None = None  # as first recorded
    in_force: tuple[str, str, bool, int] | None = None  # code, name, police, level: the latest change, else the first
    changes: int = 0
    told: str = ""  # "" until the referrer is told; then "shared" or "not shared"
    referral_outcome: str = ""  # what the referral says of the outcome (the escalation of a referral names it)

    def workable_by(self, who: str) -> bool:
        return self.state == State.CLAIMED and (self.claimed_by == who or who == "m")


@dataclass
class Disagreement:
    """What the people have had accepted about one escalation."""

    public_id: str
    owner: str
    stages: int
    subject: Any  # the contact's reference (raised by the front door), or ("p", it) (by the referrer)
    status: str = Status.OPEN
    stage: int = 1
    responded: bool = False
    outcome: str = ""
    in_force: str = ""
    changes: int = 0

    def visible_to(self, who: str) -> bool:
        return who in (*FRONT_DOOR, "pa") or who == self.owner


@dataclass
class Expect:
    """What a post should come to: accepted (a redirect to ``location``, storing these rows, audit events and
    kinds of job), refused on the page (400), or not this person's (403/404); and the model's change."""

    kind: str  # "done", "refused", "forbidden", "not found"
    location: str | Callable[[], str] = ""
    verbs: Counter[str] = field(default_factory=Counter)
    rows: dict[str, int] = field(default_factory=dict)
    jobs: frozenset[str] = frozenset()  # the kinds of job it may enqueue
    emails: int = 0  # the referrer's emails it enqueues (exactly)
    apply: Callable[[], None] | None = None


def _clean(value: str) -> str:
    return clean_text(value).strip()


def _visible(value: str | None) -> bool:
    return value is not None and has_visible_text(_clean(value))


def _status(response: Any, context: str) -> str:
    status = response.status_code
    if status == 302:
        return "done"
    if status == 403:
        return "forbidden"
    if status == 404:
        return "not found"
    assert status in (200, 400), f"{context}: {status}, not 200, 302, 400, 403 or 404"
    body = response.content.decode()
    assert SUMMARY in body or REFUSED_PAGE in body, f"{context}: {status} without the GOV.UK error summary"
    return "refused"


def verbs() -> Counter[str]:
    rows = audit.events().filter(access=False).order_by().values("verb").annotate(n=Count("id"))
    return Counter({row["verb"]: row["n"] for row in rows})


def jobs() -> Counter[str]:
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.values("task_path").annotate(n=Count("id"))
    return Counter({row["task_path"]: row["n"] for row in rows})


def moved_as_the_model_says(d: Disagreement, action: str, text: str, page: str, token: bool) -> Expect:
    """What a move of an open escalation (by someone who may) comes to, in the model."""
    if d.status != Status.OPEN:
        return Expect("refused")
    rows: dict[str, int] = {SUBMISSION: 1} if token else {}
    if action == "respond":
        if d.responded:
            return Expect("refused")

        def respond() -> None:
            d.responded = True

        return Expect("done", page, Counter({escalation_events.RESPONDED.name: 1}), rows, apply=respond)
    if action == "escalate":
        if not d.responded or d.stage >= d.stages:
            return Expect("refused")

        def escalate() -> None:
            d.stage, d.responded = d.stage + 1, False

        rows["escalations.Stage"] = 1
        return Expect("done", page, Counter({escalation_events.ESCALATED.name: 1}), rows, STAGE_JOBS, apply=escalate)
    if action == "resolve" and not d.responded:
        return Expect("refused")
    status, verb = {
        "resolve": (Status.RESOLVED, escalation_events.RESOLVED),
        "withdraw": (Status.WITHDRAWN, escalation_events.WITHDRAWN),
    }[action]

    def close() -> None:
        d.status, d.outcome, d.in_force = status, text, text

    return Expect("done", page, Counter({verb.name: 1}), rows, apply=close)


# --- the walk ----------------------------------------------------------------------------------------

# What happens at each step, as often as it is listed: mostly "follow" (the next step of some contact or
# escalation, by someone whose step it is), else any step by anyone, out of order, or someone who may not.
FOLLOW = "follow"
FRONT_DOOR_STEPS = (
    "claim",
    "claim_next",
    "reassign",
    "grade",
    "ask",
    "answer",
    "match",
    "decide",
    "feedback",
    "revise",
)
ESCALATION_STEPS = ("raise", "respond", "escalate", "resolve", "withdraw", "revise_outcome")
ACTIONS: list[str] = [
    *[FOLLOW] * 16,
    *FRONT_DOOR_STEPS,
    *ESCALATION_STEPS,
    "stranger",
    "may_not",
]


class Journey(RuleBasedStateMachine):
    """The front door's people working the queue, then disagreeing; the model is what they have had accepted."""

    world: World  # set by the test before the machine runs
    seen: Counter[str]  # what happened, over every journey (the test asserts the walk reached each kind)

    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.clients: dict[str, Client] = {}
        self.contacts: dict[str, Contact] = {}
        for key, public_id in self.world.contacts.items():
            triage = Triage.objects.select_related("referral").get(referral__public_id=public_id)
            self.contacts[key] = Contact(
                public_id,
                list(triage.referral.indicator_ids or []),
                int(triage.referral.referrer_level or 0),
                match=triage.match == Match.NAME_DOB,
            )
        self.disagreements: list[Disagreement] = []

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)

    # --- helpers

    def client(self, who: str) -> Client:
        if who not in self.clients:
            self.clients[who] = acting_client(Client(), self.world.people[who])
        return self.clients[who]

    def form_on(self, who: str, page: str, action: str) -> dict[str, list[str]] | None:
        """The fields and offered values of the form posting to ``action`` on ``page`` as ``who`` sees it."""
        response = self.client(who).get(page)
        if response.status_code != 200:
            return None
        parser = FormFields(page)
        parser.feed(response.content.decode())
        found = [fields for target, fields in parser.forms if target == action]
        return found[0] if found else None

    @staticmethod
    def fd(name: str, public_id: str, **kwargs: str) -> str:
        return reverse(f"frontdoor:{name}", kwargs={"public_id": public_id, **kwargs})

    @staticmethod
    def esc(name: str, public_id: str, **kwargs: str) -> str:
        return reverse(f"escalations:{name}", kwargs={"public_id": public_id, **kwargs})

    def post(
        self,
        who: str,
        url: str,
        answer: dict[str, list[str]],
        expect: Callable[[dict[str, list[str]]], Expect],
        *,
        label: str,
        is_hostile: bool,
        twice: bool = False,
    ) -> None:
        """Post ``answer`` as ``who``; assert the answer and what is stored are what ``expect`` says."""
        predicted = expect(answer)
        before, verbs_before, jobs_before = stored(), verbs(), jobs()
        context = f"{who} POST {url} {answer!r:.300} ({label}, {'hostile' if is_hostile else 'valid'})"
        try:
            response = self.client(who).post(url, {**BROWSER, **answer})
        except RequestDataTooBig:
            assert is_hostile, f"{context}: too big?"
            assert stored() == before, f"{context}: a post too big stored something"
            self.seen["too big"] += 1
            return
        kind = _status(response, context)
        self.seen[f"{label} {'hostile' if is_hostile else 'valid'} {kind}"] += 1
        assert kind == predicted.kind, f"{context}: {kind} ({response.status_code}), the model says {predicted.kind}"
        if kind != "done":
            assert stored() == before, f"{context}: a refused post stored something"
            return
        location = predicted.location if isinstance(predicted.location, str) else predicted.location()
        assert response["Location"] == location, f"{context}: went to {response['Location']}, not {location}"
        after, verbs_after, jobs_after = stored(), verbs(), jobs()
        made_rows = {
            k: after[k] - before[k] for k in after if after[k] != before[k] and k not in (JOBS, "audit events")
        }
        assert made_rows == predicted.rows, f"{context}: stored {made_rows}, the model says {predicted.rows}"
        made_verbs = verbs_after - verbs_before
        assert made_verbs == predicted.verbs, f"{context}: audited {dict(made_verbs)}, the model says {predicted.verbs}"
        made_jobs = jobs_after - jobs_before
        assert made_jobs[EMAIL_JOB] == predicted.emails, f"{context}: {made_jobs[EMAIL_JOB]} emails to the referrer"
        stray = set(made_jobs) - predicted.jobs - {EMAIL_JOB}
        assert not stray, f"{context}: enqueued {stray}"
        if predicted.apply is not None:
            predicted.apply()
        if twice and "submission" in answer:
            again_before = stored()
            again = self.client(who).post(url, {**BROWSER, **answer})
            kind_again = _status(again, f"{context} (twice)")
            assert kind_again in ("done", "refused"), f"{context}: the same form again was {again.status_code}"
            assert stored() == again_before, f"{context}: the same form sent twice stored twice"
            self.seen[f"{label} twice"] += 1

    def draw_answer(
        self,
        data: st.DataObject,
        valid: st.SearchStrategy[dict[str, list[str]]],
        keys: list[str],
        label: str,
        form: dict[str, list[str]] | None,
    ) -> tuple[dict[str, list[str]], bool]:
        answer = data.draw(valid, label=f"valid {label}")
        is_hostile = data.draw(st.sampled_from([False, False, True]), label="hostile")
        if is_hostile:
            answer = data.draw(awkward_answer(answer, {k: answer.get(k, []) for k in keys}), label=f"hostile {label}")
        if form is not None and form.get("submission") and data.draw(st.integers(0, 5), label="token"):
            answer = {**answer, "submission": form["submission"][:1]}
        return answer, is_hostile

    def pick_contact(self, data: st.DataObject, label: str = "contact") -> Contact:
        return self.contacts[data.draw(st.sampled_from(CONTACTS), label=label)]

    # --- the steps

    @initialize()
    def start(self) -> None:
        self.seen["journeys"] += 1

    @rule(action=st.sampled_from(ACTIONS), data=st.data())
    def step(self, action: str, data: st.DataObject) -> None:
        if action == FOLLOW:
            action, who, target = self.next_step(data)
        else:
            who, target = "", None
        getattr(self, f"do_{action}")(data, who, target)

    def next_step(self, data: st.DataObject) -> tuple[str, str, Any]:
        """The next step of a contact or an escalation hypothesis chooses, by someone whose step it is."""
        contact = self.pick_contact(data, "follow contact")
        open_ones = [d for d in self.disagreements if d.status == Status.OPEN]
        resolved = [d for d in self.disagreements if d.status == Status.RESOLVED and d.changes < 2]
        if (open_ones or resolved) and data.draw(st.sampled_from([True, True, False]), label="an escalation"):
            if open_ones:
                d = data.draw(st.sampled_from(open_ones), label="open escalation")
                if not d.responded:
                    return "respond", data.draw(st.sampled_from([*FRONT_DOOR, d.owner]), label="who"), d
                moves = ["escalate", "resolve", "withdraw"] if d.stage < d.stages else ["resolve", "withdraw"]
                move = data.draw(st.sampled_from(moves), label="move")
                if move == "withdraw":
                    return move, d.owner, d
                return move, data.draw(st.sampled_from([*FRONT_DOOR, d.owner]), label="who"), d
            return "revise_outcome", data.draw(st.sampled_from(FRONT_DOOR), label="who"), resolved[0]
        if contact.state == State.NEW:
            return "claim", data.draw(st.sampled_from(FRONT_DOOR), label="who"), contact
        if contact.state == State.CLAIMED:
            worker = str(contact.claimed_by)
            if contact.match and contact.confirmed is None:
                return "match", worker, contact
            waiting = any(not answered for answered in contact.asked.values())
            checks = ["answer"] if waiting else ["ask"] if len(contact.asked) < len(self.world.agencies) else []
            then = data.draw(st.sampled_from([*checks, "decide", "grade", "decide"]), label="then")
            return then, worker, contact
        raised = {d.subject for d in self.disagreements}
        steps = [
            *(["raise"] if contact.public_id not in raised else []),
            *(["feedback"] if not contact.told else []),
            "revise",
            *(["raise by the referrer"] if contact.told and ("p", contact.public_id) not in raised else []),
        ]
        then = data.draw(st.sampled_from(steps), label="then")
        if then == "raise by the referrer":
            return "raise", "p", contact
        return then, data.draw(st.sampled_from(FRONT_DOOR), label="who"), contact

    def who(self, data: st.DataObject, who: str, among: tuple[str, ...] = FRONT_DOOR) -> str:
        return who or data.draw(st.sampled_from(among), label="who")

    # --- the front door

    def do_claim(self, data: st.DataObject, who: str, contact: Contact | None) -> None:
        who, c = self.who(data, who), contact or self.pick_contact(data)
        page, url = self.fd("contact", c.public_id), self.fd("claim", c.public_id)
        form = self.form_on(who, page, url)
        answer, is_hostile = self.draw_answer(data, st.just({}), ["claim"], "claim", form)

        def expect(answer: dict[str, list[str]]) -> Expect:
            if c.state != State.NEW:
                return Expect("refused")

            def apply() -> None:
                c.state, c.claimed_by = State.CLAIMED, who

            rows = {SUBMISSION: 1} if "submission" in answer else {}
            return Expect("done", page, Counter({events.CLAIMED.name: 1}), rows, apply=apply)

        assert (form is not None) == (c.state == State.NEW), f"{who}: the claim button, for a contact {c.state}"
        self.post(who, url, answer, expect, label="claim", is_hostile=is_hostile, twice=data.draw(st.booleans()))

    def do_claim_next(self, data: st.DataObject, who: str, contact: Contact | None) -> None:
        who = self.who(data, who)
        waiting = (
            Triage.objects.filter(partnership=OURS, state=State.NEW)
            .order_by(F("due_at").asc(nulls_last=True), "pk")
            .select_related("referral")
        )
        first = next((t.public_id for t in waiting), None)
        by_reference = {c.public_id: c for c in self.contacts.values()}

        def expect(_: dict[str, list[str]]) -> Expect:
            if first is None:
                return Expect("done", reverse("frontdoor:queue"))
            c = by_reference[first]
            assert c.state == State.NEW, f"claim next would claim {first}, {c.state} in the model"

            def apply() -> None:
                c.state, c.claimed_by = State.CLAIMED, who

            return Expect("done", self.fd("contact", first), Counter({events.CLAIMED.name: 1}), apply=apply)

        assert (first is None) == all(c.state != State.NEW for c in self.contacts.values())
        self.post(who, reverse("frontdoor:claim_next"), {}, expect, label="claim next", is_hostile=False)

    def do_reassign(self, data: st.DataObject, who: str, contact: Contact | None) -> None:
        who, c = self.who(data, who), contact or self.pick_contact(data)
        page, url = self.fd("contact", c.public_id), self.fd("reassign", c.public_id)
        form = self.form_on(who, page, url)
        people = {str(self.world.people[k].user.pk): k for k in FRONT_DOOR}
        assert (form is not None) == (who == "m" and c.state != State.DECIDED), f"{who}: the reassign form"
        offered = (form or {}).get("to") or sorted(people)
        assert set(offered) == set(people), f"reassign offers {offered}"
        valid = st.sampled_from(offered).map(lambda pk: {"to": [pk]})
        answer, is_hostile = self.draw_answer(data, valid, ["to"], "reassign", form)

        def expect(answer: dict[str, list[str]]) -> Expect:
            if who != "m":
                return Expect("forbidden")  # who may, before what was posted
            reassign = forms.ReassignForm(as_query(answer))
            if not reassign.is_valid():
                return Expect("refused")
            to = people.get(str(reassign.cleaned_data["to"]))
            if to is None or c.state == State.DECIDED:
                return Expect("refused")

            def apply() -> None:
                c.state, c.claimed_by = State.CLAIMED, to

            rows = {SUBMISSION: 1} if "submission" in answer else {}
            return Expect("done", page, Counter({events.REASSIGNED.name: 1}), rows, apply=apply)

        self.post(who, url, answer, expect, label="reassign", is_hostile=is_hostile, twice=data.draw(st.booleans()))

    def do_grade(self, data: st.DataObject, who: str, contact: Contact | None) -> None:
        who, c = self.who(data, who), contact or self.pick_contact(data)
        page, url = self.fd("contact", c.public_id), self.fd("grade", c.public_id)
        form = self.form_on(who, page, url)
        assert (form is not None) == c.workable_by(who), f"{who}: the grade form on a contact {c.state}"
        offered = (form or {}).get("grade") or self.world.grades
        assert set(offered) == set(self.world.grades), f"the grades offered: {offered}"
        valid = st.sampled_from(offered).map(lambda g: {"grade": [g]})
        answer, is_hostile = self.draw_answer(data, valid, ["grade"], "grade", form)

        def expect(answer: dict[str, list[str]]) -> Expect:
            graded = forms.GradeForm(as_query(answer))
            if not graded.is_valid() or not c.workable_by(who):
                return Expect("refused")
            grade = graded.cleaned_data["grade"]
            if grade not in self.world.grades:
                return Expect("refused")

            def apply() -> None:
                c.grade = grade

            rows = {SUBMISSION: 1} if "submission" in answer else {}
            return Expect("done", page, Counter({events.GRADED.name: 1}), rows, FRONT_DOOR_JOBS, apply=apply)

        self.post(who, url, answer, expect, label="grade", is_hostile=is_hostile, twice=data.draw(st.booleans()))

    def do_ask(self, data: st.DataObject, who: str, contact: Contact | None) -> None:
        who, c = self.who(data, who), contact or self.pick_contact(data)
        page, url = self.fd("contact", c.public_id), self.fd("request_check", c.public_id)
        form = self.form_on(who, page, url)
        to_ask = [a for a in self.world.agencies if a not in c.asked]
        assert (form is not None) == (c.workable_by(who) and bool(to_ask)), f"{who}: the request form"
        offered = (form or {}).get("agency") or self.world.agencies
        assert form is None or set(offered) == set(to_ask), f"agencies offered {offered}, not asked {to_ask}"
        valid = st.fixed_dictionaries(
            {"agency": st.sampled_from(offered).map(lambda a: [a])},
            optional={"question": st.sampled_from(("", "Anything known?")).map(lambda q: [q])},
        )
        answer, is_hostile = self.draw_answer(data, valid, ["agency", "question"], "ask", form)

        def expect(answer: dict[str, list[str]]) -> Expect:
            asked = forms.RequestCheckForm(as_query(answer))
            if not asked.is_valid() or not c.workable_by(who):
                return Expect("refused")
            agency = asked.cleaned_data["agency"]
            if agency not in self.world.agencies or agency in c.asked:
                return Expect("refused")

            def apply() -> None:
                c.asked[agency] = ""

            rows = {"frontdoor.AgencyCheck": 1, **({SUBMISSION: 1} if "submission" in answer else {})}
            return Expect("done", page, Counter({events.REQUESTED.name: 1}), rows, FRONT_DOOR_JOBS, apply=apply)

        self.post(who, url, answer, expect, label="ask", is_hostile=is_hostile, twice=data.draw(st.booleans()))

    def do_answer(self, data: st.DataObject, who: str, contact: Contact | None) -> None:
        who, c = self.who(data, who), contact or self.pick_contact(data)
        waiting = sorted(a for a, answered in c.asked.items() if not answered)
        agency = data.draw(st.sampled_from(waiting + sorted(c.asked) + self.world.agencies), label="agency")
        page, url = self.fd("contact", c.public_id), self.fd("answer_check", c.public_id, agency=agency)
        form = self.form_on(who, page, url)
        offered = agency in c.asked and not c.asked[agency] and c.workable_by(who)
        assert (form is not None) == offered, f"{who}: the answer form of {agency}"
        valid = st.sampled_from(TEXTS).map(lambda t: {"response": [t]})
        answer, is_hostile = self.draw_answer(data, valid, ["response"], "answer", form)

        def expect(answer: dict[str, list[str]]) -> Expect:
            if agency not in c.asked:
                return Expect("not found")
            said = forms.AnswerForm(as_query(answer))
            if not said.is_valid() or not c.workable_by(who) or c.asked[agency]:
                return Expect("refused")
            response = said.cleaned_data["response"]

            def apply() -> None:
                c.asked[agency] = response

            rows = {SUBMISSION: 1} if "submission" in answer else {}
            return Expect("done", page, Counter({events.ANSWERED.name: 1}), rows, apply=apply)

        self.post(who, url, answer, expect, label="answer", is_hostile=is_hostile, twice=data.draw(st.booleans()))

    def do_match(self, data: st.DataObject, who: str, contact: Contact | None) -> None:
        who, c = self.who(data, who), contact or self.pick_contact(data)
        page, url = self.fd("contact", c.public_id), self.fd("match", c.public_id)
        form = self.form_on(who, page, url)
        assert (form is not None) == (c.match and c.confirmed is None and c.workable_by(who)), f"{who}: match form"
        valid = st.sampled_from((form or {}).get("same_child") or ["yes", "no"]).map(lambda v: {"same_child": [v]})
        answer, is_hostile = self.draw_answer(data, valid, ["same_child"], "match", form)

        def expect(answer: dict[str, list[str]]) -> Expect:
            matched = forms.MatchForm(as_query(answer))
            if not matched.is_valid() or not c.workable_by(who) or not c.match:
                return Expect("refused")

            def apply() -> None:
                c.confirmed = matched.cleaned_data["same_child"] == "yes"

            rows = {SUBMISSION: 1} if "submission" in answer else {}
            return Expect("done", page, Counter({events.MATCHED.name: 1}), rows, apply=apply)

        self.post(who, url, answer, expect, label="match", is_hostile=is_hostile, twice=data.draw(st.booleans()))

    def decision_answer(self, c: Contact, offered: dict[str, list[str]]) -> st.SearchStrategy[dict[str, list[str]]]:
        def one(values: list[str]) -> st.SearchStrategy[list[str]]:
            return st.sampled_from(values).map(lambda v: [v])

        def reason(level: str) -> st.SearchStrategy[dict[str, list[str]]]:
            if int(level) == c.referrer_level:
                return st.just({})
            return one(["The school's account puts it lower", "More is known now"]).map(lambda r: {"level_reason": r})

        fields = {
            "outcome": one(offered["outcome"]),
            "information": one(list(TEXTS)),
            "consent_basis": one(offered["consent_basis"]),
            **{f"indicator-{i}": one(offered[f"indicator-{i}"]) for i in c.referred},
        }
        optional = {
            "police": one(offered["police"]),
            "consent_detail": one(["Mother, by phone", ""]),
            "added": one(["", *c.referred]),
        }
        return st.tuples(
            st.fixed_dictionaries(fields, optional=optional),
            one(offered["level"]).flatmap(lambda lv: reason(lv[0]).map(lambda r: {"level": lv, **r})),
        ).map(lambda pair: {**pair[0], **pair[1]})

    def fallback_offer(self, c: Contact) -> dict[str, list[str]]:
        """What the decision page offers (for a post the page does not offer now)."""
        return {
            "outcome": list(self.world.outcomes),
            "police": ["yes"],
            "consent_basis": list(services.CONSENT_BASES),
            "level": [str(n) for n in self.world.levels],
            **{f"indicator-{i}": ["confirmed", "rejected"] for i in c.referred},
        }

    def do_decide(self, data: st.DataObject, who: str, contact: Contact | None) -> None:
        who, c = self.who(data, who), contact or self.pick_contact(data)
        url, page = self.fd("decide", c.public_id), self.fd("contact", c.public_id)
        shown = self.client(who).get(url)
        if c.state == State.DECIDED:
            assert shown.status_code == 302 and shown["Location"] == page, f"{who}: decide page of a decided contact"
            form = None
        else:
            assert shown.status_code == 200, f"{who}: decide page {shown.status_code}"
            parser = FormFields(url)
            parser.feed(shown.content.decode())
            form = next(fields for target, fields in parser.forms if target == url)
        offered = form or self.fallback_offer(c)
        if form is not None:
            assert set(offered["outcome"]) == set(self.world.outcomes), offered["outcome"]
            assert set(offered["level"]) == {str(n) for n in self.world.levels}, offered["level"]
        keys = ["outcome", "police", "information", "consent_basis", "consent_detail", "level", "level_reason", "added"]
        keys += [f"indicator-{i}" for i in c.referred]
        answer, is_hostile = self.draw_answer(data, self.decision_answer(c, offered), keys, "decide", form)

        def expect(answer: dict[str, list[str]]) -> Expect:
            if c.state == State.DECIDED:
                return Expect("done", page)  # sent back to the contact (the same form again: done before)
            if not c.workable_by(who):
                return Expect("refused")
            values = forms.decision_fields(as_query(answer), c.referred)
            outcome, police = values.pop("outcome"), values.pop("police")
            rationale = services.Rationale(**values)
            triage = Triage.objects.select_related("referral").get(referral__public_id=c.public_id)
            if services.decision_refusals(triage, services.framework_of(OURS), outcome, rationale):
                return Expect("refused")
            assert not (c.match and c.confirmed is None), "decided before the match was confirmed"
            code, name, always = self.world.outcomes[outcome]

            def apply() -> None:
                c.state = State.DECIDED
                c.decided = {
                    "outcome_code": code,
                    "outcome_name": name,
                    "police": police or always,
                    "frontdoor_level": rationale.level,
                    "rationale": rationale.as_dict(),
                    "decided_by": self.world.people[who].user.pk,
                }
                c.in_force = (code, name, police or always, int(rationale.level or 0))

            rows = {SUBMISSION: 1} if "submission" in answer else {}
            return Expect("done", page, Counter({events.DECIDED.name: 1}), rows, FRONT_DOOR_JOBS, apply=apply)

        self.post(who, url, answer, expect, label="decide", is_hostile=is_hostile, twice=data.draw(st.booleans()))

    def do_feedback(self, data: st.DataObject, who: str, contact: Contact | None) -> None:
        who, c = self.who(data, who), contact or self.pick_contact(data)
        url, page = self.fd("feedback", c.public_id), self.fd("contact", c.public_id)
        form = self.form_on(who, url, url)
        assert (form is not None) == (not c.told), f"{who}: the feedback form, told {c.told!r}"
        shared = st.sampled_from(TEXTS).map(lambda t: {"shared": ["yes"], "text": [t]})
        not_shared = st.just({"shared": ["no"], "reason_not_shared": ["It would put the child at risk"]})
        answer, is_hostile = self.draw_answer(
            data, shared | not_shared, ["shared", "text", "reason_not_shared"], "feedback", form
        )

        def expect(answer: dict[str, list[str]]) -> Expect:
            told = forms.FeedbackForm(as_query(answer))
            if not told.is_valid() or c.state != State.DECIDED or c.told:
                return Expect("refused")
            yes = told.cleaned_data["shared"] == "yes"
            text, reason = told.cleaned_data["text"], told.cleaned_data["reason_not_shared"]
            if (yes and not _visible(text)) or (not yes and not _visible(reason)):
                return Expect("refused")
            assert c.in_force is not None

            def apply() -> None:
                c.told = "shared" if yes else "not shared"
                c.referral_outcome = _clean(text) if yes else c.in_force[0]  # type: ignore[index]

            verbs = Counter({events.FED_BACK.name: 1, referral_events.OUTCOME_RECORDED.name: 1})
            rows = {SUBMISSION: 1} if "submission" in answer else {}
            return Expect("done", page, verbs, rows, emails=1, apply=apply)

        self.post(who, url, answer, expect, label="feedback", is_hostile=is_hostile, twice=data.draw(st.booleans()))

    def do_revise(self, data: st.DataObject, who: str, contact: Contact | None) -> None:
        who, c = self.who(data, who), contact or self.pick_contact(data)
        url, page = self.fd("revise", c.public_id), self.fd("contact", c.public_id)
        shown = self.client(who).get(url)
        if c.state != State.DECIDED:
            assert shown.status_code == 302 and shown["Location"] == self.fd("decide", c.public_id), shown.status_code
            form = None
        else:
            assert shown.status_code == 200, f"{who}: the decision change page {shown.status_code}"
            parser = FormFields(url)
            parser.feed(shown.content.decode())
            form = next(fields for target, fields in parser.forms if target == url)
        offered = form or self.fallback_offer(c)

        def one(values: list[str]) -> st.SearchStrategy[list[str]]:
            return st.sampled_from(values).map(lambda v: [v])

        def differs(answer: dict[str, list[str]]) -> bool:  # a change: not the decision in force
            code, name, always = self.world.outcomes.get(answer["outcome"][0], ("", "", False))
            return (code, name, "police" in answer or always, int(answer["level"][0])) != c.in_force

        valid = st.fixed_dictionaries(
            {"outcome": one(offered["outcome"]), "level": one(offered["level"]), "reason": one(list(TEXTS))},
            optional={"police": one(offered["police"])},
        ).filter(differs)
        answer, is_hostile = self.draw_answer(data, valid, ["outcome", "level", "police", "reason"], "revise", form)

        def expect(answer: dict[str, list[str]]) -> Expect:
            if c.state != State.DECIDED:
                return Expect("done", self.fd("decide", c.public_id))
            changed = forms.ReviseDecisionForm(as_query(answer))
            if not changed.is_valid():
                return Expect("refused")
            d = changed.cleaned_data
            if d["outcome"] not in self.world.outcomes or d["level"] not in self.world.levels:
                return Expect("refused")
            code, name, always = self.world.outcomes[d["outcome"]]
            now = (code, name, d["police"] or always, d["level"])
            assert c.in_force is not None
            if now == c.in_force:
                return Expect("refused")  # the decision already recorded
            told = bool(c.told) and (code, name) != c.in_force[:2]

            def apply() -> None:
                c.in_force, c.changes = now, c.changes + 1
                if told:
                    c.referral_outcome = name if c.told == "shared" else code

            verbs = Counter({events.DECISION_REVISED.name: 1})
            if told:
                verbs.update({events.FED_BACK.name: 1, referral_events.OUTCOME_CHANGED.name: 1})
            rows = {"frontdoor.DecisionRevision": 1, **({SUBMISSION: 1} if "submission" in answer else {})}
            self.seen["revise " + ("told" if told else "not told")] += 1
            return Expect("done", page, verbs, rows, emails=int(told), apply=apply)

        self.post(who, url, answer, expect, label="revise", is_hostile=is_hostile, twice=data.draw(st.booleans()))

    # --- escalations

    def do_raise(self, data: st.DataObject, who: str, contact: Contact | None) -> None:
        who, c = self.who(data, who, PARTIES), contact or self.pick_contact(data)
        kind = "referral" if who == "p" else "front-door-decision"
        url = reverse("escalations:raise", kwargs={"kind": kind, "reference": c.public_id})
        if who == "p":
            decision = f"Front door outcome: {c.referral_outcome}" if c.told else None
        elif c.in_force is not None:
            police = " (with police action)" if c.in_force[2] else ""
            decision = f"Front door decision: {c.in_force[1]}{police}"
        else:
            decision = None
        form = self.form_on(who, url, url)
        assert (form is not None) == (decision is not None), f"{who}: the raise form, decision {decision!r}"
        valid = st.fixed_dictionaries(
            {
                "concern": st.sampled_from(["The level is too low for what the school sees"]).map(lambda v: [v]),
                "other_party": st.sampled_from(["The MASH team manager", "Front door"]).map(lambda v: [v]),
            },
            optional={"desired_outcome": st.sampled_from(["An assessment", ""]).map(lambda v: [v])},
        )
        keys = ["concern", "other_party", "desired_outcome"]
        answer, is_hostile = self.draw_answer(data, valid, keys, "raise", form)
        known = set(Escalation.objects.values_list("public_id", flat=True))

        def expect(answer: dict[str, list[str]]) -> Expect:
            raised = escalation_forms.RaiseForm(as_query(answer))
            if not raised.is_valid() or decision is None:
                return Expect("refused")
            d = raised.cleaned_data
            if not _visible(d["concern"]) or not _visible(d["other_party"]):
                return Expect("refused")
            made = Escalation.objects.exclude(public_id__in=known)

            def apply() -> None:
                escalation = made.get()
                assert escalation.subject_decision == decision, (
                    f"raised about {escalation.subject_decision!r}, the decision in force is {decision!r}"
                )
                assert (escalation.concern, escalation.other_party) == (d["concern"], d["other_party"])
                subject = ("p", c.public_id) if who == "p" else c.public_id
                self.disagreements.append(Disagreement(escalation.public_id, who, escalation.stage_count, subject))
                self.seen[f"raised by {who}"] += 1

            rows = {"escalations.Escalation": 1, "escalations.Stage": 1}
            rows |= {SUBMISSION: 1} if "submission" in answer else {}
            verbs = Counter({escalation_events.RAISED.name: 1})
            # The escalation's page: its reference is new, so it is read after the post.
            location = lambda: self.esc("detail", made.get().public_id)  # noqa: E731
            return Expect("done", location, verbs, rows, STAGE_JOBS, apply=apply)

        self.post(who, url, answer, expect, label="raise", is_hostile=is_hostile, twice=data.draw(st.booleans()))

    def pick_disagreement(self, data: st.DataObject, target: Any) -> Disagreement | None:
        if isinstance(target, Disagreement):
            return target
        if not self.disagreements:
            return None
        return data.draw(st.sampled_from(self.disagreements), label="escalation")

    def move(self, data: st.DataObject, who: str, target: Any, action: str, key: str) -> None:
        d = self.pick_disagreement(data, target)
        if d is None:
            return
        who = self.who(data, who, (*PARTIES, "pa"))
        page, url = self.esc("detail", d.public_id), self.esc("move", d.public_id, action=action)
        form = self.form_on(who, page, url) if d.visible_to(who) else None
        valid = st.sampled_from(TEXTS).map(lambda t: {key: [t]})
        answer, is_hostile = self.draw_answer(data, valid, [key], action, form)
        form_class = {
            "respond": escalation_forms.RespondForm,
            "escalate": escalation_forms.EscalateForm,
            "resolve": escalation_forms.ResolveForm,
            "withdraw": escalation_forms.WithdrawForm,
        }[action]
        may = {"respond": PARTIES, "escalate": PARTIES, "resolve": PARTIES, "withdraw": (d.owner,)}[action]

        def expect(answer: dict[str, list[str]]) -> Expect:
            if not d.visible_to(who):
                return Expect("not found")
            if who not in may:
                return Expect("forbidden")  # who may, before what was posted
            moved = form_class(as_query(answer))
            if not moved.is_valid():
                return Expect("refused")
            text = moved.cleaned_data[key]
            if not _visible(text):
                return Expect("refused")
            return moved_as_the_model_says(d, action, text, page, "submission" in answer)

        self.post(who, url, answer, expect, label=action, is_hostile=is_hostile, twice=data.draw(st.booleans()))

    def do_respond(self, data: st.DataObject, who: str, target: Any) -> None:
        self.move(data, who, target, "respond", "response")

    def do_escalate(self, data: st.DataObject, who: str, target: Any) -> None:
        self.move(data, who, target, "escalate", "reason")

    def do_resolve(self, data: st.DataObject, who: str, target: Any) -> None:
        self.move(data, who, target, "resolve", "outcome")

    def do_withdraw(self, data: st.DataObject, who: str, target: Any) -> None:
        self.move(data, who, target, "withdraw", "withdraw_reason")

    def do_revise_outcome(self, data: st.DataObject, who: str, target: Any) -> None:
        d = self.pick_disagreement(data, target)
        if d is None:
            return
        who = self.who(data, who, (*PARTIES, "pa"))
        page, url = self.esc("detail", d.public_id), self.esc("revise_outcome", d.public_id)
        form = self.form_on(who, page, url) if d.visible_to(who) else None
        assert (form is not None) == (d.status == Status.RESOLVED and who in PARTIES and d.visible_to(who))
        valid = st.fixed_dictionaries(
            {
                "outcome": st.sampled_from(
                    [o for o in ("Level raised to 4", "Assessment agreed", *TEXTS) if o != d.in_force]
                ).map(lambda v: [v]),
                "reason": st.sampled_from(["The panel met again"]).map(lambda v: [v]),
            }
        )
        answer, is_hostile = self.draw_answer(data, valid, ["outcome", "reason"], "revise outcome", form)

        def expect(answer: dict[str, list[str]]) -> Expect:
            if not d.visible_to(who):
                return Expect("not found")
            if who not in PARTIES:
                return Expect("forbidden")  # who may, before what was posted
            changed = escalation_forms.ReviseOutcomeForm(as_query(answer))
            if not changed.is_valid():
                return Expect("refused")
            outcome, reason = changed.cleaned_data["outcome"], changed.cleaned_data["reason"]
            if not _visible(outcome) or not _visible(reason):
                return Expect("refused")
            if d.status != Status.RESOLVED or outcome == d.in_force:
                return Expect("refused")

            def apply() -> None:
                d.in_force, d.changes = outcome, d.changes + 1

            rows = {"escalations.OutcomeRevision": 1, **({SUBMISSION: 1} if "submission" in answer else {})}
            return Expect("done", page, Counter({escalation_events.OUTCOME_REVISED.name: 1}), rows, apply=apply)

        label = "revise outcome"
        self.post(who, url, answer, expect, label=label, is_hostile=is_hostile, twice=data.draw(st.booleans()))

    # --- people who may not, and records out of reach

    def do_stranger(self, data: st.DataObject, who: str, target: Any) -> None:
        """Our front door on another partnership's contact and escalation: not found, nothing stored."""
        who = data.draw(st.sampled_from(FRONT_DOOR), label="stranger")
        theirs = self.world.theirs_contact
        url = data.draw(
            st.sampled_from(
                [
                    self.fd("claim", theirs),
                    self.fd("grade", theirs),
                    self.fd("decide", theirs),
                    self.fd("feedback", theirs),
                    self.fd("revise", theirs),
                    self.fd("answer_check", theirs, agency="police"),
                    reverse("escalations:raise", kwargs={"kind": "front-door-decision", "reference": theirs}),
                    self.esc("move", self.world.theirs_escalation, action="respond"),
                    self.esc("revise_outcome", self.world.theirs_escalation),
                ]
            ),
            label="their page",
        )
        answer = {
            "grade": ["red"],
            "outcome": ["1"],
            "level": ["3"],
            "reason": ["Because"],
            "response": ["Known"],
            "concern": ["Too low"],
            "other_party": ["MASH"],
            "shared": ["no"],
            "reason_not_shared": ["Risk"],
        }
        self.post(who, url, answer, lambda _: Expect("not found"), label="stranger", is_hostile=False)

    def do_may_not(self, data: st.DataObject, who: str, target: Any) -> None:
        """A role that may not: the referrer and the auditor at the front door, the auditor and the partnership
        admin on an escalation (which the admin may see but not move), a worker reassigning."""
        c = self.pick_contact(data)
        choices: list[tuple[str, str, dict[str, list[str]]]] = [
            ("p", self.fd("claim", c.public_id), {}),
            ("p", self.fd("grade", c.public_id), {"grade": ["red"]}),
            ("x", self.fd("decide", c.public_id), {"outcome": ["1"]}),
            ("p", reverse("frontdoor:claim_next"), {}),
            (data.draw(st.sampled_from(["a", "b"])), self.fd("reassign", c.public_id), {"to": [self.pk("a")]}),
            ("x", reverse("escalations:raise", kwargs={"kind": "front-door-decision", "reference": c.public_id}), {}),
        ]
        for d in self.disagreements[:1]:
            choices += [
                ("x", self.esc("move", d.public_id, action="respond"), {"response": ["Known"]}),
                ("pa", self.esc("move", d.public_id, action="resolve"), {"outcome": ["Agreed"]}),
                ("pa", self.esc("revise_outcome", d.public_id), {"outcome": ["Agreed now"], "reason": ["Met"]}),
            ]
            if d.owner != "b":
                choices.append(("b", self.esc("move", d.public_id, action="withdraw"), {"withdraw_reason": ["Done"]}))
        who, url, answer = data.draw(st.sampled_from(choices), label="may not")
        self.post(who, url, answer, lambda _: Expect("forbidden"), label="may not", is_hostile=False)

    def pk(self, who: str) -> str:
        return str(self.world.people[who].user.pk)

    # --- the records are the model

    @invariant()
    def the_contacts_are_the_models(self) -> None:
        users = {self.world.people[k].user.pk: k for k in FRONT_DOOR}
        triages = (
            Triage.objects.filter(partnership=OURS)
            .select_related("referral")
            .prefetch_related("agency_checks", "decision_revisions")
        )
        by_reference = {t.public_id: t for t in triages}
        for key, c in self.contacts.items():
            t = by_reference[c.public_id]
            assert (t.state, users.get(t.claimed_by_id)) == (c.state, c.claimed_by), f"{key}: {t.state}, claimant"
            assert t.grade == c.grade, f"{key}: graded {t.grade!r}, the model says {c.grade!r}"
            assert {a.agency: a.response for a in t.agency_checks.all()} == c.asked, f"{key}: the agency checks"
            assert t.match_confirmed == (True if t.match == Match.NHS else c.confirmed), f"{key}: the match"
            if c.decided is None:
                assert not t.outcome_code and t.decided_at is None, f"{key}: decided, the model says not"
                continue
            first = {k: getattr(t, k) for k in ("outcome_code", "outcome_name", "police", "frontdoor_level")}
            first |= {"rationale": t.rationale, "decided_by": t.decided_by_id}
            assert first == c.decided, f"{key}: the decision as first recorded changed: {first} != {c.decided}"
            revisions = sorted(t.decision_revisions.all(), key=lambda r: (r.recorded_at, r.pk))
            assert len(revisions) == c.changes, f"{key}: {len(revisions)} changes, the model says {c.changes}"
            latest = revisions[-1] if revisions else None
            in_force = (
                (latest.outcome_code, latest.outcome_name, latest.police, latest.frontdoor_level)
                if latest is not None
                else (t.outcome_code, t.outcome_name, t.police, t.frontdoor_level)
            )
            assert in_force == c.in_force, f"{key}: in force {in_force}, the model says {c.in_force}"
            assert (t.feedback_sent_at is not None) == bool(c.told), f"{key}: told {c.told!r}"
            if c.told:
                assert (t.referral.outcome_text or t.referral.outcome_code) == c.referral_outcome, f"{key}: referral"

    @invariant()
    def the_escalations_are_the_models(self) -> None:
        found = {e.public_id: e for e in Escalation.objects.filter(partnership=OURS).prefetch_related("stages")}
        assert set(found) == {d.public_id for d in self.disagreements}, "escalations the model does not know"
        for d in self.disagreements:
            e = found[d.public_id]
            stages = sorted(e.stages.all(), key=lambda s: s.number)
            assert (e.status, e.current_stage, len(stages)) == (d.status, d.stage, d.stage), f"{d.public_id}: stage"
            assert bool(stages[-1].response) == d.responded or d.status != Status.OPEN, f"{d.public_id}: response"
            assert e.outcome == d.outcome, f"{d.public_id}: the outcome as first recorded changed"
            assert e.outcome_in_force == d.in_force, f"{d.public_id}: the outcome in force"
            assert e.outcome_revisions.count() == d.changes, f"{d.public_id}: changes"

    @invariant()
    def count_what_was_reached(self) -> None:
        self.seen["steps"] += 1


def test_the_front_door_and_its_escalations_walked_in_any_order_store_only_what_is_allowed(world: World):
    Journey.world = world
    Journey.seen = Counter()
    run_state_machine_as_test(Journey, settings=BOUNDED)
    seen = Journey.seen
    # The walk reached what it is for (else the invariants above held of nothing).
    front_door = ("claim", "claim next", "reassign", "grade", "ask", "answer", "match", "decide", "feedback", "revise")
    for label in front_door:
        assert seen[f"{label} valid done"], f"{label}: no valid answer accepted: {seen}"
    for label in ("raise", "respond", "escalate", "resolve", "withdraw", "revise outcome"):
        assert seen[f"{label} valid done"], f"{label}: no valid answer accepted: {seen}"
    assert seen["decide valid done"] >= 5, f"too few decisions: {seen}"
    assert seen["raise valid done"] >= 3, f"too few escalations: {seen}"
    refused = {k.split(" hostile")[0] for k, n in seen.items() if k.endswith(" hostile refused") and n}
    assert len(refused) >= 8, f"hostile answers refused on too few pages: {refused}"
    assert seen["decide valid refused"], f"never decided out of order: {seen}"
    assert seen["stranger valid not found"] and seen["may not valid forbidden"], seen
    assert sum(n for k, n in seen.items() if k.endswith(" twice")) >= 10, f"too few double clicks: {seen}"
