"""The proxy's own 429 page (deploy/nginx/pages/), as a browser shows it: readable at phone and
desktop width, no sideways scroll, axe-clean. It is static and shows nobody's data, so no role
sees more or less of it: anyone nginx refuses gets the same page."""

from __future__ import annotations

from typing import Any

import pytest

from continuum.web.nginx import SHIPPED_CONF

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGE = SHIPPED_CONF.parent / "pages" / "continuum-refused-by-the-proxy.html"


@pytest.mark.parametrize("width", [375, 1280], ids=["phone", "desktop"])
def test_the_proxys_refusal_page_reads_well_at_phone_and_desktop_width(page: Any, width: int, tmp_path):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(PAGE.as_uri())
    assert page.locator("h1").inner_text() == "Sorry, there have been too many requests from your network"
    assert "try again in a minute" in page.locator("main").inner_text()
    assert "call 999" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    page.screenshot(path=str(tmp_path / f"proxy-429-{width}.png"), full_page=True)
