"""The result page and decision report, action first: what to do now, the next step, the consent exception
said first, each reason's line that matters with the fuller text behind "details"."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape

from continuum.apps.accounts.actor import Actor
from continuum.apps.checks import decision_report, services
from continuum.apps.partnerships.catalogue import catalogue, forget
from continuum.apps.partnerships.vocabulary import consent_label, lines_label
from tests.conftest import FRAMEWORKS_DIR

from .factories import CheckFactory

pytestmark = pytest.mark.django_db

ANON = Actor.anonymous()
EXCEPTION = "Do not seek consent or tell the parents first</strong>: the document says"


@pytest.fixture
def real(settings):
    """Serve the repository's frameworks."""
    settings.CONTINUUM_FRAMEWORKS_DIR = str(FRAMEWORKS_DIR)
    forget()
    yield catalogue()
    forget()


def page(client, check) -> str:
    return client.get(reverse("checks:detail", kwargs={"public_id": check.public_id})).content.decode()


def report(client, check) -> str:
    return client.get(reverse("checks:report", kwargs={"public_id": check.public_id})).content.decode()


def forced_marriage(real):
    return services.create_check(real.get("central-bedfordshire"), {"indicators": ["fe-l2-06"]}, actor=ANON)


def test_a_consent_exception_is_said_first_on_the_page_the_report_and_the_pdf(client, real, rf):
    check = forced_marriage(real)
    rule = check.result["consent"]["exception_rules"][0]
    assert check.result["consent"]["parents_told_first"] is False
    html = page(client, check)
    do_now = html[html.index('id="do-now"') : html.index('id="next-step"')]
    # the sentence of the rule's lines that speaks of consent (L43), not the rule's first words
    assert f"{EXCEPTION} “You may consider override seeking consent if the concern is about" in do_now
    assert "(line 43)." in do_now
    consent = html[html.index('id="consent"') :]
    assert consent.index(EXCEPTION) < consent.index("Seek consent, unless"), "the exception comes before the rule"
    for printed in (
        report(client, check),
        render_to_string(decision_report.TEMPLATE, decision_report.context(check, for_pdf=True), rf.get("/")),
    ):
        part = printed[printed.index('id="consent"') :]
        assert part.index(EXCEPTION) < part.index("Seek consent, unless")
        assert f"{escape(rule['name'])}, line 43)." in part, "the consent sentence's own line"
        assert escape(rule["text"]) in part, "the rule in the document's words"
        assert f"Where the document says this ({lines_label(rule['source'])})" in part


def test_without_an_exception_the_consent_rule_is_one_sentence(client):
    check = CheckFactory()
    assert not check.result["consent"].get("exception_applies")
    do_now = page(client, check).split('id="do-now"')[1].split('id="next-step"')[0]
    assert f"<strong>Consent:</strong> {escape(consent_label(check.result['consent']['rule']))}." in do_now
    assert "Do not seek consent" not in do_now


def test_what_to_do_now_names_who_to_call_the_number_hours_and_out_of_hours(client, real):
    check = services.create_check(real.get("luton"), {"indicators": ["exp-l4-1"]}, actor=ANON)
    contact = check.result["contacts"][0]
    do_now = page(client, check).split('id="do-now"')[1].split('id="next-step"')[0]
    for said in (contact["name"], contact["phone"], contact["hours"], contact["out_of_hours"]["phone"]):
        assert escape(said) in do_now, said
    assert 'href="tel:01582547653"' in do_now


def test_one_next_step_block_with_the_frameworks_button(client, real):
    check = services.create_check(real.get("luton"), {"indicators": ["exp-l4-1"]}, actor=ANON)
    html = page(client, check)
    assert html.count('id="next-step"') == 1
    block = html.split('id="next-step"')[1].split("</div>\n</div>")[0]
    buttons = re.findall(r'class="govuk-button[^"]*"[^>]*>([^<]+)</a>', block)
    assert buttons[0] == "Send a referral"
    assert 'id="how-referral"' in html and "Multi Agency Safeguarding Hub (MASH)" in html


def test_the_tiny_framework_has_no_front_door_so_the_page_says_the_document_does_not_say(client, tiny):
    check = services.create_check(tiny, {"indicators": ["harm-l3-1"]}, actor=ANON)  # child in need
    html = page(client, check)
    assert "The document does not say what the next step is at this level" in html


def test_each_reason_quotes_its_sentence_and_hides_the_fuller_text_in_details(client, real):
    check = forced_marriage(real)
    html = page(client, check)
    why = html[html.index('id="why"') : html.index('id="what-to-do"')]
    assert (
        "“Professionals working with a child or young person who believes they are at risk of or victim of HBA" in why
    )
    assert 'class="govuk-details__summary-text">The fuller text (' in why
    printed = report(client, check)
    assert "The fuller text (" not in printed, "the report prints the cited lines in full"
