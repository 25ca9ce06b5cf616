"""A second answer to what was already answered is refused on the page, never a server error; the same form
sent twice (a double click) is stored once.

Found by the POST fuzzing (tests/fuzz/test_posts.py): withdrawing a consent already withdrawn, or accepting a
step-down already answered (a second click from a page shown before the first), raised inside the view
(an error added to a form that was not bound) and gave a 500; a consent number that is not a number did too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from continuum.apps.accounts.actor import Role
from continuum.apps.audit.queries import events as audit_events
from continuum.apps.earlyhelp import services
from continuum.apps.earlyhelp.models import Episode
from tests.django_support import submission_token
from tests.people import client_for

from .factories import EpisodeFactory, level_two_check

pytestmark = pytest.mark.django_db

SUMMARY = 'class="govuk-error-summary"'


def url(name: str, *args: Any) -> str:
    return reverse(f"earlyhelp:{name}", args=args)


def test_withdrawing_a_consent_already_withdrawn_is_refused_on_the_page(acting):
    lead = acting()
    episode = EpisodeFactory(actor=lead)
    consent = episode.consents.get()
    client = client_for(lead)
    assert client.post(url("open_consent", episode.public_id), {"withdraw": consent.pk}).status_code == 302
    again = client.post(url("open_consent", episode.public_id), {"withdraw": consent.pk})
    assert again.status_code == 400
    assert SUMMARY in again.content.decode() and "already withdrawn" in again.content.decode()


@pytest.mark.parametrize("number", ["", "x", "1e309", "99999999999999999999999999", "\x00"])
def test_withdrawing_a_consent_that_is_not_on_the_record_is_not_found(acting, number):
    lead = acting()
    episode = EpisodeFactory(actor=lead)
    response = client_for(lead).post(url("open_consent", episode.public_id), {"withdraw": number})
    assert response.status_code == 404
    assert episode.consents.get().withdrawn_at is None


def test_accepting_a_step_down_already_answered_is_refused_on_the_page(acting):
    services.change_settings(acting(Role.PARTNERSHIP_ADMIN), step_down_response="5 working days")
    handed = services.request_step_down(
        acting(Role.FRONT_DOOR_WORKER),
        origin="front-door",
        source_reference="R-8",
        family=[{"kind": "child", "first_name": "Mo", "last_name": "Ali"}],
        reason="Early help decided",
    )
    team = client_for(acting(Role.EARLY_HELP))
    assert team.post(url("step_down", handed.public_id), {"answer": "accept"}).status_code == 302
    again = team.post(url("step_down", handed.public_id), {"answer": "accept"})
    assert again.status_code == 400
    assert SUMMARY in again.content.decode() and "already been answered" in again.content.decode()
    assert Episode.objects.count() == 1


def test_saving_the_family_with_no_child_is_refused_on_the_page(acting):
    """Found by the early help walk (tests/fuzz/test_earlyhelp_journey.py): "Save and return" on the family
    page before a child was added put the service's refusal on the unbound form to add someone: a 500."""
    lead = acting(Role.PRACTITIONER)
    episode = services.start_from_check(lead, level_two_check(lead))
    services.add_family_member(lead, episode, kind="adult", first_name="Pat", last_name="Smith")
    response = client_for(lead).post(url("family", episode.public_id), {"submission": "x"})
    assert response.status_code == 400
    page = response.content.decode()
    assert SUMMARY in page and "Add at least one child to the family" in page and 'href="#first_name"' in page
    episode.refresh_from_db()
    assert episode.sections_done == []


def test_progress_saved_twice_with_the_same_form_is_saved_once_and_not_called_someone_elses_change(acting):
    """Found by the early help walk: a double click on "Save progress" showed "Someone else changed this
    family's plan" (the first click had moved the plan's version on)."""
    lead = acting()
    episode = EpisodeFactory(actor=lead)
    nurse = services.add_team_member(lead, episode, expected_version=episode.version, name="Jo Bloggs", agency="Health")
    episode.refresh_from_db()
    action = services.add_action(
        lead, episode, expected_version=episode.version, description="Routine chart", owner=nurse, due_date=date.today()
    )
    client = client_for(lead)
    page = client.get(url("plan", episode.public_id)).content.decode()
    episode.refresh_from_db()
    data = {
        "form": "progress",
        "version": episode.version,
        "action": action.pk,
        "progress": "Chart on the fridge",
        "submission": submission_token(page[page.rindex("<form", 0, page.index('value="progress"')) :]),
    }
    answers = [client.post(url("plan", episode.public_id), data).status_code for _ in range(2)]
    assert answers == [302, 302]
    action.refresh_from_db()
    assert action.progress == "Chart on the fridge"
    assert audit_events().filter(verb="earlyhelp.plan_changed", payload__change="progress").count() == 1


SECTION_FORMS = {  # section → what its page's form posts (the family page's "Save and return" posts only its token)
    "family": {},
    "needs": {"needs": ["edu-l2-1"], "strengths": ["family-p-1"], "strengths_text": "Grandparents nearby"},
    "voice": {"family_voice": "Mornings are hard."},
}


@pytest.mark.parametrize("section", sorted(SECTION_FORMS))
def test_a_section_saved_twice_with_the_same_form_is_saved_once(acting, section):
    """A double click on "Save and return to the task list" (family, strengths and needs, the family's voice)
    recorded one more "section saved" event each time: the section forms' token was ignored. The second
    sending now stores nothing and records nothing, and lands where the first did."""
    lead = acting(Role.PRACTITIONER)
    episode = services.start_from_check(lead, level_two_check(lead))
    services.add_family_member(lead, episode, kind="child", first_name="Ava", last_name="Smith")
    client = client_for(lead)
    page = client.get(url(section, episode.public_id)).content.decode()
    token = submission_token(page[page.rindex("<form") :])  # the family page's last form saves the section
    data = {**SECTION_FORMS[section], "submission": token}
    answers = [client.post(url(section, episode.public_id), data) for _ in range(2)]
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"] == url("tasks", episode.public_id)
    saved = audit_events().filter(verb="earlyhelp.section_saved")
    assert [e.payload["section"] for e in saved] == [section]
    episode.refresh_from_db()
    assert episode.sections_done == [section]
    if section == "voice":
        assert episode.family_voice == "Mornings are hard."
    # A new showing of the page is a new form: saving it again is a new save.
    page = client.get(url(section, episode.public_id)).content.decode()
    data["submission"] = submission_token(page[page.rindex("<form") :])
    assert client.post(url(section, episode.public_id), data).status_code == 302
    assert audit_events().filter(verb="earlyhelp.section_saved").count() == 2


def test_the_same_form_sent_again_with_other_answers_is_refused_not_dropped(acting):
    """The form's token once stored what was sent first; the same token with a changed answer (the page
    kept open, changed and sent again) returned the first save and dropped the change without a word.
    It is now answered "already sent" (409) with a way back, and nothing of the second sending is kept."""
    lead = acting(Role.PRACTITIONER)
    episode = services.start_from_check(lead, level_two_check(lead))
    client = client_for(lead)
    target = url("voice", episode.public_id)
    page = client.get(target).content.decode()
    token = submission_token(page[page.rindex("<form") :])
    first = client.post(target, {"family_voice": "Mornings are hard.", "submission": token})
    assert first.status_code == 302
    changed = client.post(
        target, {"family_voice": "Evenings are hard.", "submission": token}, HTTP_REFERER=f"http://testserver{target}"
    )
    assert changed.status_code == 409
    body = changed.content.decode()
    assert "This form was already sent" in body and "none of them were saved" in body
    assert f'href="http://testserver{target}"' in body
    episode.refresh_from_db()
    assert episode.family_voice == "Mornings are hard."
    assert audit_events().filter(verb="earlyhelp.section_saved").count() == 1


def test_a_way_back_to_another_site_is_not_offered(acting):
    lead = acting(Role.PRACTITIONER)
    episode = services.start_from_check(lead, level_two_check(lead))
    client = client_for(lead)
    target = url("voice", episode.public_id)
    token = submission_token(client.get(target).content.decode().rsplit("<form", 1)[1])
    assert client.post(target, {"family_voice": "Mornings.", "submission": token}).status_code == 302
    changed = client.post(
        target, {"family_voice": "Nights.", "submission": token}, HTTP_REFERER="https://evil.example/"
    )
    assert changed.status_code == 409
    assert "evil.example" not in changed.content.decode()
