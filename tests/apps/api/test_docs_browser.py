"""The docs page in headless Chromium, with the site's Content-Security-Policy enforced (not bypassed)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in the test thread

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def strict_page(browser: Any) -> Iterator[Any]:
    """A page that obeys the site's CSP, and records every violation of it."""
    context = browser.new_context()
    page = context.new_page()
    page.violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and page.violations.append(m.text))
    yield page
    context.close()


def test_swagger_ui_renders_the_api_under_the_sites_csp(strict_page, live_server):
    page = strict_page
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    assert "Continuum API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/assess" in [p.replace("\u200b", "") for p in paths]
    assert page.violations == []
