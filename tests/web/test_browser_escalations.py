"""Escalation pages in headless Chromium: each passes axe-core (WCAG 2.2 AA), error states included, and a
disagreement is raised and answered with JavaScript turned off. ``SCREENSHOT_DIR`` keeps each page at 390px
and 1280px wide for looking at."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from continuum.apps.accounts.actor import Role
from tests.apps.escalations.factories import EscalationFactory, acting, stored_check

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STAGED, UNSTAGED = "central-bedfordshire", "cambridgeshire-peterborough"


def look(page: Any, name: str) -> None:
    """Check the page with axe, and keep screenshots at phone and desktop widths when asked."""
    assert_accessible(page)
    directory = os.environ.get("SCREENSHOT_DIR")
    if directory:
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(Path(directory) / f"escalations-{name}-{width}.png"), full_page=True)


def click(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).first.click()
    page.wait_for_load_state()


def test_escalation_pages_pass_axe(page, live_server, transactional_db, real_frameworks):
    worker = acting(Role.FRONT_DOOR_WORKER)
    check = stored_check(acting(Role.PRACTITIONER))
    sign_in(page, live_server, worker)
    page.goto(f"{live_server.url}/escalations/raise/check/{check.public_id}/")
    look(page, "raise")
    click(page, "Raise the disagreement")
    assert page.title().startswith("Error: ")
    look(page, "raise-errors")
    page.locator("#concern").fill("The recorded level understates the neglect the school describes")
    page.locator("#other_party").fill("The front door's team manager")
    click(page, "Raise the disagreement")
    assert "Stage 1 of 5" in page.locator("h1").inner_text()
    look(page, "detail")
    page.locator("#reason").fill("No answer yet")
    click(page, "Move to the next stage")
    assert "Record the response at this stage first" in page.locator(".govuk-error-summary").inner_text()
    look(page, "detail-errors")
    page.locator("#response").fill("We met; the team manager keeps the level")
    click(page, "Record the response")
    page.locator("#reason").fill("Not agreed after a working week")
    click(page, "Move to the next stage")
    assert "Stage 2 of 5" in page.locator("h1").inner_text()
    look(page, "detail-stage-2")

    sign_in(page, live_server, acting(Role.FRONT_DOOR_MANAGER))
    page.goto(f"{live_server.url}/escalations/register/")
    look(page, "register")

    admin = acting(Role.PARTNERSHIP_ADMIN, UNSTAGED)
    EscalationFactory(partnership=UNSTAGED)
    sign_in(page, live_server, admin)
    page.goto(f"{live_server.url}/escalations/procedure/")
    look(page, "procedure-none")
    page.locator("#name").fill("Resolving Professional Difference")
    page.locator("#stage-1-who").fill("The practitioners involved")
    page.locator("#stage-1-within").fill("soon")
    click(page, "Save the procedure")
    look(page, "procedure-errors")


def test_a_disagreement_is_raised_and_answered_without_javascript(
    nojs_page, live_server, transactional_db, real_frameworks
):
    page = nojs_page
    worker = acting(Role.FRONT_DOOR_WORKER, UNSTAGED)
    check = stored_check(acting(Role.PRACTITIONER, UNSTAGED), UNSTAGED)
    sign_in(page, live_server, worker)
    page.goto(f"{live_server.url}/escalations/raise/check/{check.public_id}/")
    assert "The document gives no escalation stages" in page.locator("main").inner_text()
    page.locator("#concern").fill("Level too low")
    page.locator("#other_party").fill("The referrer")
    click(page, "Raise the disagreement")
    page.locator("#response").fill("Discussed; agreed to reassess")
    click(page, "Record the response")
    page.locator("#outcome").fill("Reassessed at a higher level")
    click(page, "Record the resolution")
    assert page.locator("h1").inner_text() == "Resolved"
