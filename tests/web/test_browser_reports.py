"""The reports' pages in headless Chromium: the dashboard, the calibration report and the exports page
pass axe-core (WCAG 2.2 AA) with real figures and charts, and read without JavaScript; screenshots at
390px and 1280px go to $REPORTS_SCREENSHOTS when set (to be looked at)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from continuum.apps.accounts import partnerships
from continuum.apps.accounts.actor import Role
from continuum.apps.partnerships.catalogue import forget
from tests.conftest import FRAMEWORKS_DIR

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = ("/reports/", "/reports/calibration/", "/reports/exports/")
APRIL = "?start=2026-04-01&end=2026-04-30"


@pytest.fixture
def reports_data(settings: Any, transactional_db: Any) -> Any:
    """The repository's frameworks on offer, a partnership admin, and a month of contacts, decisions and checks."""
    settings.CONTINUUM_FRAMEWORKS_DIR = str(FRAMEWORKS_DIR)
    forget()
    partnerships.forget()
    from tests.apps.reports.conftest import a_month_of_figures, person

    a_month_of_figures()
    yield person(Role.PARTNERSHIP_ADMIN)
    forget()
    partnerships.forget()


def test_the_reports_pages_pass_axe_with_figures_and_charts(page, live_server, reports_data):
    sign_in(page, live_server, reports_data)
    shots = os.environ.get("REPORTS_SCREENSHOTS")
    for path in PAGES:
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(live_server.url + path + APRIL)
            assert page.locator("h1").count() == 1, page.url
            assert_accessible(page)
            if shots:
                name = path.strip("/").replace("/", "-") or "reports"
                page.screenshot(path=str(Path(shots) / f"{name}-{width}.png"), full_page=True)
    page.goto(live_server.url + "/reports/" + APRIL)
    assert page.locator("svg.app-chart").count() >= 5
    assert page.locator("table.govuk-table").count() >= 5


def test_the_dashboard_reads_without_javascript(browser, live_server, reports_data):
    context = browser.new_context(java_script_enabled=False)
    nojs = context.new_page()
    sign_in(nojs, live_server, reports_data)
    nojs.goto(live_server.url + "/reports/" + APRIL)
    assert "4 contacts in the period, of which 2 became referrals" in nojs.locator("main").inner_text()
    nojs.get_by_label("Common tier", exact=True).select_option("child-protection")
    nojs.get_by_role("button", name="Apply filters").click()
    assert "tier=child-protection" in nojs.url
    context.close()
