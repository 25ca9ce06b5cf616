"""The journey in headless Chromium: every page passes axe-core (WCAG 2.2 AA), it works
without JavaScript, and error states show the GOV.UK error summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from continuum.apps.accounts.actor import Actor
from continuum.apps.checks import services
from continuum.apps.partnerships.catalogue import catalogue, forget
from continuum.frameworks import FrameworkError, Registry

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO_FRAMEWORKS = Path(__file__).resolve().parents[2] / "frameworks"


def click(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).first.click()
    page.wait_for_load_state()


def error_summary(page: Any) -> str:
    summary = page.locator(".govuk-error-summary")
    assert summary.count() == 1, f"no error summary on {page.url}"
    assert page.title().startswith("Error: ")
    assert page.locator(".govuk-error-message").count() >= 1
    return summary.inner_text()


def test_every_page_passes_axe_including_error_states(page, live_server):
    base = live_server.url
    page.goto(base + "/")
    assert_accessible(page)
    page.get_by_role("button", name="Start now").click()
    assert_accessible(page)

    click(page, "Continue")  # no partnership chosen
    assert "Select the partnership" in error_summary(page)
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")  # JS enhancement
    assert_accessible(page)
    page.get_by_label("Tiny Partnership — a test framework").check()
    click(page, "Continue")

    page.locator("#text").fill("x" * 5001)
    click(page, "Continue")
    error_summary(page)
    assert_accessible(page)
    page.locator("#text").fill("The baby has bruises and is often late for school")
    click(page, "Continue")

    assert "/suggestions" in page.url
    assert_accessible(page)
    page.get_by_label("Bruising to a baby who is not mobile").check()
    click(page, "Continue")

    assert "/indicators" in page.url
    assert_accessible(page)
    page.goto(base + "/checks/new/indicators?domain=nope&level=99")
    error_summary(page)
    assert_accessible(page)
    page.goto(base + "/checks/new/indicators?q=school")
    assert_accessible(page)
    page.get_by_label("Child is often late for school").check()
    click(page, "Save and find more")
    page.goto(base + "/checks/new/indicators?domain=edu")
    assert_accessible(page)
    click(page, "Save and continue")

    assert "/strengths" in page.url
    assert_accessible(page)
    click(page, "Continue")

    page.locator("#age_years").fill("seven")
    click(page, "Continue")
    assert "whole number" in error_summary(page)
    assert_accessible(page)
    page.locator("#age_years").fill("")
    page.locator("#age_months").fill("3")
    page.get_by_label("A baby who is not yet mobile").check()
    click(page, "Continue")

    assert "/answers" in page.url
    assert_accessible(page)
    click(page, "Get the recommended level")

    assert "/checks/" in page.url
    assert "Child Protection" in page.locator("h1").inner_text()
    assert_accessible(page)
    judgement = page.locator("form:has(input[name=level])")
    assert judgement.get_by_label("Child in Need").count() == 0  # overrides only raise a level
    assert page.locator("#lower-view").get_by_label("Child in Need").count() == 1  # a lower view is separate
    click(page, "Record your judgement")  # nothing chosen: the error state
    assert "Select the level of need you judge this to be" in error_summary(page)
    assert_accessible(page)
    judgement.get_by_label("Child Protection").check()
    click(page, "Record your judgement")
    assert "Your judgement has been recorded" in page.content()
    assert_accessible(page)

    page.get_by_role("link", name="View and print the decision report").click()
    assert page.locator("h1").inner_text() == "Decision report"
    # shown by JavaScript once the module has run: wait for it rather than race it
    page.get_by_role("button", name="Print this report").wait_for(state="visible", timeout=5000)
    assert_accessible(page)

    page.goto(base + "/checks/not-a-real-check-id-000/")
    assert "Page not found" in page.content()
    assert_accessible(page)


def test_the_whole_journey_works_without_javascript(nojs_page, live_server):
    page, base = nojs_page, live_server.url
    page.goto(base + "/")
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("Tiny Partnership — a test framework").check()
    click(page, "Continue")
    page.locator("#text").fill("Often late for school and missing education")
    click(page, "Continue")
    page.get_by_label("Child is missing education for weeks").check()
    click(page, "Continue")
    page.goto(base + "/checks/new/indicators?q=late")
    page.get_by_label("Child is often late for school").check()
    click(page, "Save and continue")
    page.get_by_label("Parent with supportive grandparents").check()
    click(page, "Continue")
    page.locator("#age_years").fill("12")
    click(page, "Continue")
    assert "Check your answers" in page.locator("h1").inner_text()
    page.get_by_role("link", name="Change age").click()
    page.locator("#age_years").fill("13")
    click(page, "Continue")
    assert "/answers" in page.url and "13 years" in page.content()
    click(page, "Get the recommended level")
    assert page.locator("h1").inner_text() == "Child in Need"
    assert "Line 8" in page.content()  # the driver cites its line
    click(page, "Record your judgement")
    assert "Select the level of need you judge this to be" in error_summary(page)
    judgement = page.locator("form:has(input[name=level])")
    assert judgement.get_by_label("Early Help").count() == 0  # overrides only raise a level
    judgement.get_by_label("Child Protection").check()
    page.locator("#reason").fill("A sibling is on a child protection plan")
    click(page, "Record your judgement")
    assert "Your judgement has been recorded" in page.content()
    page.get_by_role("link", name="View and print the decision report").click()
    assert "A sibling is on a child protection plan" in page.content()
    assert not page.get_by_role("button", name="Print this report").is_visible()  # needs JavaScript


def test_the_decision_report_print_stylesheet_hides_navigation(page, live_server, tiny_check):
    page.goto(f"{live_server.url}/checks/{tiny_check.public_id}/report")
    page.emulate_media(media="print")
    assert not page.locator(".govuk-template__header").is_visible()
    assert not page.locator(".govuk-back-link").is_visible()
    assert page.locator("h1").is_visible()


def _offered_frameworks() -> list[str]:
    registry = Registry(REPO_FRAMEWORKS)
    offered = []
    for framework_id in registry.ids():
        try:
            registry.get(framework_id)
        except FrameworkError:
            continue
        offered.append(framework_id)
    return offered


@pytest.fixture
def repo_frameworks(settings):
    """Serve the repository's real frameworks instead of the tiny test one."""
    settings.CONTINUUM_FRAMEWORKS_DIR = str(REPO_FRAMEWORKS)
    forget()
    yield catalogue()
    forget()


@pytest.mark.parametrize("framework_id", _offered_frameworks())
def test_result_and_report_pages_of_each_real_framework_pass_axe(page, live_server, repo_frameworks, framework_id):
    loaded = repo_frameworks.get(framework_id)
    fw = loaded.framework
    danger = next((v for v in fw.vignettes if v.expect_immediate_danger), None)
    highest = max(fw.vignettes, key=lambda v: v.expect_level, default=None)
    vignette = danger or highest
    assert vignette is not None, f"{framework_id} has no vignettes"
    check = services.create_check(
        loaded,
        {
            "indicators": list(vignette.indicators),
            "protective": list(vignette.protective),
            "facts": {str(getattr(k, "value", k)): v for k, v in vignette.facts.items()},
            "age_years": vignette.age_years,
            "text": vignette.text or "",
        },
        actor=Actor.anonymous(),
    )
    page.goto(f"{live_server.url}/checks/{check.public_id}/")
    assert page.locator("h1").inner_text() == check.recommended_level_name
    if danger is not None:
        assert page.locator(".app-notification-banner--danger").is_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}/checks/{check.public_id}/report")
    assert_accessible(page)
    page.goto(f"{live_server.url}/checks/new/partnership")
    assert_accessible(page)
    page.get_by_label(fw.name).check()
    click(page, "Continue")
    page.goto(f"{live_server.url}/checks/new/indicators?domain={fw.indicators[0].domain}")
    assert_accessible(page)
    if any(i.protective for i in fw.indicators):
        page.goto(f"{live_server.url}/checks/new/strengths")
        assert_accessible(page)


def test_the_accessibility_check_does_find_violations(page):
    """Guard against a silent axe: a page with known failures must report them."""
    from .conftest import axe_violations

    page.set_content('<html><body><img src="x.png"><a href="#"></a><input type="text"></body></html>')
    found = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "label"} <= found


def test_the_warning_that_the_framework_changed_passes_axe(page, live_server, settings, tiny_copy):
    """A check begun under one version and checked under another says so, accessibly (ADR 0011)."""
    base = live_server.url
    page.goto(base + "/checks/new/partnership")
    page.get_by_label("Tiny Partnership — a test framework").check()
    click(page, "Continue")
    click(page, "Continue")  # no words
    page.goto(base + "/checks/new/strengths")
    page.get_by_label("Parent with supportive grandparents").check()
    click(page, "Continue")
    path = tiny_copy / "framework.yaml"
    kept = [line for line in path.read_text(encoding="utf-8").splitlines() if "id: family-p-1" not in line]
    path.write_text("\n".join(kept).replace("version: 1.0.0", "version: 1.1.0") + "\n", encoding="utf-8")
    settings.CONTINUUM_FRAMEWORKS_DIR = str(tiny_copy.parent)
    forget()
    page.goto(base + "/checks/new/answers")
    warning = page.locator("#framework-changed")
    assert "version 1.0.0 then, version 1.1.0 now" in warning.inner_text()
    assert "Parent with supportive grandparents" in warning.inner_text()  # the strength it dropped
    assert_accessible(page)
