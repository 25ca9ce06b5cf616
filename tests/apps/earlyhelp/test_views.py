"""Early help's pages: the draft assessment from start to submit, the plan's conflict message, consent withdrawal,
the printable records, the lead professional's lists, and who may open what."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from continuum.apps.accounts import permissions
from continuum.apps.accounts.actor import Role
from continuum.apps.accounts.models import Membership
from continuum.apps.audit.queries import access_log, for_target
from continuum.apps.audit.queries import events as audit_events
from continuum.apps.earlyhelp import services
from continuum.apps.earlyhelp.models import Episode, PlanAction, Status, StepDown
from tests.django_support import submission_token
from tests.people import client_for

from .conftest import OTHER, OWN
from .factories import EpisodeFactory, level_two_check

pytestmark = pytest.mark.django_db


def url(name: str, *args: Any) -> str:
    return reverse(f"earlyhelp:{name}", args=args)


def test_starting_again_from_the_same_check_goes_to_the_assessment_under_way(acting):
    """Found by the early help walk: the same check started again from a fresh page (another day, another tab)
    made a second draft for the same family. It now goes to the one under way (a draft or open, not closed)."""
    actor = acting(Role.PRACTITIONER)
    client = client_for(actor)
    check = level_two_check(actor)
    first = client.post(url("start", check.public_id))
    again = client.post(url("start", check.public_id))
    episode = Episode.objects.get()
    assert first["Location"] == again["Location"] == url("tasks", episode.public_id)
    assert services.start_from_check(actor, level_two_check(actor)).pk != episode.pk  # another check: another


def test_a_need_posted_twice_is_kept_once(acting):
    """Noticed by the early help walk: the needs page kept a need as often as it was posted."""
    actor = acting(Role.PRACTITIONER)
    client = client_for(actor)
    client.post(url("start", level_two_check(actor).public_id))
    episode = Episode.objects.get()
    posted = {"needs": ["edu-l2-1", "edu-l2-1"], "strengths": ["family-p-1", "family-p-1"]}
    assert client.post(url("needs", episode.public_id), posted).status_code == 302
    episode.refresh_from_db()
    assert episode.needs == ["edu-l2-1"] and episode.strengths == ["family-p-1"]


def test_a_practitioner_starts_from_their_check_fills_the_sections_and_submits(acting):
    actor = acting(Role.PRACTITIONER)
    client = client_for(actor)
    check = level_two_check(actor)
    page = client.get(url("start", check.public_id))
    assert page.status_code == 200
    assert "Any practitioner working with the family may start it." in page.content.decode()
    assert "the document, line 15" in page.content.decode()
    response = client.post(url("start", check.public_id))
    episode = Episode.objects.get()
    assert response.status_code == 302 and response["Location"] == url("tasks", episode.public_id)

    tasks = client.get(url("tasks", episode.public_id)).content.decode()
    assert "govuk-task-list" in tasks and "You have completed 0 of 4 sections" in tasks

    bad = client.post(
        url("family", episode.public_id), {"add": "1", "kind": "child", "first_name": "", "last_name": "Smith"}
    )
    assert bad.status_code == 400 and "Enter their first name" in bad.content.decode()
    assert not episode.family.exists()
    client.post(
        url("family", episode.public_id),
        {"add": "1", "kind": "child", "first_name": "Ava", "last_name": "Smith", "date_of_birth": "01/05/2018"},
    )
    client.post(
        url("family", episode.public_id), {"add": "1", "kind": "adult", "first_name": "Pat", "last_name": "Smith"}
    )
    assert client.post(url("family", episode.public_id)).status_code == 302

    needs_page = client.get(url("needs", episode.public_id)).content.decode()
    assert re.search(r'value="edu-l2-1"[^>]* checked', needs_page)  # pre-filled from the check
    empty = client.post(url("needs", episode.public_id), {"strengths": ["family-p-1"]})
    assert empty.status_code == 400 and "Select at least one need" in empty.content.decode()
    client.post(url("needs", episode.public_id), {"needs": ["edu-l2-1"], "strengths": ["family-p-1"]})
    client.post(url("voice", episode.public_id), {"family_voice": "Mornings are hard."})

    # Resumable: the draft is in the database, so a new session picks it up where it was left.
    resumed = client_for(actor).get(url("tasks", episode.public_id)).content.decode()
    assert "You have completed 3 of 4 sections" in resumed

    answers = client.get(url("check_answers", episode.public_id)).content.decode()
    assert "Record the family&#x27;s consent" in answers and "Submit the assessment" not in answers
    parent = episode.family.get(kind="adult")
    client.post(
        url("consent", episode.public_id),
        {"given_by": parent.pk, "to_what": "Assessment and plan", "share_with": "School, GP", "shares_with_team": "on"},
    )
    assert episode.consents.get().share_with == ["School", "GP"]
    assert "Submit the assessment" in client.get(url("check_answers", episode.public_id)).content.decode()
    done = client.post(url("check_answers", episode.public_id))
    assert done.status_code == 302 and done["Location"] == url("record", episode.public_id)
    episode.refresh_from_db()
    assert episode.status == Status.OPEN
    record = client.get(url("record", episode.public_id)).content.decode()
    assert "The document says: “The first review should take place within 12 weeks.”" in record
    assert "An early help assessment was submitted: the episode is open" in record  # the timeline, in words


def test_every_showing_of_the_record_is_in_the_access_log(acting):
    lead = acting()
    episode = EpisodeFactory(actor=lead)
    client = client_for(lead)
    client.get(url("record", episode.public_id))
    client.get(url("print", episode.public_id, "consent"))
    purposes = [e.payload["purpose"] for e in access_log(episode)]
    assert purposes == ["page", "print consent"]
    assert {e.verb for e in access_log(episode)} == {"earlyhelp.viewed"}


def test_someone_outside_the_family_gets_not_found_and_other_roles_are_refused(acting):
    episode = EpisodeFactory(actor=acting())
    assert client_for(acting(Role.PRACTITIONER)).get(url("record", episode.public_id)).status_code == 404
    assert client_for(acting(Role.FRONT_DOOR_WORKER)).get(url("record", episode.public_id)).status_code == 403
    assert Client().get(url("record", episode.public_id)).status_code == 302  # sign in first
    assert not access_log(episode).exists()


def test_withdrawing_consent_on_the_page_cuts_the_member_off(acting):
    lead, member = acting(), acting(Role.PRACTITIONER)
    episode = EpisodeFactory(actor=lead)
    services.add_team_member(
        lead, episode, expected_version=Episode.objects.get(pk=episode.pk).version, user=member.user, agency="School"
    )
    member_client = client_for(member)
    assert member_client.get(url("record", episode.public_id)).status_code == 200
    consent = episode.consents.get()
    response = client_for(lead).post(
        url("open_consent", episode.public_id), {"withdraw": consent.pk, "note": "By phone"}
    )
    assert response.status_code == 302
    assert member_client.get(url("record", episode.public_id)).status_code == 404
    page = client_for(lead).get(url("record", episode.public_id)).content.decode()
    assert "Sharing stopped from then on." in page and "By phone" in page


def test_a_withdrawal_note_is_kept_without_control_or_bidirectional_characters(acting):
    """Found by the early help walk (tests/fuzz/test_earlyhelp_journey.py): the withdrawal note was stored as
    posted, the only free text in early help not cleaned; on PostgreSQL a NUL character in it was a 500."""
    lead = acting()
    episode = EpisodeFactory(actor=lead)
    consent = episode.consents.get()
    note = " By\x00 phone\u202e\x1b "
    response = client_for(lead).post(url("open_consent", episode.public_id), {"withdraw": consent.pk, "note": note})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and consent.withdrawal_note == "By phone"


INVALID_POSTS = {  # page → a post its form refuses (400) from someone allowed to make it
    "needs": {"needs": ["not-an-indicator"]},
    "voice": {"family_voice": ""},
    "family": {},  # "Save and return" with no child in the family
}


@pytest.mark.parametrize("page", sorted(INVALID_POSTS))
def test_who_may_not_edit_the_draft_is_refused_before_what_they_posted_is_checked(acting, page):
    lead = acting(Role.PRACTITIONER)
    episode = services.start_from_check(lead, level_two_check(lead))
    target = url(page, episode.public_id)
    assert client_for(lead).post(target, INVALID_POSTS[page]).status_code == 400
    assert client_for(acting(Role.FRONT_DOOR_WORKER)).post(target, INVALID_POSTS[page]).status_code == 403
    assert client_for(acting(Role.PRACTITIONER)).post(target, INVALID_POSTS[page]).status_code == 404
    episode.refresh_from_db()
    assert episode.sections_done == []


def test_who_may_not_edit_a_closed_record_is_refused_before_a_withdrawal_is_recorded(acting):
    lead = acting()
    episode = EpisodeFactory(actor=lead)
    consent = episode.consents.get()
    services.close(lead, episode, code="needs-met")
    target, posted = url("open_consent", episode.public_id), {"withdraw": consent.pk}
    assert client_for(acting(Role.FRONT_DOOR_WORKER)).post(target, posted).status_code == 403
    assert client_for(acting(Role.PRACTITIONER)).post(target, posted).status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    assert client_for(lead).post(target, posted).status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_a_stale_plan_edit_is_refused_with_a_clear_message_and_the_input_kept(acting):
    lead = acting()
    episode = EpisodeFactory(actor=lead)
    client = client_for(lead)
    member = {"form": "member", "version": episode.version, "name": "Jo Bloggs", "agency": "School nursing"}
    seen = Episode.objects.get(pk=episode.pk).version
    assert client.post(url("plan", episode.public_id), {**member, "version": seen}).status_code == 302
    owner = episode.team.get()
    stale = {
        "form": "action",
        "version": seen,
        "description": "Morning routine chart",
        "owner": owner.pk,
        "due_date": "01/01/2099",
    }
    response = client.post(url("plan", episode.public_id), stale)
    body = response.content.decode()
    assert response.status_code == 400
    assert "Someone else changed this family" in body and "Morning routine chart" in body  # nothing lost
    assert not PlanAction.objects.exists()
    fresh = {**stale, "version": Episode.objects.get(pk=episode.pk).version}
    assert client.post(url("plan", episode.public_id), fresh).status_code == 302
    assert PlanAction.objects.get().description == "Morning routine chart"


def test_the_consent_record_and_the_plan_print_and_download_as_pdf(acting):
    lead = acting()
    episode = EpisodeFactory(actor=lead)
    client = client_for(lead)
    consent = client.get(url("print", episode.public_id, "consent")).content.decode()
    assert (
        "Consent record" in consent
        and "An early help assessment and plan" in consent
        and "School, Health visiting" in consent
    )
    plan = client.get(url("print", episode.public_id, "plan")).content.decode()
    assert "The family's plan" in plan and "Review 1 due" in plan
    assert client.get(url("print", episode.public_id, "secrets")).status_code == 404
    pdf = client.get(url("pdf", episode.public_id, "plan"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_the_caseload_and_reviews_due_list_only_the_leads_families(acting):
    lead, other = acting(), acting()
    mine, theirs = EpisodeFactory(actor=lead), EpisodeFactory(actor=other)
    client = client_for(lead)
    caseload = client.get(url("caseload")).content.decode()
    assert mine.public_id in caseload and theirs.public_id not in caseload
    due = client.get(url("reviews_due")).content.decode()
    assert mine.public_id in due and theirs.public_id not in due and "The document" in due


def _listed(verb: str = "earlyhelp.listed") -> list[tuple[str, str, str, list[str]]]:
    """The list pages' access events: target, which list, and the references each named."""
    found = []
    for event in access_log().filter(verb=verb):
        which, _, named = event.payload["purpose"].partition(" listed: ")
        found.append((event.target_type, event.target_id, which, named.split(", ")))
    return found


def _acting_as(actor: Any) -> tuple[str, str]:
    """The list events' target: the membership the person acts in (label, id)."""
    membership = Membership.objects.get(user=actor.user, partnership=actor.partnership, role=actor.role)
    return "accounts.membership", str(membership.pk)


def test_the_caseload_page_writes_one_access_event_naming_every_family_it_lists(acting):
    """The caseload names families but wrote nothing to the access log. Now one event per page view names
    every episode it listed (as the front door's queue does), its target the membership the lead acts in;
    another lead's families and another partnership's are not named."""
    lead = acting()
    draft, open_ = EpisodeFactory(actor=lead, submitted=False), EpisodeFactory(actor=lead)
    EpisodeFactory(actor=acting()), EpisodeFactory(actor=acting(Role.EARLY_HELP, OTHER))
    client, before = client_for(lead), audit_events().count()
    page = client.get(url("caseload"))
    assert page.status_code == 200 and draft.public_id in page.content.decode()
    assert audit_events().count() == before + 1
    [(target_type, target_id, which, named)] = _listed()
    assert (target_type, target_id, which) == (*_acting_as(lead), "early help caseload")
    assert sorted(named) == sorted([draft.public_id, open_.public_id])
    assert not access_log(draft).exists() and not access_log(open_).exists()  # one event, not one per row
    client.get(url("caseload"))
    assert len(_listed()) == 2  # every page view


def test_the_reviews_due_page_writes_one_access_event_naming_every_family_it_lists(acting):
    """Reviews due names families too: one event per page view naming each open episode listed (a draft has
    no review due); nothing else is made or changed for it."""
    lead = acting()
    first, second = EpisodeFactory(actor=lead), EpisodeFactory(actor=lead)
    EpisodeFactory(actor=lead, submitted=False), EpisodeFactory(actor=acting())
    EpisodeFactory(actor=acting(Role.EARLY_HELP, OTHER))
    before = audit_events().count()
    assert client_for(lead).get(url("reviews_due")).status_code == 200
    assert audit_events().count() == before + 1
    [(target_type, target_id, which, named)] = _listed()
    assert (target_type, target_id, which) == (*_acting_as(lead), "early help reviews due")
    assert sorted(named) == sorted([first.public_id, second.public_id])
    assert services.partnership_settings(OWN) is None


def test_an_empty_caseload_or_reviews_due_page_writes_nothing(acting):
    """A page listing no family writes no event; once it lists one, it writes one."""
    lead = acting()
    EpisodeFactory(actor=acting())  # another lead's family
    client, before = client_for(lead), audit_events().count()
    assert "You lead no open early help episodes" in client.get(url("caseload")).content.decode()
    assert "No reviews are due" in client.get(url("reviews_due")).content.decode()
    assert audit_events().count() == before
    draft = EpisodeFactory(actor=lead, submitted=False)  # on the caseload, with no review due
    assert "No reviews are due" in client.get(url("reviews_due")).content.decode()
    assert not _listed()
    client.get(url("caseload"))
    assert [named for *_, named in _listed()] == [[draft.public_id]]


@pytest.mark.parametrize("page", ["caseload", "reviews_due"])
def test_a_list_page_whose_access_event_fails_is_not_shown(acting, monkeypatch, page):
    from continuum.apps.audit import services as audit_services

    lead = acting()
    EpisodeFactory(actor=lead)

    def failing(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the access log is down")

    monkeypatch.setattr(audit_services, "record_access", failing)
    with pytest.raises(RuntimeError, match="the access log is down"):
        client_for(lead).get(url(page))


def test_closing_from_the_page_needs_a_reason(acting):
    lead = acting()
    episode = EpisodeFactory(actor=lead)
    client = client_for(lead)
    missing = client.post(url("close", episode.public_id), {"code": "other", "text": ""})
    assert missing.status_code == 400 and "Enter why the episode is closing" in missing.content.decode()
    assert client.post(url("close", episode.public_id), {"code": "needs-met"}).status_code == 302
    assert Episode.objects.get(pk=episode.pk).closure_code == "needs-met"


def test_the_receiving_team_answers_a_step_down_on_its_page(acting):
    services.change_settings(acting(Role.PARTNERSHIP_ADMIN), step_down_response="5 working days")
    handed = services.request_step_down(
        acting(Role.FRONT_DOOR_WORKER),
        origin="front-door",
        source_reference="R-7",
        family=[{"kind": "child", "first_name": "Mo", "last_name": "Ali"}],
        reason="Early help decided",
    )
    team = client_for(acting(Role.EARLY_HELP))
    listing = team.get(url("step_downs")).content.decode()
    assert "R-7" in listing
    refused = team.post(url("step_down", handed.public_id), {"answer": "refuse", "reason": ""})
    assert refused.status_code == 400 and "Enter a reason" in refused.content.decode()
    assert [e.payload["purpose"] for e in access_log(handed)] == ["step-downs list", "step-down page"]
    accepted = team.post(url("step_down", handed.public_id), {"answer": "accept"})
    episode = Episode.objects.get()
    assert accepted["Location"] == url("tasks", episode.public_id)


def test_a_refused_answer_to_a_step_down_writes_nothing_not_even_the_access_log(acting):
    """The step-down page wrote its access-log entry before it asked whether the person may answer: the
    front-door worker who asked for the step-down, posting an answer, was refused (403) with a "viewed" event
    left behind. Who may answer is now asked first, the role before which step-down (403, then 404), and a
    refused answer, whatever it posted, writes nothing at all; showing the page is still logged."""
    asker = acting(Role.FRONT_DOOR_WORKER)
    handed = services.request_step_down(
        asker,
        origin="front-door",
        source_reference="R-9",
        family=[{"kind": "child", "first_name": "Mo", "last_name": "Ali"}],
        reason="Early help decided",
    )
    target, before = url("step_down", handed.public_id), audit_events().count()
    posts = ({"answer": "accept"}, {"answer": "refuse", "reason": ""}, {"answer": "refuse", "reason": "No"})
    for posted in posts:  # the asker sees the step-down, but answering is the receiving team's
        assert client_for(asker).post(target, posted).status_code == 403
        assert audit_events().count() == before, posted
    for role in (Role.PRACTITIONER, Role.FRONT_DOOR_WORKER):  # a role that may not answer: 403 before 404
        assert client_for(acting(role)).post(target, posts[0]).status_code == 403
    assert client_for(acting(Role.EARLY_HELP, OTHER)).post(target, posts[0]).status_code == 404
    assert audit_events().count() == before
    assert StepDown.objects.get().state == "requested" and not Episode.objects.exists()
    assert client_for(asker).get(target).status_code == 200
    assert [e.payload["purpose"] for e in access_log(handed)] == ["step-down page"]


def test_a_close_form_sent_again_is_no_way_past_a_refusal_to_close(acting, monkeypatch):
    """The close page answered a form sent again (its token already stored: a redirect) before it asked whether
    the person may close this record, and wrote the access log before that refusal too. Who may close is now
    asked first. Today the role and the record's visibility (asked before) decide it; a rule for closing
    stricter than seeing the record (here: no one may close it) stands for any refusal that comes after them."""
    lead = acting()
    episode = EpisodeFactory(actor=lead)
    client, target = client_for(lead), url("close", episode.public_id)
    token = submission_token(client.get(target).content.decode())
    closing = {"code": "needs-met", "submission": token}
    assert client.post(target, closing).status_code == 302
    assert Episode.objects.get(pk=episode.pk).status == Status.CLOSED
    seen = access_log(episode).count()
    again = client.post(target, closing)  # may close: the same form again is the closure already made
    assert again.status_code == 302 and again["Location"] == url("record", episode.public_id)
    assert access_log(episode).count() == seen + 1  # and logged, as before

    monkeypatch.setitem(permissions.RECORD_ACTIONS, "earlyhelp.close", permissions.OWNER)  # an episode has no owner
    before, about = audit_events().count(), for_target(episode).count()
    assert client.post(target, closing).status_code == 403  # the same form again: refused, not redirected
    revising = {"code": "other", "text": "", "reason": ""}  # a fresh form, and an invalid change
    assert client.post(target, revising).status_code == 403  # refused before the form is read
    assert audit_events().count() == before and for_target(episode).count() == about
    assert not episode.closure_revisions.exists()


def _parent(episode: Episode) -> int:
    return episode.family.get(kind="adult").pk


SAVING_PAGES = {  # a view kind that saves → (its page, its args, the action it does, a valid post, an invalid one)
    "draft section": ("voice", (), "earlyhelp.edit", lambda e: {"family_voice": "Mornings."}, {"family_voice": ""}),
    "consent": (
        "open_consent",
        (),
        "earlyhelp.edit",
        lambda e: {"given_by": _parent(e), "to_what": "The plan", "share_with": "GP", "shares_with_team": "on"},
        {"given_by": "", "to_what": ""},
    ),
    "plan": (
        "plan",
        (),
        "earlyhelp.edit",
        lambda e: {"form": "member", "version": e.version, "name": "Jo Bloggs", "agency": "School nursing"},
        {"form": "member", "version": "", "name": ""},
    ),
    "review": ("review", (1,), "earlyhelp.edit", lambda e: {"summary": "Better", "needs": ["edu-l2-1"]}, {}),
    "step-up": ("step_up", (), "earlyhelp.step_up", lambda e: {"reason": "Needs social care"}, {"reason": ""}),
}


@pytest.mark.parametrize("kind", sorted(SAVING_PAGES))
def test_a_saving_form_sent_again_is_no_way_past_a_refusal(acting, monkeypatch, kind):
    """The saving pages asked who may save only in the service, after the form was read, and a form sent
    again (its token stored) was answered before that: a redirect, and the access log written, for someone
    who may not save. Each page now names its action when it loads the record (403 first). Today the role
    and the record's visibility decide it; a record rule stricter than seeing it (no one owns an episode)
    stands for any refusal that comes after them."""
    page, args, action, valid, invalid = SAVING_PAGES[kind]
    lead = acting()
    episode = EpisodeFactory(actor=lead, submitted=kind != "draft section")
    client, target = client_for(lead), url(page, episode.public_id, *args)
    saved = {**valid(episode), "submission": submission_token(client.get(target).content.decode())}
    assert client.post(target, saved).status_code == 302
    assert client.post(target, saved).status_code == 302  # may save: the same form again is what was saved

    monkeypatch.setitem(permissions.RECORD_ACTIONS, action, permissions.OWNER)  # an episode has no owner
    before = audit_events().count()
    assert client.post(target, saved).status_code == 403  # the same form again: refused, not redirected
    assert client.post(target, invalid).status_code == 403  # a fresh, invalid form: refused before it is read
    assert audit_events().count() == before  # nothing written, the access log included
    assert client.get(target).status_code == 200  # seeing the page asks nothing more than seeing the record


def test_the_admin_sets_the_partnerships_intervals_and_bad_ones_are_refused(acting):
    client = client_for(acting(Role.PARTNERSHIP_ADMIN))
    bad = client.post(url("settings"), {"review_interval": "every so often"})
    assert bad.status_code == 400 and "cannot read" in bad.content.decode()
    assert client.post(url("settings"), {"review_interval": "6 weeks"}).status_code == 302
    assert services.partnership_settings(OWN).review_interval == "6 weeks"
    assert client_for(acting(Role.EARLY_HELP)).get(url("settings")).status_code == 403


def test_the_front_door_steps_a_child_down_and_sees_where_it_stands_but_cannot_answer(acting):
    worker = acting(Role.FRONT_DOOR_WORKER)
    client = client_for(worker)
    form = {"origin": "social-care", "source_reference": "CIN-9", "child_first_name": "Mo", "child_last_name": "Ali"}
    missing = client.post(url("new_step_down"), {**form, "reason": ""})
    assert missing.status_code == 400 and "Enter why early help is right for the family now" in missing.content.decode()
    assert not StepDown.objects.exists()
    made = client.post(
        url("new_step_down"),
        {
            **form,
            "reason": "Plan ended",
            "carer_name": "Sara Ali",
            "carer_relationship": "mother",
            "date_of_birth": "01/09/2017",
        },
    )
    handed = StepDown.objects.get()
    assert made["Location"] == url("step_down", handed.public_id)
    assert handed.family[1] == {"kind": "adult", "first_name": "Sara", "last_name": "Ali", "relationship": "mother"}
    page = client.get(url("step_down", handed.public_id)).content.decode()
    assert "Waiting for early help" in page and "Accept and start the assessment" not in page
    assert client.post(url("step_down", handed.public_id), {"answer": "accept"}).status_code == 403
    assert StepDown.objects.get().state == "requested"
    assert client_for(acting(Role.PRACTITIONER)).get(url("new_step_down")).status_code == 403


def test_the_team_starts_from_a_front_door_decision_on_its_page_and_the_list_is_logged(acting):
    from .test_queries import _decided_referral

    referral = _decided_referral(OWN, "early-help", acting(Role.FRONT_DOOR_WORKER).user)
    team = client_for(acting(Role.EARLY_HELP))
    listing = team.get(url("front_door")).content.decode()
    assert referral.public_id in listing and "Mo Ali" in listing
    assert [e.payload["purpose"] for e in access_log(referral)] == ["early help: front-door decisions list"]
    started = team.post(url("front_door"), {"referral": referral.public_id})
    episode = Episode.objects.get()
    assert started["Location"] == url("tasks", episode.public_id) and episode.source_reference == referral.public_id
    assert team.post(url("front_door"), {"referral": referral.public_id}).status_code == 404  # no longer waiting


def test_the_step_up_page_asks_for_a_missing_date_of_birth_and_steps_up_once_given(acting):
    """A child recorded without a date of birth is no dead end: the step-up page asks for it (or a due date)."""
    from continuum.apps.earlyhelp.models import FamilyMember

    lead = acting()
    episode = EpisodeFactory(actor=lead)
    child = episode.family.get(kind="child")
    FamilyMember.objects.filter(pk=child.pk).update(date_of_birth=None)
    client, target = client_for(lead), url("step_up", episode.public_id)
    page = client.get(target).content.decode()
    assert "Dates of birth" in page and f'name="dob_{child.pk}"' in page and f'name="unborn_{child.pk}"' in page
    refused = client.post(target, {"reason": "Needs social care"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert f'<a href="#dob_{child.pk}">Enter the date of birth of {child}, or the due date if not yet born</a>' in html
    assert Episode.objects.get(pk=episode.pk).status == Status.OPEN
    stepped = client.post(target, {"reason": "Needs social care", f"dob_{child.pk}": "03/02/2016"})
    assert stepped.status_code == 302
    assert Episode.objects.get(pk=episode.pk).status == Status.CLOSED
    assert str(FamilyMember.objects.get(pk=child.pk).date_of_birth) == "2016-02-03"
