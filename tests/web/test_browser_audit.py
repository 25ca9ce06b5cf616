"""The auditor's pages in headless Chromium: axe-clean (errors included), usable without JavaScript, from
the audit list to one event and back to every event about its record. ``SCREENSHOT_DIR`` keeps each page
at 390px and 1280px wide."""

from __future__ import annotations

import pytest
from django.db import transaction

from continuum.apps.accounts.actor import Role
from continuum.apps.audit.services import record
from tests.apps.escalations.factories import acting

from .conftest import sign_in
from .test_browser_escalations import click, look

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PARTNERSHIP = "central-bedfordshire"


def _some_events(worker):
    with transaction.atomic():
        for number in range(3):
            record("audit.verification_requested", target=worker.user, actor=worker, payload={"n": number})


def test_the_audit_pages_pass_axe(page, live_server, real_frameworks):
    _some_events(acting(Role.FRONT_DOOR_WORKER, PARTNERSHIP))
    sign_in(page, live_server, acting(Role.AUDITOR, PARTNERSHIP))
    page.goto(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "Audit"
    look(page, "events")
    page.goto(
        f"{live_server.url}/audit/?start=30/11/2026"
    )  # a date typed the British way, where a date field is not offered
    assert "From must be a date" in page.locator(".govuk-error-summary").inner_text()
    look(page, "events-error")
    page.goto(f"{live_server.url}/audit/")
    page.locator("tbody tr").first.locator("a").first.click()
    assert page.locator("h1").inner_text().startswith("Event ")
    look(page, "event")


def test_an_auditor_reads_the_audit_without_javascript(nojs_page, live_server, real_frameworks):
    _some_events(acting(Role.FRONT_DOOR_WORKER, PARTNERSHIP))
    page = nojs_page
    sign_in(page, live_server, acting(Role.AUDITOR, PARTNERSHIP))
    page.goto(f"{live_server.url}/audit/")
    page.locator("tbody tr").first.locator("a").first.click()
    assert page.locator("h1").inner_text().startswith("Event ")
    page.get_by_text("every event about it").click()
    assert page.locator("tbody tr").count() >= 3
    click(page, "Check the chain now")
    assert "The chain is being checked" in page.inner_text("body")
