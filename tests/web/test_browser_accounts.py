"""Sign-in in headless Chromium: each page passes axe-core (WCAG 2.2 AA), error states included,
and a newcomer signs in with a demo account and the code the local sign-in page shows."""

from __future__ import annotations

from typing import Any

import pytest

from continuum.apps.accounts import demo
from continuum.apps.accounts.actor import Role

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "demo password for the browser"


def click(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).first.click()
    page.wait_for_load_state()


def test_sign_in_pages_pass_axe_and_a_demo_account_reaches_its_page(page, live_server, settings, transactional_db):
    settings.CONTINUUM_LOCAL = True
    demo.ensure_demo_accounts(password=PASSWORD)
    page.goto(live_server.url + "/accounts/sign-in")
    assert page.locator("#demo-accounts").count() == 1
    assert_accessible(page)

    click(page, "Sign in")  # nothing entered
    assert page.title().startswith("Error: ")
    assert "Enter your username" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)

    username = demo.username(Role.FRONT_DOOR_WORKER, "tiny")
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    click(page, "Sign in")
    assert "/accounts/two-factor" in page.url
    assert_accessible(page)

    click(page, "Continue")  # no code
    assert "Enter the 6-digit code" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.locator("#token").fill(demo.sign_in_listing_code(username))
    click(page, "Continue")
    assert page.locator("h1").inner_text() == "Front door queue"
    assert "Front door worker" in page.locator("#signed-in-as").inner_text()
    assert_accessible(page)

    click(page, "Sign out")
    assert page.locator("h1").inner_text() == "You have signed out"
    assert_accessible(page)
