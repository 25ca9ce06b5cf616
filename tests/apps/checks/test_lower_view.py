"""'I think it is lower': a practitioner's lower view is recorded and audited beside the level, never instead."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from continuum.apps.accounts.actor import Actor
from continuum.apps.audit.queries import events as audit_events
from continuum.apps.audit.queries import recorded
from continuum.apps.checks import services
from continuum.apps.checks.models import Check, LowerView

from .factories import made_in

pytestmark = pytest.mark.django_db

ANON = Actor.anonymous()
REASON = "The school nurse sees her weekly and mum has accepted help from the family hub."


def level_three(tiny) -> Check:
    return services.create_check(tiny, {"indicators": ["harm-l3-1"]}, actor=ANON)


def test_the_lower_levels_are_those_below_the_recommendation(tiny):
    check = level_three(tiny)
    assert check.recommended_level == 3
    assert [n for n, _ in services.lower_levels(check)] == [1, 2]


def test_a_lower_view_is_stored_and_audited_and_never_changes_the_level(tiny):
    check = level_three(tiny)
    services.record_judgement(check, agrees=True, actor=ANON, made_here=True)
    view = services.record_lower_view(check, level=2, reason=f"  {REASON} ", actor=ANON, made_here=True)
    assert (view.level, view.recommended_level, view.reason) == (2, 3, REASON)
    check.refresh_from_db()
    assert (check.recommended_level, check.judgement, check.decided_level) == (3, "agree", 3)
    event = audit_events().filter(target_id=check.public_id, verb="checks.lower_view_recorded").get()
    assert recorded(event) == {"level": 2, "recommended_level": 3, "reason": REASON}


def test_a_change_of_mind_is_a_new_entry(tiny):
    check = level_three(tiny)
    services.record_lower_view(check, level=2, reason="first thought", actor=ANON, made_here=True)
    services.record_lower_view(check, level=1, reason="second thought", actor=ANON, made_here=True)
    assert [(v.level, v.reason) for v in check.lower_views.all()] == [(2, "first thought"), (1, "second thought")]
    assert audit_events().filter(target_id=check.public_id, verb="checks.lower_view_recorded").count() == 2


@pytest.mark.parametrize(
    ("level", "reason", "field"),
    [(3, REASON, "lower_level"), (4, REASON, "lower_level"), (None, REASON, "lower_level"), (2, "  ", "lower_reason")],
)
def test_only_a_lower_level_with_a_reason_is_recorded(tiny, level, reason, field):
    check = level_three(tiny)
    with pytest.raises(services.JudgementError) as refused:
        services.record_lower_view(check, level=level, reason=reason, actor=ANON, made_here=True)
    assert refused.value.field == field
    assert LowerView.objects.count() == 0


def test_a_failed_audit_write_stores_no_lower_view(tiny, monkeypatch):
    check = level_three(tiny)
    monkeypatch.setattr(services, "record", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("audit down")))
    with pytest.raises(RuntimeError):
        services.record_lower_view(check, level=2, reason=REASON, actor=ANON, made_here=True)
    assert LowerView.objects.count() == 0


def test_the_database_refuses_a_lower_view_that_is_not_lower(tiny):
    check = level_three(tiny)
    with pytest.raises(IntegrityError), transaction.atomic():
        LowerView.objects.create(stored_check=check, level=3, recommended_level=3, reason=REASON)


def test_the_page_records_it_and_shows_it_on_the_check_and_in_the_report(client, tiny):
    check = made_in(client, level_three(tiny))
    page = reverse("checks:detail", kwargs={"public_id": check.public_id})
    response = client.post(
        reverse("checks:lower_view", kwargs={"public_id": check.public_id}),
        {"lower_level": "2", "lower_reason": REASON},
    )
    assert response.status_code == 302 and response["Location"].endswith("#lower-view")
    said = f"The practitioner thought the level might be lower: {REASON} The recommended level stands."
    html = client.get(page).content.decode()
    assert "has been recorded" in html and said in html
    report = client.get(reverse("checks:report", kwargs={"public_id": check.public_id})).content.decode()
    assert said in report
    check.refresh_from_db()
    assert check.recommended_level == 3 and check.judgement == ""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"lower_reason": REASON}, "Select the lower level you think this might be"),
        ({"lower_level": "3", "lower_reason": REASON}, "Select the lower level you think this might be"),
        ({"lower_level": "2"}, "Enter why you think the level might be lower"),
    ],
)
def test_errors_are_shown_in_the_error_summary_and_nothing_is_recorded(client, tiny, data, message):
    check = made_in(client, level_three(tiny))
    response = client.post(reverse("checks:lower_view", kwargs={"public_id": check.public_id}), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html and message in html
    assert LowerView.objects.count() == 0


def test_at_the_lowest_level_there_is_nothing_lower_to_offer(client, tiny):
    check = services.create_check(tiny, {"indicators": []}, actor=ANON)
    assert check.recommended_level == 1
    html = client.get(reverse("checks:detail", kwargs={"public_id": check.public_id})).content.decode()
    assert 'name="lower_level"' not in html
    assert (
        'name="lower_level"'
        in client.get(
            reverse("checks:detail", kwargs={"public_id": made_in(client, level_three(tiny)).public_id})
        ).content.decode()
    )
