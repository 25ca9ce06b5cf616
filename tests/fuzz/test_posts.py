"""Every casework page that takes a POST, fuzzed through Django's test client as the roles that use it.

The pages are found, not listed: every URL of the casework apps (referrals, front door, early help,
escalations, reports) whose view takes a POST (a class-based view with ``post``, a view allowed POST by
``require_http_methods``, or one that reads ``request.POST``). Who may use a page comes from the view
itself: the action of its ``action_required`` and any ``require(..., "app.verb", ...)`` it calls, against
the role table (``accounts.permissions.ROLE_ACTIONS``). The field names and the choices offered are read
from the pages' own forms (every casework page GET as the roles that may see it, each ``<form
method=post>`` matched to its action), with a question page's form class as well.

Real casework (``tests/drills/casework.py``) in two partnerships: ours and another. Each page is posted
generated data (``tests/fuzz/inputs.py``: long text, control, bidirectional and invisible characters,
odd dates, huge numbers, real choices) by each role that may use it on our records, by the same roles on
the other partnership's records, and by one role that may not. Each answer is one of:

- a redirect, or a file (an export): done, or sent elsewhere;
- 200 or 400 with the GOV.UK error summary: refused, with the reason on the page (a button with no fields
  refused by the service: 400 and the "This cannot be done" page with the reason);
- 403 or 404: not this person's to do, or not within their reach (the only answers for the other
  partnership's records and for the role that may not);
- when the post chose none of the page's buttons or forms (no browser sends that): the page shown again;

never a 500 (the test client raises the view's exception) and nothing else. A refused or invalid post
stores nothing: the rows of every Continuum model and of the job queue, and the audit events (the access
log aside: showing the page again is a read, and is logged), are counted before and after.

Bounded: derandomised, a few examples per role, no example database. The casework is made once for the
module inside a transaction rolled back at its end; each page's test runs in a savepoint of its own.
Marked ``web``: it runs again on PostgreSQL, where a NUL character reaching a query is an error.
"""

from __future__ import annotations

import contextlib
import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import connection, models, transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from continuum.apps.accounts import partnerships
from continuum.apps.accounts.actor import Role
from continuum.apps.accounts.permissions import role_allows
from continuum.apps.audit import queries as audit
from continuum.apps.earlyhelp import services as earlyhelp
from continuum.apps.frontdoor import services as frontdoor
from continuum.apps.frontdoor.models import DEFAULT_AGENCIES
from continuum.apps.partnerships.catalogue import forget
from tests.apps.referrals.factories import INDICATORS, sent_referral
from tests.drills.casework import Casework, _triage_of, acting_client, populate
from tests.fuzz.inputs import values_for
from tests.fuzz.test_forms import build, keys_of

pytestmark = [pytest.mark.web, pytest.mark.django_db]

FRAMEWORKS = Path(__file__).resolve().parents[2] / "frameworks"
OURS, THEIRS = "central-bedfordshire", "bedford-borough"
CASEWORK = ("referrals", "frontdoor", "earlyhelp", "escalations", "reports")
HAVE_POST_PAGES = ("referrals", "frontdoor", "earlyhelp", "escalations")  # reports are read-only

EXAMPLES = 3  # per allowed role on our records, besides the page's own choices
# Per role on the other partnership's records, and for the role that may not (besides the page's own choices).
REFUSED_EXAMPLES = 1
BOUNDED = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)


# --- the pages, found in the URL conf -------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str  # "namespace:name"
    params: tuple[str, ...]
    takes_post: bool
    takes_get: bool
    actions: tuple[str, ...]  # what the view requires of the actor's role
    form_class: Any = None  # a question page's form

    @property
    def app(self) -> str:
        return self.name.split(":")[0]

    @property
    def allowed(self) -> tuple[Role, ...]:
        return tuple(r for r in Role if all(role_allows(r, a) for a in self.actions))

    @property
    def refused(self) -> Role | None:
        """One role that may not use the page (the first in the role table's order)."""
        return next((r for r in Role if r not in self.allowed), None)


def _chain(view: Any) -> Iterator[Any]:
    """The view and everything its decorators closed over (``__wrapped__``, closures, lists of decorators)."""
    seen: set[int] = set()
    todo = [view]
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, list | tuple):
            todo.extend(item)
            continue
        if not callable(item) or not hasattr(item, "__code__"):
            continue
        yield item
        if hasattr(item, "__wrapped__"):
            todo.append(item.__wrapped__)
        for cell in item.__closure__ or ():
            with contextlib.suppress(ValueError):  # an empty cell
                todo.append(cell.cell_contents)


def _freevars(view: Any, name: str) -> list[Any]:
    found = []
    for function in _chain(view):
        for var, cell in zip(function.__code__.co_freevars, function.__closure__ or (), strict=True):
            if var == name:
                found.append(cell.cell_contents)
    return found


REQUIRE = re.compile(r"\brequire\(\s*[\w.()]+\s*,\s*\"([a-z_]+\.[a-z_]+)\"")


def _page(name: str, pattern: URLPattern) -> Page:
    callback: Any = pattern.callback
    params = tuple(pattern.pattern.converters)  # type: ignore[attr-defined]
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        methods = {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
        functions = [
            vars(cls)[name]
            for cls in view_class.__mro__
            for name in ("dispatch", *(m.lower() for m in methods))
            if name in vars(cls) and cls.__module__.startswith("continuum.")
        ]
        form_class = getattr(view_class, "form_class", None)
    else:
        listed = _freevars(callback, "request_method_list")
        functions, form_class = [callback], None
        innermost = inspect.unwrap(callback)
        source = inspect.getsource(innermost)
        methods = set(listed[0]) if listed else {"GET", "HEAD", *(["POST"] if "POST" in source else [])}
    actions = {a for f in functions for a in _freevars(f, "action") if isinstance(a, str)}
    for function in functions:
        actions |= set(REQUIRE.findall(inspect.getsource(inspect.unwrap(function))))
    return Page(name, params, "POST" in methods, "GET" in methods, tuple(sorted(actions)), form_class)


def casework_pages() -> list[Page]:
    found = []
    for top in get_resolver().url_patterns:
        if isinstance(top, URLResolver) and top.namespace in CASEWORK:
            for pattern in top.url_patterns:
                assert isinstance(pattern, URLPattern), f"{top.namespace}: nested URL confs are not walked"
                found.append(_page(f"{top.namespace}:{pattern.name}", pattern))
    return found


PAGES = casework_pages()
POST_PAGES = [p for p in PAGES if p.takes_post]
READ_ONLY = [p for p in PAGES if not p.takes_post]


# --- the casework, once for the module ------------------------------------------------------------


@dataclass
class World:
    ours: Casework
    theirs: Casework
    step_downs: dict[str, Any]  # partnership → a step-down handed to its early help
    asked: dict[str, Any]  # partnership → a claimed contact with an agency check asked for
    fields: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # page → field → choices offered
    routing: dict[str, set[str]] = field(default_factory=dict)  # page → fields only buttons or hidden inputs set

    def assignments(self, page: Page, side: str) -> list[dict[str, str]]:
        made = self.ours if side == OURS else self.theirs
        return assignments(page, made, self.step_downs[side], self.asked[side])


# Which record a page's ``public_id`` names, by app or by page (a front-door contact goes by its referral's).
PUBLIC_IDS: dict[str, Callable[[Casework, Any], list[str]]] = {
    "referrals": lambda m, s: [m.referral.public_id, m.open_triage.referral.public_id],
    "frontdoor": lambda m, s: [m.open_triage.referral.public_id, m.triage.referral.public_id],
    "frontdoor:answer_check": lambda m, s: [],  # the contact with an agency check (``asked``)
    "earlyhelp": lambda m, s: [m.episode.public_id],
    "earlyhelp:step_down": lambda m, s: [s.public_id],
    "escalations": lambda m, s: [m.escalation.public_id],
}


def assignments(page: Page, made: Casework, step_down: Any, asked: Any) -> list[dict[str, str]]:
    """Values for ``page``'s path parameters from ``made``'s records: every combination."""
    public_ids = PUBLIC_IDS.get(page.name, PUBLIC_IDS.get(page.app, lambda m, s: []))
    decisions = {  # a decision one may disagree with, by kind: the kind and its reference go together
        "check": made.escalation.subject_reference,
        "referral": made.referral.public_id,
        "front-door-decision": made.triage.referral.public_id,
        "step-down": step_down.public_id,
        "early-help-closure": made.episode.public_id,
    }
    values: dict[str, list[str]] = {
        "check_id": [made.check.public_id, made.episode.check_ref.public_id],
        "public_id": public_ids(made, step_down) + ([asked.referral.public_id] if page.app == "frontdoor" else []),
        "agency": [code for code, _ in DEFAULT_AGENCIES],
        "action": ["respond", "escalate", "resolve", "withdraw"],
        "number": [str(n) for n in made.episode.reviews.values_list("number", flat=True)] or ["1"],
        "what": ["assessment"],
    }
    params = [p for p in page.params if p not in ("kind", "reference")]
    missing = set(params) - set(values)
    assert not missing, f"{page.name} takes {missing}: say which casework values fill them"
    combinations: list[dict[str, str]] = [{}]
    for param in params:
        combinations = [{**c, param: v} for c in combinations for v in values[param]]
    if "kind" in page.params:
        combinations = [{**c, "kind": k, "reference": r} for c in combinations for k, r in decisions.items()]
    return combinations


def _asked(made: Casework, partnership: str) -> Any:
    """A third contact, claimed, with the police asked; and a fourth decided as early help (if the document has it)."""
    practitioner, worker = made.people[Role.PRACTITIONER], made.people[Role.FRONT_DOOR_WORKER]
    asked = frontdoor.claim(worker, _triage_of(sent_referral(practitioner, partnership, level=4)))
    frontdoor.request_check(worker, asked, "police", "Anything known about the family?")
    outcomes = frontdoor.outcome_choices(frontdoor.framework_of(partnership))
    early_help = next((o for o in outcomes if o.code == "early-help"), None)
    if early_help is not None:
        decided = frontdoor.claim(worker, _triage_of(sent_referral(practitioner, partnership, level=4)))
        rationale = frontdoor.Rationale(
            indicators={i: "confirmed" for i in decided.referral.indicator_ids},
            added=[],
            information="School spoken to.",
            consent_basis="obtained",
            consent_detail="Mother, by phone",
            level=decided.referral.referrer_level,
            level_reason="",
        )
        frontdoor.decide(worker, decided, outcome=early_help.key, police=False, rationale=rationale)
    return asked


def _review(made: Casework) -> None:
    """The first review of the early help episode scheduled (a plan's clock would start it)."""
    if not made.episode.reviews.exists():  # where the document gives no interval, the partnership's own
        earlyhelp.change_settings(made.people[Role.PARTNERSHIP_ADMIN], first_review="6 weeks")
        earlyhelp.schedule_review(made.episode, 1, timezone.now())
    assert made.episode.reviews.exists()


def _step_down(made: Casework) -> Any:
    return earlyhelp.request_step_down(
        made.people[Role.FRONT_DOOR_WORKER],
        origin="front-door",
        source_reference=made.triage.referral.public_id,
        family=[{"kind": "child", "first_name": "Mo", "last_name": "Drill"}],
        reason="Early help decided",
    )


class FormFields(HTMLParser):
    """Each ``<form method=post>``'s action and its fields, with the values offered (options, radios, hidden)."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self.routing: set[str] = set()  # names set only by a button or a hidden input (which form, which answer)
        self.typed: set[str] = set()  # names a person types or chooses
        self._form: dict[str, list[str]] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = {}
                self.forms.append((a.get("action") or self.page_url, self._form))
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag in ("input", "textarea", "select", "button") and name:
            offered = self._form.setdefault(name, [])
            fixed = tag == "button" or a.get("type") in ("hidden", "submit")
            (self.routing if fixed else self.typed).add(name)
            if tag == "select":
                self._select = name
            elif (fixed or a.get("type") in ("radio", "checkbox")) and a.get("value", "") not in offered:
                offered.append(a.get("value", ""))
        elif tag == "option" and self._select is not None:
            self._form[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


UNROUTED = {"csrfmiddlewaretoken", "submission"}  # carried by every form: they choose nothing


def _name_of(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


def url_of(page: Page, chosen: dict[str, str]) -> str:
    return reverse(page.name, kwargs={p: chosen[p] for p in page.params})


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """Casework in our partnership and another, made inside a transaction rolled back after the module."""
    with (
        django_db_blocker.unblock(),
        override_settings(CONTINUUM_FRAMEWORKS_DIR=str(FRAMEWORKS)),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setitem(INDICATORS, (THEIRS, 2), "a1-1-l2")  # the other partnership's early help check
        partnerships.forget()
        forget()
        with transaction.atomic():
            ours, theirs = populate(OURS), populate(THEIRS)
            world = World(
                ours,
                theirs,
                step_downs={OURS: _step_down(ours), THEIRS: _step_down(theirs)},
                asked={OURS: _asked(ours, OURS), THEIRS: _asked(theirs, THEIRS)},
            )
            _review(ours)
            _review(theirs)
            world.fields, world.routing = _fields_of_the_pages(world)
            yield world
            transaction.set_rollback(True)
        partnerships.forget()
        forget()


def _fields_of_the_pages(world: World) -> tuple[dict[str, dict[str, list[str]]], dict[str, set[str]]]:
    """Every POST page's fields (from the forms on every casework page our roles can GET, and form classes),
    and which of them only a button or a hidden input sets."""
    fields: dict[str, dict[str, list[str]]] = {p.name: {} for p in POST_PAGES}
    routing: dict[str, set[str]] = {p.name: set() for p in POST_PAGES}
    for page in POST_PAGES:
        if page.form_class is not None:
            with contextlib.suppress(AssertionError):  # a form needing arguments the form fuzzing lacks: the pages say
                fields[page.name].update(keys_of(build(page.form_class)))
    for page in PAGES:
        if not page.takes_get or page.name.endswith(("export", "pdf")):
            continue
        chosen = world.assignments(page, OURS)[0]
        for role in page.allowed:
            client = acting_client(Client(), world.ours.people[role])
            url = url_of(page, chosen)
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = FormFields(url)
            parser.feed(response.content.decode())
            for action, form in parser.forms:
                name = _name_of(action)
                if name in fields:
                    for key, offered in form.items():
                        known = fields[name].setdefault(key, [])
                        known.extend(v for v in offered if v not in known)
                    routing[name] |= (set(form) & parser.routing) - parser.typed - UNROUTED
    return fields, routing


# --- counting what is stored ----------------------------------------------------------------------


AUDIT = "audit.AuditEvent"


def _counted() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith(("continuum.apps.", "django_tasks_db.")) and model._meta.label != AUDIT
    ]


def stored() -> dict[str, int]:
    """Rows of every Continuum model and of the job queue, and the audit events other than the access log."""
    counted = _counted()
    quote = connection.ops.quote_name
    columns = [f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in counted]
    audit_table = quote(audit.events().model._meta.db_table)
    columns.append(f"(SELECT COUNT(*) FROM {audit_table} WHERE NOT {quote('access')})")
    with connection.cursor() as cursor:  # one query, not one per table: it runs twice for every post
        cursor.execute("SELECT " + ", ".join(columns))
        row = cursor.fetchone()
    return dict(zip([m._meta.label for m in counted] + ["audit events"], row, strict=True))


# --- the answers -------------------------------------------------------------------------------------

SUMMARY = 'class="govuk-error-summary"'


def answer_kind(response: Any, context: str) -> str:
    """Which allowed kind of answer a journey's page gave (asserting it is one): ``redirect``, ``forbidden``
    (403/404), ``refused`` (400 with the GOV.UK error summary) or ``shown`` (200). Used by the walks."""
    status = response.status_code
    if status == 302:
        return "redirect"
    if status in (403, 404):
        return "forbidden"
    assert status in (200, 400), f"{context}: {status}, not 200, 302, 400, 403 or 404"
    if status == 400:
        assert SUMMARY in response.content.decode(), f"{context}: 400 without the GOV.UK error summary"
        return "refused"
    return "shown"


# A form with no fields (a button) refused by the service: the page saying so, with the reason and a way back.
REFUSED_PAGE = '<h1 class="govuk-heading-l">This cannot be done</h1>'
# A form's token sent again with other answers than the first time: nothing kept, and the page says so.
ALREADY_SENT = '<h1 class="govuk-heading-l">This form was already sent</h1>'


def _is_file(response: HttpResponse) -> bool:
    return "attachment" in response.get("Content-Disposition", "")


def judge(response: Any, may: bool, before: dict[str, int], context: str, off_the_page: bool = False) -> str:
    """Assert the answer is one of the allowed kinds; return which.

    ``off_the_page``: the post chose none of the page's buttons or forms (no browser sends that); the page
    shown again as it was, storing nothing, is then an answer too.
    """
    status = response.status_code
    where = f"{context}: {status}"
    if not may:
        assert status in (403, 404), f"{where}, refused posts must be 403 or 404"
        assert stored() == before, f"{where}: a refused post stored something"
        return "refused"
    if status in (301, 302, 303) or (status == 200 and _is_file(response)):
        return "done"
    if status in (403, 404):
        assert stored() == before, f"{where}: a refused post stored something"
        return "refused"
    if status == 409:  # the form's token sent again with other answers (ADR 0018): said, and nothing kept
        assert ALREADY_SENT in response.content.decode(), f"{where} without the 'already sent' page"
        assert stored() == before, f"{where}: a form sent again stored something"
        return "already sent"
    assert status in (200, 400), f"{where}, not a redirect, an error summary, 403, 404 or 409"
    body = response.content.decode()
    if status == 200 and off_the_page and SUMMARY not in body:
        assert stored() == before, f"{where}: a post choosing no form stored something"
        return "shown again"
    assert SUMMARY in body or (status == 400 and REFUSED_PAGE in body), f"{where} without the GOV.UK error summary"
    assert stored() == before, f"{where}: an invalid post stored something"
    return "invalid"


# What a browser's post always carries (the test client does not check it, the middleware does): never an empty body.
BROWSER = {"csrfmiddlewaretoken": "x" * 32}


def _short(values: Any) -> str:
    shown = repr(values)
    return shown if len(shown) <= 300 else shown[:297] + "..."


def fuzz(
    client: Client,
    page: Page,
    where: list[dict[str, str]],
    keys: dict[str, list[str]],
    *,
    may: bool,
    examples: int,
    who: str,
    routing: set[str],
) -> set[str]:
    """Post generated data to ``page`` at each of ``where`` (hypothesis chooses); the kinds of answer seen."""
    seen: set[str] = set()

    @settings(BOUNDED, max_examples=examples)
    @example(where[0], {key: offered[:1] for key, offered in keys.items() if offered})  # as the page offers it
    @given(
        st.sampled_from(where),
        st.fixed_dictionaries({}, optional={key: values_for(choices) for key, choices in keys.items()}),
    )
    def post(chosen: dict[str, str], values: dict[str, list[str]]) -> None:
        url = url_of(page, chosen)
        before = stored()
        response = client.post(url, {**values, **BROWSER})  # a browser's own token, whatever else is sent
        off_the_page = any(values.get(k) not in [[v] for v in keys[k]] for k in routing)
        seen.add(judge(response, may, before, f"{who} POST {url} {_short(values)}", off_the_page))

    post()
    return seen


@pytest.mark.parametrize("page", POST_PAGES, ids=lambda p: p.name)
def test_a_casework_post_is_done_refused_on_the_page_or_forbidden_never_an_error(world: World, page: Page):
    keys, routing = world.fields[page.name], world.routing[page.name]
    ours, theirs = world.assignments(page, OURS), world.assignments(page, THEIRS)
    outcomes: dict[Role, set[str]] = {}
    for role in page.allowed:
        client = acting_client(Client(), world.ours.people[role])
        outcomes[role] = fuzz(
            client, page, ours, keys, may=True, examples=EXAMPLES, who=f"{role} on ours", routing=routing
        )
        if page.params:  # the same person on the other partnership's records
            fuzz(
                client,
                page,
                theirs,
                keys,
                may=False,
                examples=REFUSED_EXAMPLES,
                who=f"{role} on {THEIRS}'s",
                routing=routing,
            )
    if page.refused is not None:
        client = acting_client(Client(), world.ours.people[page.refused])
        fuzz(
            client,
            page,
            ours,
            keys,
            may=False,
            examples=REFUSED_EXAMPLES,
            who=f"{page.refused} (may not)",
            routing=routing,
        )
    assert page.allowed, f"{page.name}: no role may post to it"
    reached = {role for role, seen in outcomes.items() if seen - {"refused"}}
    assert reached, f"{page.name}: no allowed role got past the permissions ({outcomes})"


def test_the_post_pages_are_found_in_every_casework_app():
    found = {p.app for p in POST_PAGES}
    assert set(HAVE_POST_PAGES) <= found, f"no POST pages found in {set(HAVE_POST_PAGES) - found}"
    assert len(POST_PAGES) >= 25
    for page in POST_PAGES:
        assert page.actions, f"{page.name}: no permission found on the view"


@pytest.mark.parametrize("page", READ_ONLY, ids=lambda p: p.name)
def test_a_read_only_casework_page_refuses_a_post_and_stores_nothing(world: World, page: Page):
    url = url_of(page, world.assignments(page, OURS)[0])
    for role in (*page.allowed, page.refused):
        if role is None:
            continue
        client = acting_client(Client(), world.ours.people[role])
        before = stored()
        response = client.post(url, {"format": "csv", "submission": "x"})
        assert response.status_code in (200, 302, 403, 404, 405), f"{role} POST {url}: {response.status_code}"
        assert stored() == before, f"{role} POST {url} stored something"
