"""Fixtures for the web tests: the Django test client, a live server, and headless Chromium.

Browser tests use Debian's Chromium (/usr/bin/chromium; ``scripts/system-deps`` installs
it) through Playwright, never a downloaded browser, and axe-core from node_modules.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from continuum.apps.accounts.actor import Actor
from tests.django_support import frameworks_offered, fresh_catalogue, mark_as_web  # noqa: F401
from tests.people import client_for

# Playwright's sync API runs an event loop in the test thread; Django's ORM would refuse
# to run there. The live server has its own thread; this only affects the test's own queries.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

HERE = Path(__file__).parent
REPO = HERE.parents[1]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


pytest_collection_modifyitems = mark_as_web(HERE)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page with JavaScript on; the Content-Security-Policy is bypassed only so that axe can be injected."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def nojs_page(browser: Any) -> Iterator[Any]:
    """A page with JavaScript turned off: the journey must work completely without it."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.2 AA rules) on the page; returns the violations."""
    if not AXE.exists():
        pytest.fail("axe-core is not installed: run `make static` (npm ci)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe-core found WCAG 2.2 AA violations on {page.url}: {violations}"


@pytest.fixture
def real_frameworks(settings: Any) -> Iterator[None]:
    """The service offers the repository's frameworks (the real partnerships' pages)."""
    with frameworks_offered(settings, REPO / "frameworks"):
        yield


def sign_in(page: Any, live_server: Any, actor: Actor) -> None:
    """Give the browser (and no other cookie) the session of ``actor`` signed in (code verified), acting in
    their partnership and role."""
    cookie = client_for(actor).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


@pytest.fixture
def tiny_check(transactional_db: Any) -> Any:
    """A stored check against the tiny framework (for pages that need one)."""
    from tests.apps.checks.factories import CheckFactory

    return CheckFactory()
