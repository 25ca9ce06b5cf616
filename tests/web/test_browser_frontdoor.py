"""The front door in headless Chromium with JavaScript off: claim → triage → decide → tell the referrer, each
page passing axe-core (WCAG 2.2 AA), error states included. ``SCREENSHOT_DIR`` keeps the queue and triage
pages at 390px and 1280px wide for looking at."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from continuum.apps.accounts.actor import Role
from continuum.apps.frontdoor.models import State, Triage
from tests.apps.frontdoor.conftest import person
from tests.apps.frontdoor.factories import ReferralFactory

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def look(page: Any, name: str, axe: bool) -> None:
    """Check the page with axe and keep screenshots at phone and desktop widths when asked (JavaScript on:
    axe runs in the page; the JavaScript-off run checks that the journey works without it)."""
    if not axe:
        return
    assert_accessible(page)
    directory = os.environ.get("SCREENSHOT_DIR")
    if directory:
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(Path(directory) / f"frontdoor-{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


def click(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).first.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("javascript", [False, True], ids=["javascript-off", "javascript-on-with-axe"])
def test_claim_triage_decide_and_tell_the_referrer(
    javascript, page, nojs_page, live_server, transactional_db, real_frameworks
):
    page = page if javascript else nojs_page
    worker = person(Role.FRONT_DOOR_WORKER, first_name="Wren", last_name="Walker")
    now = timezone.now()
    ReferralFactory(child_first_name="Olu", received_at=now - timedelta(days=3), referrer_level=4)
    ReferralFactory(child_first_name="Ada", received_at=now - timedelta(hours=20), indicator_ids=["dev-l2-01"])
    ReferralFactory(child_first_name="Bea", received_at=now - timedelta(minutes=10), nhs_number="9434765919")
    sign_in(page, live_server, worker)

    page.goto(f"{live_server.url}/front-door/")
    assert page.locator("h1").inner_text() == "Front door queue"
    rows = page.locator("tbody tr")
    assert rows.count() == 3 and "Olu Example" in rows.nth(0).inner_text() and "Overdue" in rows.nth(0).inner_text()
    look(page, "queue", javascript)
    page.locator("#rag").select_option("red")
    click(page, "Apply filters")
    assert page.locator("tbody tr").count() == 1 and "rag=red" in page.url

    page.goto(f"{live_server.url}/front-door/")
    page.get_by_role("link", name="Ada Example").click()
    look(page, "triage", javascript)
    click(page, "Claim this contact")
    assert "You have claimed this contact" in page.locator(".govuk-notification-banner").inner_text()
    page.locator("#grade-red").check()
    click(page, "Save grade")
    assert "Graded Red" in page.locator("#grade ~ p").first.inner_text()
    page.locator("#agency").select_option("police")
    page.locator("#question").fill("Any call-outs to the address?")
    click(page, "Request information")
    page.locator("#response-police").fill("One call-out in May, no arrests.")
    click(page, "Record the answer from Police")
    look(page, "triage-claimed", javascript)

    page.get_by_role("link", name="Record the decision").click()
    look(page, "decide", javascript)
    click(page, "Record the decision")
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Choose the outcome" in summary and "Say what information was gathered" in summary
    look(page, "decide-errors", javascript)
    page.locator("#outcome").check()
    page.locator("#indicator-dev-l2-01").check()
    page.locator("#information").fill("Police and school spoken to; no further concerns.")
    page.locator("#consent_basis").check()
    page.locator("#level-4").check()
    click(page, "Record the decision")
    assert "Level differs" not in page.content()
    assert "Say why the front door" in page.locator(".govuk-error-summary").inner_text()
    page.locator("#level_reason").fill("Police information raises the concern.")
    click(page, "Record the decision")
    assert "Decision recorded" in page.locator(".govuk-notification-banner").inner_text()

    page.get_by_role("link", name="Tell the referrer the outcome").click()
    look(page, "feedback", javascript)
    page.locator("#shared").check()
    page.locator("#text").fill("Advice and information were given to the family.")
    click(page, "Send")
    assert "The referrer has been told" in page.locator(".govuk-notification-banner").inner_text()
    look(page, "triage-done", javascript)
    decided = Triage.objects.get(referral__child_first_name="Ada")
    assert decided.state == State.DECIDED and decided.feedback_sent_at is not None
