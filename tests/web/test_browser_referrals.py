"""The referral send journey in headless Chromium, with JavaScript turned off: every page passes axe-core
(WCAG 2.2 AA), error states included. ``SCREENSHOT_DIR`` keeps each page at 390px and 1280px wide."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from continuum.apps.accounts.actor import Role
from continuum.apps.referrals.models import Referral
from tests.apps.referrals.conftest import CP, person
from tests.apps.referrals.factories import make_check

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def look(page: Any, name: str) -> None:
    """Check the page with axe (JavaScript on), and keep screenshots at phone and desktop widths when asked."""
    if _javascript(page):
        assert_accessible(page)
    directory = os.environ.get("SCREENSHOT_DIR")
    if directory and _javascript(page):
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(Path(directory) / f"referrals-{name}-{width}.png"), full_page=True)


def click(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).first.click()
    page.wait_for_load_state()


def _javascript(page: Any) -> bool:
    return bool(getattr(page, "_continuum_javascript", True))


@pytest.mark.parametrize("javascript", [True, False], ids=["axe", "no-javascript"])
def test_a_referral_is_sent_and_every_page_passes_axe(
    request, javascript, live_server, transactional_db, real_frameworks
):
    """The whole journey twice: with JavaScript, checked by axe on every page; without it, working the same."""
    page = request.getfixturevalue("page" if javascript else "nojs_page")
    page._continuum_javascript = javascript
    referrer = person(Role.PRACTITIONER, CP, first_name="Pat", last_name="Teacher", email="pat@example.org")
    check = make_check(referrer, CP, 3)
    sign_in(page, live_server, referrer)

    page.goto(f"{live_server.url}/referrals/from-check/{check.public_id}/")
    look(page, "start")
    page.get_by_role("button", name="Start").click()
    page.wait_for_load_state()

    look(page, "child")
    click(page, "Continue")
    assert page.title().startswith("Error: ")
    look(page, "child-errors")
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Example")
    page.locator("#date_of_birth-day").fill("3")
    page.locator("#date_of_birth-month").fill("4")
    page.locator("#date_of_birth-year").fill("2016")
    page.get_by_label("School, nursery or setting (optional)").fill("Example Primary School")
    click(page, "Continue")

    look(page, "children")
    page.get_by_label("Yes").check()
    click(page, "Continue")
    page.get_by_label("First name").fill("Kit")
    page.get_by_label("Last name").fill("Example")
    page.get_by_label("The child is not yet born").check()
    page.locator("#unborn_due_date-day").fill("1")
    page.locator("#unborn_due_date-month").fill("6")
    page.locator("#unborn_due_date-year").fill("2027")
    click(page, "Continue")
    assert "2 children" in page.locator("h1").inner_text()
    page.get_by_label("No").check()
    click(page, "Continue")

    look(page, "family")
    page.get_by_label("Address").fill("1 Example Street\nExampletown")
    page.get_by_label("Postcode").fill("AB1 2CD")
    page.get_by_label("Who lives with the child (optional)").fill("Alex Example, mother")
    page.locator("#interpreter_needed-no").check()
    click(page, "Continue")

    look(page, "referrer")
    assert page.get_by_label("Your name").input_value() == "Pat Teacher"
    page.get_by_label("Your agency or organisation").fill("Example Primary School")
    page.get_by_label("The kind of agency you refer from").select_option("2A")
    click(page, "Continue")

    look(page, "done")
    page.get_by_label("What has been done so far?").fill("Met the mother twice; the school nurse is involved.")
    click(page, "Continue")

    look(page, "consent")
    page.locator("#consent_basis-obtained").check()
    click(page, "Continue")
    assert "Enter who gave consent" in page.locator(".govuk-error-summary").inner_text()
    look(page, "consent-errors")
    page.get_by_label("Who gave or refused consent").fill("Alex Example (mother)")
    page.locator("#consent_when-day").fill("1")
    page.locator("#consent_when-month").fill("12")
    page.locator("#consent_when-year").fill("2026")
    page.get_by_label("What was shared with them").fill("Our concerns and that we are referring")
    click(page, "Continue")

    look(page, "check-answers")
    assert "Sam Example" in page.content() and "Kit Example" in page.content()
    click(page, "Send referral")

    look(page, "sent")
    made = list(Referral.objects.order_by("pk"))
    assert len(made) == 2
    panel = page.locator(".govuk-panel").inner_text()
    assert all(r.public_id in panel for r in made)
    assert "within 1 working day (national guidance)" in page.content()

    page.goto(f"{live_server.url}/referrals/")
    look(page, "mine")
    assert made[0].public_id in page.content()


def test_the_front_doors_referral_pages_pass_axe(page, live_server, transactional_db, real_frameworks):
    page._continuum_javascript = True
    manager = person(Role.FRONT_DOOR_MANAGER, CP)
    sign_in(page, live_server, manager)
    page.goto(f"{live_server.url}/referrals/phoned/")
    look(page, "phoned")
    click(page, "Record the referral")
    assert page.title().startswith("Error: ")
    look(page, "phoned-errors")
    page.goto(f"{live_server.url}/referrals/export/")
    look(page, "export")
