"""A check's judgement is a decision record (ADR 0018): written once by the person who made the check, a
change of mind is a new, attributed entry beside it, and the check's link alone never grants either."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.accounts.permissions import Refused
from continuum.apps.audit.queries import events as audit_events
from continuum.apps.checks import services
from continuum.apps.checks.models import Check, JudgementRevision, LowerView
from tests.django_support import submission_token as token
from tests.people import client_for, member

from .factories import CheckFactory, made_in

pytestmark = pytest.mark.django_db

ANON = Actor.anonymous()


def practitioner(name: str = "pat") -> Actor:
    return member(Role.PRACTITIONER, "tiny", username=name, first_name=name.title(), last_name="Teacher")


def page(check: Check) -> str:
    return reverse("checks:detail", kwargs={"public_id": check.public_id})


def test_a_link_alone_records_nothing(client):
    check = CheckFactory()  # made without signing in, in another browser
    html = client.get(page(check)).content.decode()
    assert 'name="level"' not in html and "Only the person who made this check" in html
    assert client.post(page(check), {"level": "3", "reason": "I have the link"}).status_code == 403
    lower = reverse("checks:lower_view", kwargs={"public_id": check.public_id})
    assert client.post(lower, {"lower_level": "1", "lower_reason": "I have the link"}).status_code == 403
    check.refresh_from_db()
    assert check.judgement == "" and LowerView.objects.count() == 0
    assert not audit_events().filter(verb__in=["checks.judged", "checks.lower_view_recorded"]).exists()


def test_the_session_that_made_the_check_records_its_judgement_through_the_journey(client):
    assert client.post(reverse("checks:partnership"), {"partnership": "tiny"}).status_code == 302
    client.post(reverse("checks:concern"), {"text": ""})
    client.post(reverse("checks:indicators"), {"shown": ["edu-l2-1"], "selected": ["edu-l2-1"], "action": "save"})
    answers = client.get(reverse("checks:answers")).content.decode()
    made = client.post(reverse("checks:answers"), {"submission": token(answers)})
    check = Check.objects.get()
    assert made["Location"] == page(check)
    assert 'name="level"' in client.get(page(check)).content.decode()
    assert client.post(page(check), {"level": str(check.recommended_level)}).status_code == 302
    check.refresh_from_db()
    assert check.judgement == "agree"
    # another browser holding the same link may not record anything more
    assert Client().post(page(check), {"level": "3", "reason": "changed"}).status_code == 403


def test_someone_else_signed_in_may_not_judge_another_persons_check():
    owner, other = practitioner("owner"), practitioner("other")
    check = CheckFactory(actor=owner)
    with pytest.raises(Refused):
        services.record_judgement(check, agrees=True, actor=other)
    services.record_judgement(check, agrees=True, actor=owner)
    with pytest.raises(Refused):
        services.revise_judgement(check, agrees=False, own_level=3, reason="I know more", actor=other)
    assert not JudgementRevision.objects.exists()


def test_a_change_of_mind_is_a_new_entry_beside_the_first_and_is_audited():
    owner = practitioner()
    check = CheckFactory(actor=owner)
    services.record_judgement(check, agrees=True, actor=owner)
    revision = services.revise_judgement(
        check, agrees=False, own_level=3, reason=" Sibling \u202eon a plan ", actor=owner
    )
    check.refresh_from_db()
    assert (check.judgement, check.own_level, check.decided_level) == ("agree", None, 2)  # the first, as recorded
    assert (revision.judgement, revision.own_level, revision.reason) == ("own", 3, "Sibling on a plan")
    assert revision.recorded_by == owner.user and check.level_in_force == 3
    assert Check.objects.with_level_in_force().get(pk=check.pk).annotated_level_in_force == 3
    event = audit_events().filter(verb="checks.judgement_revised", target_id=check.public_id).get()
    assert event.actor == "pat" and event.payload["level_before"] == 2 and event.payload["own_level"] == 3
    later = services.revise_judgement(check, agrees=True, reason="The plan ended", actor=owner)
    assert check.level_in_force == 2 == Check.objects.with_level_in_force().get(pk=check.pk).annotated_level_in_force
    assert list(check.judgement_revisions.all()) == [revision, later]


def test_the_level_in_force_before_any_judgement_and_after_the_first():
    owner = practitioner()
    check = CheckFactory(actor=owner)
    assert check.level_in_force is None
    assert Check.objects.with_level_in_force().get(pk=check.pk).annotated_level_in_force is None
    services.record_judgement(check, agrees=False, own_level=3, reason="Known to police", actor=owner)
    check.refresh_from_db()
    assert check.level_in_force == 3 == Check.objects.with_level_in_force().get(pk=check.pk).annotated_level_in_force


@pytest.mark.parametrize("reason", ["", "\u200b\u200b", "\u202e\u2066 \x07"])
def test_a_change_of_mind_needs_a_visible_reason(reason):
    owner = practitioner()
    check = CheckFactory(actor=owner)
    services.record_judgement(check, agrees=True, actor=owner)
    with pytest.raises(services.JudgementError, match="Enter why you have changed your judgement"):
        services.revise_judgement(check, agrees=False, own_level=3, reason=reason, actor=owner)
    assert not JudgementRevision.objects.exists()


def test_a_change_of_mind_needs_someone_signed_in_and_a_first_judgement_and_a_change():
    check = CheckFactory()
    with pytest.raises(Refused, match="signed in"):
        services.revise_judgement(check, agrees=True, reason="why", actor=ANON, made_here=True)
    owner = practitioner()
    own = CheckFactory(actor=owner)
    with pytest.raises(services.JudgementError, match="Record your judgement first"):
        services.revise_judgement(own, agrees=True, reason="why", actor=owner)
    services.record_judgement(own, agrees=True, actor=owner)
    with pytest.raises(services.JudgementError, match="already recorded"):
        services.revise_judgement(own, agrees=True, reason="the same again", actor=owner)


def test_the_database_refuses_to_change_a_recorded_judgement_or_a_revision():
    owner = practitioner()
    check = CheckFactory(actor=owner)
    Check.objects.filter(pk=check.pk).update(sent_to_partnership="tiny")  # other columns stay writable
    services.record_judgement(check, agrees=False, own_level=3, reason="Known to police", actor=owner)
    for change in ({"judgement_reason": "rewritten"}, {"own_level": 4}, {"judgement": "agree", "own_level": None}):
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            Check.objects.filter(pk=check.pk).update(**change)
    revision = services.revise_judgement(check, agrees=False, own_level=4, reason="More came out", actor=owner)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        JudgementRevision.objects.filter(pk=revision.pk).update(reason="rewritten")
    check.refresh_from_db()
    assert check.judgement_reason == "Known to police" and check.sent_to_partnership == "tiny"


def test_the_page_shows_the_change_beside_the_first_and_the_form_is_idempotent():
    owner = practitioner()
    check = CheckFactory(actor=owner)
    client = client_for(owner)
    first = client.get(page(check)).content.decode()
    assert (
        client.post(page(check), {"level": "3", "reason": "Known to police", "submission": token(first)}).status_code
        == 302
    )
    html = client.get(page(check)).content.decode()
    assert "Record a change of mind" in html and "Known to police" in html
    data = {"level": "2", "reason": "The police closed it", "submission": token(html)}
    assert client.post(page(check), data).status_code == 302
    assert client.post(page(check), data).status_code == 302  # a double click
    assert JudgementRevision.objects.count() == 1
    html = client.get(page(check)).content.decode()
    assert "Changes of mind" in html and "The police closed it" in html and "Pat Teacher" in html
    assert "Known to police" in html  # the first stays, beside it
    report = client.get(reverse("checks:report", kwargs={"public_id": check.public_id})).content.decode()
    assert "The police closed it" in report and "Known to police" in report


def test_a_change_of_mind_with_nothing_visible_is_refused_on_the_page():
    owner = practitioner()
    check = CheckFactory(actor=owner)
    services.record_judgement(check, agrees=True, actor=owner)
    client = client_for(owner)
    response = client.post(page(check), {"level": "3", "reason": "\u200b\u200d\u2060"})
    assert response.status_code == 400
    assert "Enter why you" in response.content.decode()
    assert not JudgementRevision.objects.exists()


def test_a_first_judgement_posted_twice_records_once(client):
    check = made_in(client, CheckFactory())
    data = {"level": "3", "reason": "Known to police", "submission": token(client.get(page(check)).content.decode())}
    assert client.post(page(check), data).status_code == 302
    assert client.post(page(check), data).status_code == 302
    assert audit_events().filter(verb="checks.judged").count() == 1


def test_the_page_offers_a_disagreement_only_where_the_role_may_raise_one(client):
    owner = practitioner()
    check = CheckFactory(actor=owner)
    raise_url = reverse("escalations:raise", args=["check", check.public_id])
    mine = client_for(owner)
    assert raise_url in mine.get(page(check)).content.decode()
    assert raise_url not in client.get(page(made_in(client, CheckFactory()))).content.decode()  # nobody signed in
