"""The check's pages through Django's test client: every page, every error state, no server errors."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse
from django.utils.html import escape

from continuum.apps.accounts.actor import Actor
from continuum.apps.audit.queries import events as audit_events
from continuum.apps.checks import services
from continuum.apps.checks.models import Check
from continuum.apps.partnerships.catalogue import catalogue, forget
from tests.conftest import FRAMEWORKS_DIR

from .conftest import NEW_VERSION, WITHOUT_STRENGTHS
from .factories import CheckFactory, made_in

pytestmark = pytest.mark.django_db

ERROR_SUMMARY = 'class="govuk-error-summary"'


ANON = Actor.anonymous()


def offer(settings, directory) -> None:
    """Serve the frameworks in ``directory`` from now on (``fresh_catalogue`` forgets them after the test)."""
    settings.CONTINUUM_FRAMEWORKS_DIR = str(directory)
    forget()


def url(name: str, **kwargs) -> str:
    return reverse(name, kwargs=kwargs or None)


def start_check(client, text: str = "") -> None:
    assert client.post(url("checks:partnership"), {"partnership": "tiny"}).status_code == 302
    assert client.post(url("checks:concern"), {"text": text}).status_code == 302


def test_the_whole_journey_with_words(client):
    response = client.post(url("checks:partnership"), {"partnership": "tiny"})
    assert response["Location"] == url("checks:concern")
    response = client.post(url("checks:concern"), {"text": "The baby has bruises and is often late for school"})
    assert response["Location"] == url("checks:suggestions")
    page = client.get(url("checks:suggestions")).content.decode()
    assert "Bruising to a baby who is not mobile" in page
    response = client.post(url("checks:suggestions"), {"selected": ["harm-l3-1"]})
    assert response["Location"] == url("checks:indicators")
    assert "Bruising to a baby who is not mobile" in client.get(url("checks:indicators")).content.decode()
    response = client.post(url("checks:indicators"), {"action": "continue"})
    assert response["Location"] == url("checks:strengths")
    response = client.post(url("checks:strengths"), {"selected": ["family-p-1"]})
    assert response["Location"] == url("checks:child")
    response = client.post(url("checks:child"), {"age_years": "0", "age_months": "4", "facts": ["non_mobile"]})
    assert response["Location"] == url("checks:answers")
    answers = client.get(url("checks:answers")).content.decode()
    assert "4 months" in answers and "A baby who is not yet mobile" in answers
    assert "Child is often late for school" in answers  # the suggestion they did not select
    response = client.post(url("checks:answers"))
    check = Check.objects.get()
    assert response["Location"] == url("checks:detail", public_id=check.public_id)
    assert check.inputs["rejected"] and "edu-l2-1" in check.inputs["rejected"]
    assert check.inputs["facts"] == {"non_mobile": True}
    result = client.get(response["Location"]).content.decode()
    assert "Child Protection" in result  # raised by the statutory trigger
    assert "Line 9" in result  # the driver cites the document's line
    assert "Front door" in result and 'href="tel:03000000000"' in result
    assert "Consent is not required" in result
    assert "Do not seek consent where it would place the child at increased risk." in result
    assert "Parent with supportive grandparents" in result
    assert "not changed" in result


def test_new_words_forget_what_was_suggested_for_the_old_ones(client):
    """Found by the check journey's walk: words changed and the suggestions page skipped (straight to
    check your answers) stored the new words with the old words' suggestions and rejections."""
    start_check(client, "The baby has bruises and is often late for school")
    assert client.post(url("checks:suggestions"), {"selected": ["harm-l3-1"]}).status_code == 302
    assert client.post(url("checks:concern"), {"text": "Mum is worried about money"}).status_code == 302
    client.post(url("checks:answers"))
    check = Check.objects.get()
    assert check.inputs["text"] == "Mum is worried about money"
    assert check.inputs["indicators"] == ["harm-l3-1"]  # chosen, and still chosen
    assert "edu-l2-1" not in check.inputs["suggested"] + check.inputs["rejected"]


def test_browsing_by_area_and_searching(client):
    start_check(client)
    listing = client.get(url("checks:indicators")).content.decode()
    assert "?domain=edu" in listing
    area = client.get(url("checks:indicators"), {"domain": "edu"}).content.decode()
    assert "Child is often late for school" in area and "Bruising" not in area
    found = client.get(url("checks:indicators"), {"q": "bruising"}).content.decode()
    assert "Bruising to a baby who is not mobile" in found and "late for school" not in found
    level = client.get(url("checks:indicators"), {"level": "3"}).content.decode()
    assert "missing education" in level and "often late" not in level
    response = client.post(
        url("checks:indicators") + "?domain=edu",
        {"shown": ["edu-l2-1", "edu-l3-1"], "selected": ["edu-l3-1"], "action": "save"},
    )
    assert response["Location"] == url("checks:indicators") + "?domain=edu"
    # what was not shown is left alone; what was shown and unticked is removed
    client.post(
        url("checks:indicators") + "?q=bruising", {"shown": ["harm-l3-1"], "selected": ["harm-l3-1"], "action": "save"}
    )
    client.post(
        url("checks:indicators") + "?domain=edu", {"shown": ["edu-l2-1", "edu-l3-1"], "selected": [], "action": "save"}
    )
    page = client.get(url("checks:indicators")).content.decode()
    assert "Concerns you have selected (1)" in page
    response = client.post(url("checks:indicators"), {"remove": "harm-l3-1"})
    assert response.status_code == 302
    assert "Concerns you have selected (0)" in client.get(url("checks:indicators")).content.decode()


def test_no_results_and_bad_filters(client):
    start_check(client)
    page = client.get(url("checks:indicators"), {"q": "zzzz"}).content.decode()
    assert "No indicators found" in page
    response = client.get(url("checks:indicators"), {"domain": "nope", "level": "99", "q": "x" * 300})
    assert response.status_code == 400
    html = response.content.decode()
    assert ERROR_SUMMARY in html and "Select an area from the list" in html and "Select a level from the list" in html


def test_pages_before_a_partnership_send_you_to_choose_one(client):
    for name in ("checks:concern", "checks:indicators", "checks:child", "checks:answers", "checks:suggestions"):
        assert client.get(url(name))["Location"] == url("checks:partnership")


@pytest.mark.parametrize(
    ("page", "data", "message"),
    [
        ("checks:partnership", {}, "Select the partnership"),
        ("checks:partnership", {"partnership": "../etc"}, "Select the partnership"),
        ("checks:concern", {"text": "x" * 3001}, "3,000 characters or fewer"),
        ("checks:child", {"age_years": "seven"}, "Years must be a whole number"),
        ("checks:child", {"age_years": "-1"}, "Years must be 0 or more"),
        ("checks:child", {"age_months": "12"}, "Months must be 11 or fewer"),
        ("checks:child", {"age_years": "2", "facts": ["unborn"]}, "Leave the age blank for an unborn baby"),
        ("checks:child", {"facts": ["not-a-fact"]}, "Select key facts from the list"),
        ("checks:indicators", {"selected": ["not-an-id"], "shown": ["not-an-id"]}, "Select indicators from the list"),
        ("checks:strengths", {"selected": ["edu-l2-1"]}, "Select indicators from the list"),
    ],
)
def test_errors_use_the_govuk_error_summary(client, page, data, message):
    start_check(client)
    response = client.post(url(page), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert ERROR_SUMMARY in html
    assert message in html
    assert "govuk-error-message" in html
    assert re.search(r"<title>Error: ", html)


def test_answers_need_a_concern_or_a_fact(client):
    start_check(client)
    response = client.post(url("checks:answers"))
    assert response.status_code == 400
    assert "Select at least one concern" in response.content.decode()
    assert Check.objects.count() == 0


def test_a_check_with_only_a_key_fact(client):
    start_check(client)
    client.post(url("checks:child"), {"facts": ["looked_after"]})
    response = client.post(url("checks:answers"))
    assert response.status_code == 302
    assert Check.objects.get().recommended_level == 1


def test_change_links_return_to_check_your_answers(client):
    start_check(client)
    client.post(url("checks:indicators"), {"shown": ["edu-l2-1"], "selected": ["edu-l2-1"], "action": "save"})
    response = client.post(url("checks:child") + "?change=1", {"age_years": "9"})
    assert response["Location"] == url("checks:answers")
    response = client.post(url("checks:indicators") + "?change=1", {"action": "continue"})
    assert response["Location"] == url("checks:answers")
    back = client.get(url("checks:child") + "?change=1").content.decode()
    assert f'href="{url("checks:answers")}" class="govuk-back-link"' in back


def test_matching_unavailable_falls_back_to_the_list(client, monkeypatch):
    from continuum.apps.checks import suggest

    # An outage of the matcher (its model missing), not a framework: patched where it is looked up.
    def broken(*args, **kwargs):
        raise RuntimeError("model missing")

    monkeypatch.setattr("continuum.matching.match", broken)
    client.post(url("checks:partnership"), {"partnership": "tiny"})
    response = client.post(url("checks:concern"), {"text": "late for school"})
    assert response["Location"] == url("checks:indicators")
    assert "cannot suggest indicators from your words" in client.get(url("checks:indicators")).content.decode()
    assert suggest.TOP == 10


def test_judgement_agree_and_own_level(client):
    check = made_in(client, CheckFactory())
    page = url("checks:detail", public_id=check.public_id)
    response = client.post(page, {"level": "3"})
    assert response.status_code == 400
    html = response.content.decode()
    assert ERROR_SUMMARY in html and "Enter why you judge this to be a different level" in html
    response = client.post(page, {"level": "3", "reason": "Older sibling is on a plan"})
    assert response.status_code == 302
    check.refresh_from_db()
    assert (check.judgement, check.own_level) == ("own", 3)
    html = client.get(page).content.decode()
    assert "Your judgement has been recorded" in html and "Older sibling is on a plan" in html
    # Recorded once: an anonymous second POST changes nothing (a change of mind needs a signed-in person).
    again = client.post(page, {"level": str(check.recommended_level)})
    assert again.status_code == 403
    check.refresh_from_db()
    assert (check.judgement, check.own_level) == ("own", 3)


@pytest.mark.parametrize("data", [{}, {"level": "x"}, {"level": "99"}, {"level": "1", "reason": "r" * 6000}])
def test_bad_judgements_show_errors_not_server_errors(client, data):
    check = made_in(client, CheckFactory())
    response = client.post(url("checks:detail", public_id=check.public_id), data)
    assert response.status_code == 400
    assert ERROR_SUMMARY in response.content.decode()


def test_a_statutory_trigger_cannot_be_judged_down_on_the_page(client, tiny):
    check = services.create_check(tiny, {"indicators": ["harm-l3-1"], "facts": {"non_mobile": True}}, actor=ANON)
    made_in(client, check)
    page = url("checks:detail", public_id=check.public_id)
    html = client.get(page).content.decode()
    offered = set(re.findall(r'name="level" type="radio" value="(\d+)"', html))
    assert offered == {"4"}, "only the recommended level (or higher) is offered"
    response = client.post(page, {"level": "2", "reason": "accident"})
    assert response.status_code == 400
    check.refresh_from_db()
    assert check.judgement == ""


def test_viewing_a_check_is_audited(client):
    check = CheckFactory()
    client.get(url("checks:detail", public_id=check.public_id))
    client.get(url("checks:report", public_id=check.public_id))
    verbs = list(audit_events().filter(target_id=check.public_id).values_list("verb", flat=True))
    assert verbs == ["checks.recorded", "checks.viewed", "checks.exported"]


def test_unknown_and_malformed_check_ids_are_not_found(client):
    assert client.get("/checks/AAAAAAAAAAAAAAAAAAAAAA/").status_code == 404
    assert client.get("/checks/1/").status_code == 404
    response = client.get("/checks/%3Cscript%3E/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_decision_report_has_everything(client):
    check = CheckFactory()
    html = client.get(url("checks:report", public_id=check.public_id)).content.decode()
    for expected in (
        "Decision report",
        check.framework_name,
        "version 1.0.0",
        check.framework_hash,
        "Child is often late for school",
        "Early Help",
        "Seek consent from parents.",
        "Not yet recorded",
        "8 years",
    ):
        assert expected in html, expected


@pytest.mark.slow
def test_the_decision_report_as_pdf(client):
    check = CheckFactory()
    response = client.get(url("checks:report_pdf", public_id=check.public_id))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content) if response.streaming else response.content
    assert pdf.startswith(b"%PDF")
    assert f"decision-report-{check.public_id}.pdf" in response["Content-Disposition"]


def test_a_consent_exception_is_shown_with_the_words_that_frame_it(client, settings):
    """A 'do not' list item must never read as an instruction (Central Bedfordshire L546-L555)."""
    offer(settings, FRAMEWORKS_DIR)
    loaded = catalogue().get("central-bedfordshire")
    check = services.create_check(loaded, {"indicators": ["dev-l4-05"]}, actor=ANON)
    html = client.get(url("checks:detail", public_id=check.public_id)).content.decode()
    framed = [e for e in check.result["consent"]["exceptions"] if "at no point" in e.get("context", "")]
    assert framed, "the document's 'at no point should the professional' list is in the consent exceptions"
    for exception in framed:
        assert f"{escape(exception['context'])}</span> {escape(exception['text'])}" in html


def test_the_child_step_is_filled_in_from_the_words_for_checking(client):
    start_check(client, "Four-month-old with bruising on her arm, mum can't say how")
    client.post(url("checks:suggestions"), {"selected": ["harm-l3-1"]})
    page = client.get(url("checks:child")).content.decode()
    assert "We have filled in what your words said" in page
    assert "Age: 4 months (you wrote “Four-month-old”)" in page
    assert 'id="age_years" name="age_years" type="text" inputmode="numeric" value="0"' in page
    assert 'id="age_months" name="age_months" type="text" inputmode="numeric" value="4"' in page
    assert re.search(r'id="fact-non_mobile"[^>]*checked', page)
    assert not re.search(r'id="fact-unborn"[^>]*checked', page)
    client.post(url("checks:child"), {"age_years": "1", "age_months": "2"})  # they correct it
    again = client.get(url("checks:child") + "?change=1").content.decode()
    assert "We have filled in" not in again and 'value="2"' in again


def test_words_without_an_age_or_fact_leave_the_child_step_blank(client):
    start_check(client, "often late for school")
    page = client.get(url("checks:child")).content.decode()
    assert "We have filled in" not in page
    assert 'name="age_years" type="text" inputmode="numeric" value=""' in page


def test_a_refused_judgement_is_shown_on_the_field_it_is_about(client):
    check = made_in(client, CheckFactory())
    html = client.post(url("checks:detail", public_id=check.public_id), {"level": "3"}).content.decode()
    assert 'id="reason-error"' in html and 'id="level-error"' not in html
    assert 'aria-describedby="reason-hint reason-error"' in html


def test_the_judgement_form_offers_the_levels_the_service_allows(client, tiny):
    check = made_in(client, services.create_check(tiny, {"indicators": ["edu-l3-1"]}, actor=ANON))
    html = client.get(url("checks:detail", public_id=check.public_id)).content.decode()
    offered = [int(n) for n in re.findall(r'name="level" type="radio" value="(\d+)"', html)]
    assert offered == [n for n, _ in services.allowed_levels(check)] == [3, 4]


def test_the_journey_stores_what_was_offered_and_what_was_selected(client):
    start_check(client, "The baby has bruises")
    suggested = [m["indicator"] for m in client.session["continuum.check"]["matches"]]
    client.post(url("checks:suggestions"), {"selected": ["harm-l3-1"]})
    client.post(url("checks:answers"))
    worded = Check.objects.get()
    rows = {r.indicator_id: (r.offered, r.selected) for r in worded.indicators.all()}
    assert rows.pop("harm-l3-1") == (True, True)  # suggested and confirmed
    assert rows == {i: (True, False) for i in suggested if i != "harm-l3-1"} != {}  # suggested, left unselected

    start_check(client)  # no words: nothing is offered, the practitioner finds it by browsing
    client.post(url("checks:indicators"), {"shown": ["edu-l2-1"], "selected": ["edu-l2-1"], "action": "save"})
    client.post(url("checks:answers"))
    browsed = Check.objects.exclude(pk=worded.pk).get()
    assert [(r.indicator_id, r.offered, r.selected) for r in browsed.indicators.all()] == [("edu-l2-1", False, True)]


def test_a_framework_changed_since_the_check_began_is_said_on_the_answers_page(client, settings, tiny_copy):
    start_check(client)
    client.post(url("checks:indicators"), {"shown": ["edu-l2-1"], "selected": ["edu-l2-1"], "action": "save"})
    client.post(url("checks:strengths"), {"selected": ["family-p-1"]})
    before = client.get(url("checks:answers")).content.decode()
    assert "has changed since you started" not in before
    path = tiny_copy / "framework.yaml"
    path.write_text(path.read_text().replace(*NEW_VERSION).replace(*WITHOUT_STRENGTHS))
    offer(settings, tiny_copy.parent)
    for _ in range(2):  # said every time the page is shown, until the check is stored
        html = client.get(url("checks:answers")).content.decode()
        assert "has changed since you started this check (version 1.0.0 then, version 1.1.0 now)" in html
        assert "read under the current version" in html
        assert (
            "1 indicator you chose is no longer in it" in html
            and "<li>Parent with supportive grandparents</li>" in html
        )
    assert client.post(url("checks:answers")).status_code == 302
    check = Check.objects.get()
    assert check.framework_version == "1.1.0"
    assert check.inputs["protective"] == [] and check.inputs["dropped"] == ["Parent with supportive grandparents"]
    assert check.inputs["started_under"]["version"] == "1.0.0"


def test_a_framework_changed_without_dropping_anything_is_still_said(client, settings, tiny_copy):
    start_check(client)
    client.post(url("checks:indicators"), {"shown": ["edu-l2-1"], "selected": ["edu-l2-1"], "action": "save"})
    path = tiny_copy / "framework.yaml"
    path.write_text(path.read_text().replace(*NEW_VERSION))
    offer(settings, tiny_copy.parent)
    html = client.get(url("checks:answers")).content.decode()
    assert "has changed since you started" in html and "Every indicator you chose is still in it" in html


def test_the_signed_in_actor_makes_the_check(client, django_user_model):
    from django.test import RequestFactory

    from continuum.apps.checks.views.common import actor_for

    request = RequestFactory().get("/")
    assert actor_for(request).is_anonymous
    user = django_user_model.objects.create_user(username="teacher", password="x")
    request.actor = Actor(user=user, partnership="tiny")
    assert actor_for(request).user == user


@pytest.mark.parametrize("reason", ["\u200b\u200b\u200b", "\u202e \u2066\u200d", "\x00\x07"])
def test_a_reason_with_nothing_visible_is_refused(client, reason):
    check = made_in(client, CheckFactory())
    response = client.post(url("checks:detail", public_id=check.public_id), {"level": "3", "reason": reason})
    assert response.status_code == 400
    assert "Enter why you judge this to be a different level" in response.content.decode()
    check.refresh_from_db()
    assert check.judgement == ""


def test_a_reason_is_stored_without_bidi_overrides_or_controls(client):
    check = made_in(client, CheckFactory())
    page = url("checks:detail", public_id=check.public_id)
    response = client.post(page, {"level": "3", "reason": "Sibling \u202eon a plan\u202c\x1b[0m"})
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.judgement_reason == "Sibling on a plan[0m"
    assert audit_events().filter(verb="checks.judged").last().payload["reason"] == "Sibling on a plan[0m"


def test_the_service_refuses_an_invisible_reason_from_any_caller():
    check = CheckFactory()
    with pytest.raises(services.JudgementError, match="Enter why"):
        services.record_judgement(check, agrees=False, own_level=3, reason="\u200b\u2060", actor=ANON, made_here=True)


def _to_the_answers_page(client) -> str:
    """Answer the check up to its last page; return the answers form's submission token."""
    start_check(client)
    client.post(url("checks:indicators"), {"shown": ["edu-l2-1"], "selected": ["edu-l2-1"], "action": "save"})
    page = client.get(url("checks:answers")).content.decode()
    token = re.search(r'name="submission" value="([0-9a-f-]{36})"', page)
    assert token, "the answers form carries a submission token"
    return token.group(1)


def test_two_submissions_of_the_same_answers_store_one_check(client):
    token = _to_the_answers_page(client)
    assert client.get(url("checks:answers")).content.decode().count(token) == 1  # the same token when shown again
    first = client.post(url("checks:answers"), {"submission": token})
    second = client.post(url("checks:answers"), {"submission": token})  # a double click
    check = Check.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == url("checks:detail", public_id=check.public_id)
    assert str(check.submission) == token
    assert audit_events().filter(verb="checks.recorded").count() == 1


def test_a_new_check_gets_a_new_token(client):
    token = _to_the_answers_page(client)
    client.post(url("checks:answers"), {"submission": token})
    again = _to_the_answers_page(client)
    assert again != token
    client.post(url("checks:answers"), {"submission": again})
    assert Check.objects.count() == 2


def test_create_check_is_idempotent_per_submission(tiny):
    token = uuid.uuid4()
    inputs = {"indicators": ["edu-l2-1"], "protective": [], "facts": {}, "age_years": None, "text": ""}
    first = services.create_check(tiny, inputs, actor=ANON, submission=token)
    second = services.create_check(tiny, inputs, actor=ANON, submission=token)
    assert first.pk == second.pk and Check.objects.count() == 1
    services.create_check(tiny, inputs, actor=ANON)  # no token: a new check each time
    services.create_check(tiny, inputs, actor=ANON)
    assert Check.objects.count() == 3


def test_a_submission_that_loses_the_race_returns_the_stored_check(tiny, monkeypatch):
    """Two submissions both find no check, then both insert: the unique token lets one win."""
    token = uuid.uuid4()
    inputs = {"indicators": ["edu-l2-1"], "protective": [], "facts": {}, "age_years": None, "text": ""}
    winner = services.create_check(tiny, inputs, actor=ANON, submission=token)
    real_filter = Check.objects.filter
    monkeypatch.setattr(
        Check.objects, "filter", lambda **kw: real_filter(pk=-1) if "submission" in kw else real_filter(**kw)
    )
    loser = services.create_check(tiny, inputs, actor=ANON, submission=token)
    assert loser.pk == winner.pk and Check.objects.count() == 1
    assert audit_events().filter(verb="checks.recorded").count() == 1
