"""Decision records in headless Chromium (ADR 0018): the pages that show a first decision with its changes
beside it, and the forms that record a change, pass axe, and a check's link alone offers no form."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import pytest
from django.conf import settings

from continuum.apps.accounts.actor import Role
from continuum.apps.checks import services as check_services
from continuum.apps.checks.models import Check, JudgementRevision
from continuum.apps.earlyhelp import services as earlyhelp_services
from continuum.apps.earlyhelp.models import ClosureRevision
from continuum.apps.frontdoor import services as frontdoor_services
from continuum.apps.frontdoor.models import DecisionRevision
from tests.people import member

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def as_the_maker_of(page: Any, live_server: Any, check: Check) -> None:
    """Give the browser the (anonymous) session that made ``check``: its judgement is theirs to record."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["checks.made"] = [check.public_id]
    store.save()
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": store.session_key, "url": live_server.url}]
    )


def click(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).first.click()
    page.wait_for_load_state()


def test_a_checks_link_alone_offers_no_judgement_and_its_maker_records_one(page, live_server, tiny_check):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/checks/{tiny_check.public_id}/")
    assert page.locator("input[name=level]").count() == 0
    assert "Only the person who made this check can record its judgement" in page.content()
    assert_accessible(page)
    as_the_maker_of(page, live_server, tiny_check)
    page.goto(f"{live_server.url}/checks/{tiny_check.public_id}/")
    page.locator("form:has(input[name=level]) input[name=level]").first.check()
    click(page, "Record your judgement")
    assert "Your judgement has been recorded" in page.content()
    assert page.locator("input[name=level]").count() == 0, "recorded once: no second form without signing in"
    assert_accessible(page)


def test_a_signed_in_practitioner_records_a_change_of_mind_beside_the_first(page, live_server, transactional_db):
    owner = member(Role.PRACTITIONER, "tiny", first_name="Pat", last_name="Teacher")
    from continuum.apps.partnerships.catalogue import catalogue

    loaded = catalogue().get("tiny")
    check = check_services.create_check(loaded, {"indicators": ["edu-l2-1"]}, actor=owner)
    check_services.record_judgement(check, agrees=True, actor=owner)
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/checks/{check.public_id}/")
    page.get_by_text("Record a change of mind").click()
    page.locator("form:has(input[name=level]) input[name=level]").last.check()
    page.locator("#reason").fill("\u200b\u200b")
    click(page, "Record the change of mind")
    assert "Enter why you have changed your judgement" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.locator("#reason").fill("The school nurse has seen new bruising")
    click(page, "Record the change of mind")
    assert "Your change of judgement has been recorded beside the first" in page.content()
    section = page.locator(".app-revisions")
    assert "The school nurse has seen new bruising" in section.inner_text() and "Pat Teacher" in section.inner_text()
    assert JudgementRevision.objects.count() == 1
    assert_accessible(page)


def test_the_front_doors_change_page_and_the_contact_with_its_change_pass_axe(
    page, live_server, transactional_db, settings
):
    from continuum.apps.accounts import partnerships
    from continuum.apps.partnerships.catalogue import forget
    from tests.apps.frontdoor.conftest import CB
    from tests.apps.frontdoor.factories import triage
    from tests.apps.frontdoor.test_services import complete_rationale
    from tests.conftest import FRAMEWORKS_DIR

    settings.CONTINUUM_FRAMEWORKS_DIR = str(FRAMEWORKS_DIR)
    forget()
    partnerships.forget()
    worker = member(Role.FRONT_DOOR_WORKER, CB, first_name="Wren", last_name="Walker")
    t = frontdoor_services.claim(worker, triage(indicator_ids=["dev-l2-01"]))
    frontdoor_services.decide(worker, t, outcome="0", police=False, rationale=complete_rationale(t))
    sign_in(page, live_server, worker)
    page.goto(f"{live_server.url}/front-door/{t.public_id}/decision-change")
    assert_accessible(page)
    click(page, "Record the change")
    assert "Enter why the decision has changed" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.locator("input[name=outcome]").nth(1).check()
    page.locator("#reason").fill("The police called back with more")
    click(page, "Record the change")
    assert "Changes to the decision" in page.content() and "The police called back with more" in page.content()
    assert DecisionRevision.objects.count() == 1
    assert_accessible(page)
    forget()
    partnerships.forget()


def test_the_early_help_closure_page_with_its_change_and_disagreement_passes_axe(
    page, live_server, transactional_db, tmp_path, settings
):
    from continuum.apps.accounts import partnerships
    from continuum.apps.partnerships.catalogue import forget
    from tests.apps.earlyhelp.conftest import OWN, _write
    from tests.apps.earlyhelp.factories import EpisodeFactory

    directory = tmp_path / "frameworks"
    directory.mkdir()
    _write(directory, OWN, reviews=True)
    settings.CONTINUUM_FRAMEWORKS_DIR = str(directory)
    forget()
    partnerships.forget()
    lead = member(Role.EARLY_HELP, OWN, first_name="Lee", last_name="Lead")
    episode = EpisodeFactory(actor=lead)
    earlyhelp_services.close(lead, episode, code="needs-met")
    sign_in(page, live_server, lead)
    page.goto(f"{live_server.url}/early-help/{episode.public_id}/close/")
    assert page.get_by_role("link", name="raise a disagreement").count() == 1
    assert_accessible(page)
    page.get_by_text("Record a change to the closure").click()
    page.locator("input[name=code][value=moved-away]").check()
    page.locator("#reason").fill("They moved to Leeds in March")
    click(page, "Record the change")
    assert "Changes to the closure" in page.content() and "They moved to Leeds in March" in page.content()
    assert ClosureRevision.objects.count() == 1
    assert_accessible(page)
    forget()
    partnerships.forget()


def test_the_referrers_pages_show_a_changed_decision_and_pass_axe(page, live_server, transactional_db, settings):
    """After a shared decision is changed, the referrer's list and referral page show the outcome in
    force marked "Changed", never the front door's reason for the change, on a phone and a desktop."""
    from continuum.apps.referrals.models import Referral
    from tests.apps.frontdoor.conftest import CB
    from tests.apps.frontdoor.factories import ReferralFactory
    from tests.apps.frontdoor.test_services import complete_rationale
    from tests.conftest import FRAMEWORKS_DIR
    from tests.django_support import frameworks_offered

    why = "The health visitor has since shared new concerns about the home"
    with frameworks_offered(settings, FRAMEWORKS_DIR):
        worker = member(Role.FRONT_DOOR_WORKER, CB, first_name="Wren", last_name="Walker")
        manager = member(Role.FRONT_DOOR_MANAGER, CB, first_name="Mo", last_name="Manager")
        referrer = member(Role.PRACTITIONER, CB, first_name="Rae", last_name="Referrer")
        referral = ReferralFactory(referrer=referrer.user, indicator_ids=["dev-l2-01"])
        t = frontdoor_services.claim(worker, frontdoor_services.open_triage(referral))
        t = frontdoor_services.decide(worker, t, outcome="0", police=False, rationale=complete_rationale(t))
        t = frontdoor_services.send_feedback(worker, t, shared=True, text="Information and advice were given.")
        frontdoor_services.revise_decision(manager, t, outcome="2", police=False, level=2, reason=why)
        referral = Referral.objects.get(pk=referral.pk)
        sign_in(page, live_server, referrer)
        for width, height in ((375, 812), (1280, 900)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{live_server.url}/referrals/")
            listed = page.locator("main").inner_text()
            assert "Changed" in listed and "Early Help or Early Help Plus" in listed
            # the page itself never scrolls sideways (a wide table scrolls within its own region)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            assert_accessible(page)
            page.goto(f"{live_server.url}/referrals/{referral.public_id}/")
            text = page.locator("main").inner_text()
            assert "Changed" in text and "Early Help or Early Help Plus" in text
            assert why not in page.content()
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            assert_accessible(page)
