"""Early help pages in headless Chromium: each passes axe-core (WCAG 2.2 AA), error states included; the draft
assessment is completed and submitted with JavaScript turned off. ``SCREENSHOT_DIR`` keeps each page at 390px
and 1280px wide for looking at."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.earlyhelp import services
from continuum.apps.earlyhelp.models import Episode, FamilyMember
from tests.apps.earlyhelp.conftest import OWN, _write
from tests.apps.earlyhelp.factories import EpisodeFactory, level_two_check
from tests.django_support import frameworks_offered
from tests.people import member

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def early_help_frameworks(tmp_path: Path, settings: Any) -> Iterator[None]:
    """The service offers ``north``: the tiny framework with an early help section (first review in 12 weeks)."""
    directory = tmp_path / "frameworks"
    directory.mkdir()
    _write(directory, OWN, reviews=True)
    with frameworks_offered(settings, directory):
        yield


def person(role: Role) -> Actor:
    return member(role, OWN)


def look(page: Any, name: str) -> None:
    """Check the page with axe, and keep screenshots at phone and desktop widths when asked."""
    assert_accessible(page)
    directory = os.environ.get("SCREENSHOT_DIR")
    if directory:
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(Path(directory) / f"earlyhelp-{name}-{width}.png"), full_page=True)


def click(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).first.click()
    page.wait_for_load_state()


def test_the_assessment_is_completed_and_submitted_without_javascript(
    nojs_page, live_server, transactional_db, early_help_frameworks
):
    page = nojs_page
    actor = person(Role.PRACTITIONER)
    check = level_two_check(actor)
    sign_in(page, live_server, actor)
    page.goto(f"{live_server.url}/early-help/start/{check.public_id}/")
    click(page, "Start the assessment")
    assert "Tiny Early Help Assessment" in page.locator("h1").inner_text()
    page.get_by_role("link", name="The family", exact=True).click()
    page.locator("#kind-child").check()
    page.locator("#first_name").fill("Ava")
    page.locator("#last_name").fill("Smith")
    click(page, "Add to the family")
    page.locator("#kind-adult").check()
    page.locator("#first_name").fill("Pat")
    page.locator("#last_name").fill("Smith")
    click(page, "Add to the family")
    click(page, "Save and return to the task list")
    page.get_by_role("link", name="Strengths and needs", exact=True).click()
    click(page, "Save and return to the task list")  # the check's selection is already ticked
    page.get_by_role("link", name="The family's voice", exact=True).click()
    page.locator("#family_voice").fill("Mornings are hard; we want help with routines.")
    click(page, "Save and return to the task list")
    page.get_by_role("link", name="Consent", exact=True).click()
    page.get_by_label("Pat Smith (adult)").check()
    page.locator("#to_what").fill("An early help assessment and plan")
    click(page, "Record consent")
    page.get_by_role("link", name="Return to the task list", exact=True).click()
    page.get_by_role("link", name="Check your answers", exact=True).click()
    click(page, "Submit the assessment")
    assert Episode.objects.get().status == "open"
    assert "Review 1 due" in page.content()


def test_early_help_pages_pass_axe(page, live_server, transactional_db, early_help_frameworks):
    lead = person(Role.EARLY_HELP)
    draft = EpisodeFactory(actor=lead, submitted=False)
    episode = EpisodeFactory(actor=lead)
    sign_in(page, live_server, lead)
    base = f"{live_server.url}/early-help"

    page.goto(f"{base}/{draft.public_id}/assessment/")
    look(page, "tasks")
    page.goto(f"{base}/{draft.public_id}/assessment/family/")
    click(page, "Add to the family")
    assert page.title().startswith("Error: ")
    look(page, "family-errors")
    page.goto(f"{base}/{draft.public_id}/assessment/needs/")
    look(page, "needs")
    page.goto(f"{base}/{draft.public_id}/assessment/voice/")
    click(page, "Save and return to the task list")
    look(page, "voice-errors")
    page.goto(f"{base}/{draft.public_id}/assessment/consent/")
    click(page, "Record consent")
    look(page, "consent-errors")
    page.goto(f"{base}/{draft.public_id}/assessment/check-answers/")
    look(page, "check-answers")

    page.goto(f"{base}/{episode.public_id}/")
    look(page, "record")
    page.goto(f"{base}/{episode.public_id}/plan/")
    look(page, "plan")
    page.locator("#name").fill("Jo Bloggs")
    click(page, "Add to the team")
    assert page.locator("#agency").count() == 1 and page.title().startswith("Error: ")
    look(page, "plan-errors")
    page.goto(f"{base}/{episode.public_id}/print/consent/")
    look(page, "print-consent")
    page.goto(f"{base}/{episode.public_id}/print/plan/")
    look(page, "print-plan")
    page.goto(f"{base}/{episode.public_id}/reviews/1/")
    look(page, "review")
    page.goto(f"{base}/{episode.public_id}/close/")
    page.locator("#code-other").check()
    click(page, "Close the episode")
    look(page, "close-errors")
    FamilyMember.objects.filter(episode=episode, kind="child").update(date_of_birth=None)  # recorded without one
    page.goto(f"{base}/{episode.public_id}/step-up/")
    look(page, "step-up")
    click(page, "Step up")
    assert page.title().startswith("Error: ") and page.locator(".govuk-error-summary a").count() == 2
    look(page, "step-up-errors")
    page.goto(f"{base}/")
    look(page, "caseload")
    page.goto(f"{base}/reviews-due/")
    look(page, "reviews-due")

    worker = person(Role.FRONT_DOOR_WORKER)
    sign_in(page, live_server, worker)
    page.goto(f"{base}/step-downs/new/")
    click(page, "Step down to early help")
    look(page, "new-step-down-errors")
    handed = services.request_step_down(
        worker,
        origin="front-door",
        source_reference="R-7",
        family=[{"kind": "child", "first_name": "Mo", "last_name": "Ali"}],
        reason="Early help decided",
    )
    sign_in(page, live_server, lead)
    page.goto(f"{base}/step-downs/")
    look(page, "step-downs")
    page.goto(f"{base}/step-downs/{handed.public_id}/")
    click(page, "Refuse")
    look(page, "step-down-errors")

    admin = person(Role.PARTNERSHIP_ADMIN)
    sign_in(page, live_server, admin)
    page.goto(f"{base}/settings/")
    page.locator("#review_interval").fill("sometimes")
    click(page, "Save settings")
    look(page, "settings-errors")


def test_the_already_sent_page_passes_axe_and_leads_back(page, live_server, transactional_db, early_help_frameworks):
    """The same form's token sent again with other answers (ADR 0018): the 409 page, accessible, with its link back."""
    lead = person(Role.PRACTITIONER)
    draft = services.start_from_check(lead, level_two_check(lead))
    sign_in(page, live_server, lead)
    voice = f"{live_server.url}/early-help/{draft.public_id}/assessment/voice/"
    page.goto(voice)
    token = page.locator("form input[name=submission]").last.input_value()
    page.locator("#family_voice").fill("Mornings are hard.")
    click(page, "Save and return to the task list")
    page.goto(voice)
    page.locator("form input[name=submission]").last.evaluate("(input, token) => { input.value = token; }", token)
    page.locator("#family_voice").fill("Evenings are hard.")
    click(page, "Save and return to the task list")
    assert page.locator("h1").inner_text() == "This form was already sent"
    look(page, "already-sent")
    page.get_by_role("link", name="Open the page again").click()
    page.wait_for_load_state()
    assert page.url == voice and page.locator("#family_voice").input_value() == "Mornings are hard."
