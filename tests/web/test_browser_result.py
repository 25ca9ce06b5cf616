"""The result page, action first, in headless Chromium: on a phone (390 × 844) the first screen shows
the immediate-danger banner when it applies, the level, what to do now and the next step's button;
the page passes axe; the lower view works without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest

from continuum.apps.accounts.actor import Actor
from continuum.apps.checks import services
from continuum.apps.checks.models import LowerView
from continuum.apps.partnerships.catalogue import catalogue, forget

from .conftest import assert_accessible
from .test_browser import REPO_FRAMEWORKS
from .test_browser_decision_records import as_the_maker_of

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
# The Luton example, as its indicators; a forced-marriage case in Central Bedfordshire.
LUTON = ("luton", ["exp-l4-1", "emo-l4-1", "gbs-l4-3"], {})
FORCED_MARRIAGE = ("central-bedfordshire", ["fe-l2-06"], {})
DANGER = ("central-bedfordshire", ["fe-l2-06"], {"in_immediate_danger": True})


@pytest.fixture
def repo_frameworks(settings):
    """Serve the repository's real frameworks."""
    settings.CONTINUUM_FRAMEWORKS_DIR = str(REPO_FRAMEWORKS)
    forget()
    yield catalogue()
    forget()


@pytest.fixture
def phone(browser: Any) -> Any:
    """A phone-sized page (JavaScript on; CSP bypassed only so that axe can be injected)."""
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    yield context.new_page()
    context.close()


def stored(catalogue_: Any, case: tuple[str, list[str], dict[str, bool]]) -> Any:
    framework_id, indicators, facts = case
    loaded = catalogue_.get(framework_id)
    return services.create_check(loaded, {"indicators": indicators, "facts": facts}, actor=Actor.anonymous())


def bottom(page: Any, selector: str) -> float:
    """Where the first element matching ``selector`` ends, in CSS pixels from the top of the page."""
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return float(box["y"] + box["height"])


def top(page: Any, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return float(box["y"])


@pytest.mark.parametrize("case", [LUTON, FORCED_MARRIAGE, DANGER], ids=["luton", "forced-marriage", "danger"])
def test_the_first_screen_on_a_phone_is_the_action(phone, live_server, repo_frameworks, case):
    check = stored(repo_frameworks, case)
    phone.goto(f"{live_server.url}/checks/{check.public_id}/")
    fold = PHONE["height"]
    assert phone.locator("h1").inner_text() == check.recommended_level_name
    assert phone.locator("#next-step .govuk-button").count() >= 1
    if check.immediate_danger:
        # The banner's own actions (999, then the front door's number) are what to do now; with them
        # the level still fits the first screen, and the next step's button follows on the second.
        assert top(phone, ".app-notification-banner--danger") < top(phone, "h1"), "the banner comes first"
        first_action = ".app-notification-banner--danger li >> nth=0"
        assert "999" in phone.locator(first_action).inner_text()
        for selector in ("#danger-title", first_action, "h1"):
            assert bottom(phone, selector) <= fold, f"{selector} is below the fold on a phone"
    else:
        assert top(phone, ".govuk-warning-text") < top(phone, "h1"), "999 comes first"
        for selector in ("h1", "#do-now h2", "#do-now a[href^='tel:']", "#next-step .govuk-button"):
            assert bottom(phone, selector) <= fold, f"{selector} is below the fold on a phone"
    assert top(phone, "#next-step") < top(phone, "#why"), "the reasons follow the action"
    assert_accessible(phone)


def test_a_consent_exception_is_said_first_on_the_first_screen(phone, live_server, repo_frameworks):
    check = stored(repo_frameworks, FORCED_MARRIAGE)
    assert check.result["consent"]["exception_applies"] is True
    phone.goto(f"{live_server.url}/checks/{check.public_id}/")
    said = phone.locator("#do-now .app-consent-exception")
    assert said.inner_text().startswith("Do not seek consent or tell the parents first: the document says")
    assert bottom(phone, "#do-now .app-consent-exception") <= PHONE["height"]


def test_the_fuller_text_of_a_reason_opens_from_its_details(page, live_server, repo_frameworks):
    check = stored(repo_frameworks, FORCED_MARRIAGE)
    page.goto(f"{live_server.url}/checks/{check.public_id}/")
    details = page.locator(".app-driver details").first
    fuller = details.locator(".govuk-details__text")
    assert not fuller.is_visible()
    details.locator("summary").click()
    assert fuller.is_visible()
    assert_accessible(page)


def test_the_lower_view_works_without_javascript(nojs_page, live_server, repo_frameworks):
    check = stored(repo_frameworks, LUTON)
    page = nojs_page
    as_the_maker_of(page, live_server, check)  # a check's link alone records nothing (ADR 0018)
    page.goto(f"{live_server.url}/checks/{check.public_id}/")
    page.get_by_text("I think the level might be lower").click()
    page.get_by_role("button", name="Record that I think it might be lower").click()
    page.wait_for_load_state()
    assert "Select the lower level you think this might be" in page.locator(".govuk-error-summary").inner_text()
    page.locator("#lower-view input[name=lower_level]").first.check()
    page.locator("#lower_reason").fill("Mum has asked for help and the school sees her every day.")
    page.get_by_role("button", name="Record that I think it might be lower").click()
    page.wait_for_load_state()
    assert "The practitioner thought the level might be lower: Mum has asked" in page.content()
    assert page.locator("h1").inner_text() == check.recommended_level_name
    assert LowerView.objects.filter(stored_check=check).count() == 1
