"""Every page with a table, at phone width (375 × 812) and full of long, realistic records (names, agencies,
references and usernames that do not break): the page itself never scrolls sideways, because each table sits
in its own focusable, named region that scrolls (as the referrer's list does), and it passes axe.
``SCREENSHOT_DIR`` keeps each page at 375px and 1280px wide, to be looked at."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from continuum.apps.accounts import demo
from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.checks import services as check_services
from continuum.apps.earlyhelp import services as earlyhelp_services
from continuum.apps.earlyhelp.models import Episode
from continuum.apps.frontdoor import services as frontdoor_services
from continuum.apps.frontdoor.models import Triage
from continuum.apps.partnerships.catalogue import catalogue
from tests.apps.earlyhelp.conftest import OWN, _write
from tests.apps.earlyhelp.factories import EpisodeFactory
from tests.apps.escalations.factories import EscalationFactory
from tests.apps.frontdoor.factories import ReferralFactory
from tests.conftest import FRAMEWORKS_DIR
from tests.django_support import frameworks_offered
from tests.people import member

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
CB = "central-bedfordshire"  # the front door, escalation stages, reports
APRIL = "?start=2026-04-01&end=2026-04-30"

# Long, real-looking words: names, agencies and references that do not break where a phone would like.
SURNAME = "Featherstonehaugh-Wolstenholme"
AGENCY = "Bedfordshire Hospitals NHS Foundation Trust (Safeguarding Children and Young People Team)"

Page = tuple[Actor | None, str]  # whom the browser signs in as (nobody: None), and the page's path
PAGES: dict[str, Callable[[Any], Page]] = {}


def table_page(name: str) -> Callable[[Callable[[Any], Page]], Callable[[Any], Page]]:
    """Register a page: a function of pytest-django's ``settings`` that stores its records and says who reads it."""

    def register(make: Callable[[Any], Page]) -> Callable[[Any], Page]:
        PAGES[name] = make
        return make

    return register


def person(role: Role, partnership: str, first: str, last: str = SURNAME) -> Actor:
    """Someone signed in with a long work e-mail address as their username (the audit shows it)."""
    username = f"{first.lower()}.{last.lower()}@bedfordshire-safeguarding-partnership.example.org"
    return member(role, partnership, first_name=first, last_name=last, username=username)


# --- the check's result and its printable report: the level's timescales ---------------------------------


def _check() -> Any:
    loaded = catalogue().get(CB)
    assert loaded is not None
    return check_services.create_check(loaded, {"indicators": ["fe-l2-06"]}, actor=Actor.anonymous())


@table_page("check-result")
def _check_result(settings: Any) -> Page:
    return None, f"/checks/{_check().public_id}/"


@table_page("check-report")
def _check_report(settings: Any) -> Page:
    return None, f"/checks/{_check().public_id}/report"


# --- the front door and the audit --------------------------------------------------------------------------


def _contacts() -> Actor:
    """Three contacts at Central Bedfordshire's front door, one claimed by a worker; returns the worker."""
    worker = person(Role.FRONT_DOOR_WORKER, CB, "Wilhelmina")
    now = timezone.now()
    for number, age in enumerate((timedelta(days=3), timedelta(hours=20), timedelta(minutes=10))):
        referral = ReferralFactory(
            child_first_name=f"Oluwaseun{number}",
            child_last_name=SURNAME,
            referrer_agency=AGENCY,
            referrer_level=4,
            referrer_level_name="Level 4: Children in need of protection (statutory intervention)",
            received_at=now - age,
        )
        triage = frontdoor_services.open_triage(referral)
        if number == 0:
            frontdoor_services.claim(worker, triage)
    return worker


@table_page("frontdoor-queue")
def _queue(settings: Any) -> Page:
    return _contacts(), "/front-door/"


@table_page("audit-events")
def _audit(settings: Any) -> Page:
    _contacts()
    return person(Role.AUDITOR, CB, "Bartholomew"), "/audit/"


# --- escalations -------------------------------------------------------------------------------------------


def _escalations() -> Actor:
    worker = person(Role.FRONT_DOOR_WORKER, CB, "Maximilian")
    for number in range(3):
        EscalationFactory(
            actor=worker,
            concern=f"The recorded level {number} understates the neglect the school nurse has described",
            other_party=AGENCY,
        )
    return worker


@table_page("escalations-mine")
def _escalations_mine(settings: Any) -> Page:
    return _escalations(), "/escalations/"


@table_page("escalations-register")
def _escalations_register(settings: Any) -> Page:
    _escalations()
    return person(Role.FRONT_DOOR_MANAGER, CB, "Genevieve"), "/escalations/register/"


# --- reports -----------------------------------------------------------------------------------------------


def _month_of_figures() -> Actor:
    """A month of contacts, decisions and checks (as the reports' own browser test has); returns an admin."""
    from tests.apps.reports.conftest import a_month_of_figures

    a_month_of_figures()
    return person(Role.PARTNERSHIP_ADMIN, CB, "Anastasia")


@table_page("reports-dashboard")
def _dashboard(settings: Any) -> Page:
    return _month_of_figures(), f"/reports/{APRIL}"


@table_page("reports-calibration")
def _calibration(settings: Any) -> Page:
    return _month_of_figures(), f"/reports/calibration/{APRIL}"


# --- early help (the "north" partnership: the tiny framework with an early help section) -------------------


def _lead() -> Actor:
    return person(Role.EARLY_HELP, OWN, "Evangeline")


def _family(lead: Actor, *, submitted: bool = True) -> Episode:
    """An episode (by ``lead``) whose family has long names, an adult with a long relationship, and a plan
    whose actions are owned by members of other agencies."""
    episode = EpisodeFactory(actor=lead, child_first_name="Oluwaseun-Adebayo", submitted=submitted)
    earlyhelp_services.add_family_member(
        lead,
        episode,
        kind="adult",
        first_name="Christabel-Marguerite",
        last_name=SURNAME,
        relationship="maternal grandmother (kinship carer under a special guardianship order)",
    )
    earlyhelp_services.add_family_member(
        lead, episode, kind="child", first_name="Maximilian", last_name=SURNAME, date_of_birth=date(2012, 9, 30)
    )
    if not submitted:
        return episode
    episode = Episode.objects.get(pk=episode.pk)
    owner = earlyhelp_services.add_team_member(
        lead, episode, expected_version=episode.version, name="Dr Bartholomew Okonkwo-Vanderbilt", agency=AGENCY
    )
    for number, what in enumerate(
        (
            "Arrange a paediatric assessment of the bruising at the community paediatrics clinic",
            "Support the mother to establish consistent morning routines so the children arrive at school on time",
        )
    ):
        episode = Episode.objects.get(pk=episode.pk)
        earlyhelp_services.add_action(
            lead,
            episode,
            expected_version=episode.version,
            description=what,
            owner=owner,
            due_date=timezone.localdate() + timedelta(days=14 + number),
        )
    return episode


@table_page("earlyhelp-record")
def _record(settings: Any) -> Page:
    lead = _lead()
    return lead, f"/early-help/{_family(lead).public_id}/"


@table_page("earlyhelp-plan")
def _plan(settings: Any) -> Page:
    lead = _lead()
    return lead, f"/early-help/{_family(lead).public_id}/plan/"


@table_page("earlyhelp-print-plan")
def _print_plan(settings: Any) -> Page:
    lead = _lead()
    return lead, f"/early-help/{_family(lead).public_id}/print/plan/"


@table_page("earlyhelp-print-consent")
def _print_consent(settings: Any) -> Page:
    lead = _lead()
    return lead, f"/early-help/{_family(lead).public_id}/print/consent/"


@table_page("earlyhelp-family")
def _family_page(settings: Any) -> Page:
    lead = _lead()
    return lead, f"/early-help/{_family(lead, submitted=False).public_id}/assessment/family/"


@table_page("earlyhelp-check-answers")
def _check_answers(settings: Any) -> Page:
    lead = _lead()
    return lead, f"/early-help/{_family(lead, submitted=False).public_id}/assessment/check-answers/"


@table_page("earlyhelp-caseload")
def _caseload(settings: Any) -> Page:
    lead = _lead()
    _family(lead)
    _family(lead, submitted=False)
    return lead, "/early-help/"


@table_page("earlyhelp-reviews-due")
def _reviews_due(settings: Any) -> Page:
    lead = _lead()
    _family(lead)
    _family(lead)
    return lead, "/early-help/reviews-due/"


@table_page("earlyhelp-step-downs")
def _step_downs(settings: Any) -> Page:
    worker = person(Role.FRONT_DOOR_WORKER, OWN, "Wilhelmina")
    for origin, reference in (
        ("front-door", "MASH-2026-000123456-REFERRAL"),
        ("social-care", "LCS-CIN-PLAN-9876543210"),
    ):
        earlyhelp_services.request_step_down(
            worker,
            origin=origin,
            source_reference=reference,
            family=[{"kind": "child", "first_name": "Oluwaseun-Adebayo", "last_name": SURNAME}],
            reason="The child in need plan has ended and the family agree to early help",
        )
    return _lead(), "/early-help/step-downs/"


@table_page("earlyhelp-front-door")
def _front_door(settings: Any) -> Page:
    decider = person(Role.FRONT_DOOR_WORKER, OWN, "Wilhelmina")
    now = timezone.now()
    for number in range(2):
        referral = ReferralFactory(
            partnership=OWN,
            child_first_name=f"Oluwaseun-Adebayo{number}",
            child_last_name=SURNAME,
            referrer_agency=AGENCY,
            indicator_ids=["edu-l2-1"],
            decision_due=None,
        )
        Triage.objects.create(
            referral=referral,
            partnership=OWN,
            state="decided",
            opened_at=now,
            clock_started_at=now,
            claimed_by=decider.user,
            claimed_at=now,
            outcome_code="early-help",
            outcome_name="Early help",
            decided_by=decider.user,
            decided_at=now,
        )
    return _lead(), "/early-help/front-door/"


# --- signing in, on a local installation: the demo accounts ------------------------------------------------


@table_page("sign-in")
def _sign_in(settings: Any) -> Page:
    settings.CONTINUUM_LOCAL = True
    demo.ensure_demo_accounts(password="demo password for the browser")
    return None, "/accounts/sign-in"


# --- the test ----------------------------------------------------------------------------------------------


@pytest.fixture
def offered(tmp_path: Path, settings: Any) -> Iterator[None]:
    """The service offers Central Bedfordshire's real document and ``north`` (with an early help section)."""
    directory = tmp_path / "frameworks"
    directory.mkdir()
    (directory / CB).symlink_to(FRAMEWORKS_DIR / CB, target_is_directory=True)
    _write(directory, OWN, reviews=True)
    with frameworks_offered(settings, directory):
        yield


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A phone-sized page (JavaScript on; the Content-Security-Policy bypassed only so that axe can be injected)."""
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_each_table_scrolls_in_its_own_region_and_the_page_never_sideways(
    name, phone, live_server, transactional_db, settings, offered
):
    reader, path = PAGES[name](settings)
    if reader is None:
        phone.context.clear_cookies()
    else:
        sign_in(phone, live_server, reader)
    response = phone.goto(live_server.url + path)
    assert response is not None and response.status == 200, f"{path}: {response and response.status}"
    tables = phone.locator("main table")
    assert tables.count() >= 1, f"{name}: no table on {path}"
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        f"{name}: the page scrolls sideways at {PHONE['width']}px"
    )
    assert_accessible(phone)
    for index in range(tables.count()):
        region = tables.nth(index).locator("xpath=..")
        assert region.get_attribute("class") == "app-table-scroll", f"{name}: table {index} is not in a region"
        assert region.get_attribute("role") == "region" and region.get_attribute("tabindex") == "0"
        assert region.get_attribute("aria-label"), f"{name}: table {index}'s region has no name"
    directory = os.environ.get("SCREENSHOT_DIR")
    if directory:
        for size in (PHONE, DESKTOP):
            phone.set_viewport_size(size)
            phone.screenshot(path=str(Path(directory) / f"{name}-{size['width']}.png"), full_page=True)


def test_the_early_help_front_doors_next_step_is_on_a_phones_screen_without_scrolling(
    phone, live_server, transactional_db, settings, offered
):
    """At 375px each front-door decision is a card: every cell on its own line under its column's heading, the
    button to start the assessment (the next step) within the screen, nothing scrolled; the headings remain
    the table's column headers for a screen reader. At 1280px it is an ordinary table, its headings shown."""
    reader, path = _front_door(settings)
    sign_in(phone, live_server, reader)
    response = phone.goto(live_server.url + path)
    assert response is not None and response.status == 200
    rows = phone.locator("main table tbody tr")
    assert rows.count() == 2
    for index in range(rows.count()):
        box = rows.nth(index).get_by_role("button", name="Start the assessment").bounding_box()
        assert box is not None, f"row {index}: the next step is not shown"
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
            f"row {index}: the next step is off the screen at {PHONE['width']}px: {box}"
        )
    assert phone.evaluate("document.querySelector('main .app-table-scroll').scrollLeft") == 0
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # each cell is labelled on screen by its column's heading (not announced twice: the header says it)
    labels = phone.evaluate(
        """[...document.querySelectorAll('main tbody tr:first-child td')].map(
            (cell) => getComputedStyle(cell, '::before').content)"""
    )
    assert len(labels) == 4 and labels[3] == "none", labels  # the button needs no label
    for heading, label in zip(("Referral", "Child", "Decided"), labels, strict=False):
        assert heading in label, labels
    # to a screen reader it is still a table with column headers
    snapshot = phone.locator("main table").aria_snapshot()
    assert "columnheader" in snapshot and "- row" in snapshot and "- cell" in snapshot, snapshot
    assert '- cell "Referral' not in snapshot and '- cell "Child' not in snapshot, snapshot  # said once, not twice
    assert_accessible(phone)

    phone.set_viewport_size(DESKTOP)
    assert phone.locator("main table thead").is_visible()
    assert phone.evaluate("getComputedStyle(document.querySelector('main tbody tr')).display") == "table-row"
    first = rows.nth(0)
    child = first.locator("td").nth(1).bounding_box()
    button = first.get_by_role("button", name="Start the assessment").bounding_box()
    assert child is not None and button is not None and button["x"] > child["x"], "the next step is not a column"
    assert_accessible(phone)
