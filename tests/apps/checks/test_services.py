"""Storing checks and judgements: state changes only here, each with its audit event."""

from __future__ import annotations

import pytest

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.audit.queries import events as audit_events
from continuum.apps.checks import services
from continuum.apps.checks.models import Check, CheckIndicator, Judgement
from continuum.engine import AssessmentInputError

from .factories import CheckFactory

pytestmark = pytest.mark.django_db

ANON = Actor.anonymous()


def _inputs(**overrides):
    base = {"indicators": ["edu-l2-1"], "protective": [], "facts": {}, "age_years": None, "text": "late"}
    return base | overrides


def test_a_check_stores_the_framework_version_hash_inputs_and_trace(tiny):
    check = services.create_check(tiny, _inputs(), actor=ANON)
    check.refresh_from_db()
    assert (check.framework_id, check.framework_version, check.framework_hash) == ("tiny", "1.0.0", tiny.content_hash)
    assert check.inputs["text"] == "late"
    assert check.result["trace"]
    assert check.recommended_level == 2
    assert check.recommended_level_name == "Early Help"
    assert check.owner is None


def test_a_check_keeps_the_cited_words_of_the_document(tiny):
    check = services.create_check(tiny, _inputs(), actor=ANON)
    assert check.citations["lines"]["7"] == tiny.source_lines[6]
    assert check.citations["level_source"] == [4]
    assert [lv["number"] for lv in check.citations["levels"]] == [1, 2, 3, 4]


def test_public_ids_are_random_and_not_sequential(tiny):
    first, second = (
        services.create_check(tiny, _inputs(), actor=ANON),
        services.create_check(tiny, _inputs(), actor=ANON),
    )
    assert first.public_id != second.public_id
    assert len(first.public_id) >= 20
    assert first.public_id not in {str(first.pk), str(second.pk)}
    # 128 random bits: many ids share no common prefix and are never numeric.
    ids = {services.create_check(tiny, _inputs(), actor=ANON).public_id for _ in range(20)}
    assert len(ids) == 20 and len({i[:4] for i in ids}) == 20
    assert not any(i.isdigit() for i in ids)


def test_recording_a_check_writes_its_audit_event(tiny):
    check = services.create_check(tiny, _inputs(), actor=ANON)
    event = audit_events().get(target_id=check.public_id)
    assert event.verb == "checks.recorded"
    assert event.payload["framework"]["hash"] == tiny.content_hash


def test_the_actor_is_written_with_the_event_and_owns_the_check(tiny, django_user_model):
    user = django_user_model.objects.create_user(username="teacher", password="x")
    actor = Actor(user=user, partnership="tiny", role=Role.PRACTITIONER)
    check = services.create_check(tiny, _inputs(), actor=actor)
    event = audit_events().get(target_id=check.public_id)
    assert (event.actor, event.actor_user, event.partnership, event.role) == ("teacher", user, "tiny", "practitioner")
    assert event.request_id == actor.request_id
    assert check.owner == user


def test_offered_and_selected_indicators_are_stored_as_rows(tiny):
    inputs = _inputs(
        indicators=["harm-l3-1", "edu-l2-1"], protective=["family-p-1"], suggested=["harm-l3-1", "edu-l3-1"]
    )
    check = services.create_check(tiny, inputs, actor=ANON)
    rows = {r.indicator_id: (r.level, r.domain, r.protective, r.offered, r.selected) for r in check.indicators.all()}
    assert rows == {
        "harm-l3-1": (3, "harm", False, True, True),  # suggested from their words and confirmed
        "edu-l2-1": (2, "edu", False, False, True),  # found by browsing
        "family-p-1": (1, "family", True, False, True),
        "edu-l3-1": (3, "edu", False, True, False),  # suggested and not confirmed
    }


def test_a_failed_audit_write_stores_no_indicator_rows_either(tiny, monkeypatch):
    monkeypatch.setattr(services, "record", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("audit down")))
    with pytest.raises(RuntimeError):
        services.create_check(tiny, _inputs(), actor=ANON)
    assert CheckIndicator.objects.count() == 0


def test_a_failed_audit_write_stores_nothing(tiny, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "record", broken)
    with pytest.raises(RuntimeError):
        services.create_check(tiny, _inputs(), actor=ANON)
    assert Check.objects.count() == 0


def test_unknown_indicators_are_refused(tiny):
    with pytest.raises(AssessmentInputError):
        services.create_check(tiny, _inputs(indicators=["no-such-indicator"]), actor=ANON)
    assert Check.objects.count() == 0


def test_agreeing_is_recorded_and_audited():
    check = CheckFactory()
    services.record_judgement(check, agrees=True, actor=ANON, made_here=True)
    check.refresh_from_db()
    assert check.judgement == Judgement.AGREE
    assert check.decided_level == check.recommended_level
    assert audit_events().filter(verb="checks.judged", target_id=check.public_id).count() == 1


def test_an_own_level_needs_a_reason():
    check = CheckFactory()
    with pytest.raises(services.JudgementError, match="why"):
        services.record_judgement(check, agrees=False, own_level=3, reason="  ", actor=ANON, made_here=True)
    services.record_judgement(check, agrees=False, own_level=3, reason="Known to police", actor=ANON, made_here=True)
    check.refresh_from_db()
    assert (check.judgement, check.own_level, check.judgement_reason) == ("own", 3, "Known to police")
    assert check.decided_level == 3


def test_refusals_name_the_field_they_are_about():
    check = CheckFactory()
    with pytest.raises(services.JudgementError) as no_reason:
        services.record_judgement(check, agrees=False, own_level=3, reason="", actor=ANON, made_here=True)
    with pytest.raises(services.JudgementError) as lower:
        services.record_judgement(check, agrees=False, own_level=1, reason="coping", actor=ANON, made_here=True)
    assert (no_reason.value.field, lower.value.field) == ("reason", "level")


def test_the_levels_allowed_are_the_recommended_one_and_higher(tiny):
    check = services.create_check(tiny, _inputs(indicators=["edu-l3-1"]), actor=ANON)
    assert [n for n, _ in services.allowed_levels(check)] == [3, 4]


def test_an_own_level_must_differ_and_exist():
    check = CheckFactory()
    with pytest.raises(services.JudgementError):
        services.record_judgement(
            check, agrees=False, own_level=check.recommended_level, reason="same", actor=ANON, made_here=True
        )
    with pytest.raises(services.JudgementError):
        services.record_judgement(check, agrees=False, own_level=9, reason="no such level", actor=ANON, made_here=True)


def test_overrides_only_raise_a_level(tiny):
    check = services.create_check(tiny, _inputs(indicators=["edu-l3-1"]), actor=ANON)
    assert check.recommended_level == 3
    with pytest.raises(services.JudgementError, match="only record a higher level"):
        services.record_judgement(
            check, agrees=False, own_level=2, reason="they are coping", actor=ANON, made_here=True
        )
    services.record_judgement(check, agrees=False, own_level=4, reason="Sibling on a plan", actor=ANON, made_here=True)
    check.refresh_from_db()
    assert check.decided_level == 4


def test_a_statutory_trigger_cannot_be_judged_down(tiny):
    check = services.create_check(tiny, _inputs(indicators=["harm-l3-1"], facts={"non_mobile": True}), actor=ANON)
    assert check.recommended_level == 4
    with pytest.raises(services.JudgementError, match="only record a higher level"):
        services.record_judgement(
            check, agrees=False, own_level=3, reason="bruise was accidental", actor=ANON, made_here=True
        )


def test_a_judgement_is_recorded_once_and_audited():
    check = CheckFactory()
    services.record_judgement(check, agrees=True, actor=ANON, made_here=True)
    with pytest.raises(services.JudgementError, match="already recorded"):
        services.record_judgement(check, agrees=False, own_level=3, reason="More is known", actor=ANON, made_here=True)
    check.refresh_from_db()
    assert (check.judgement, check.own_level) == ("agree", None)
    events = audit_events().filter(verb="checks.judged", target_id=check.public_id)
    assert [e.payload["judgement"] for e in events] == ["agree"]


def test_replay_under_the_same_framework_is_the_same():
    check = CheckFactory()
    replay = services.replay_check(check)
    assert replay.status == "same"
    assert replay.changes == []


def test_replay_reports_a_changed_result(tiny):
    check = CheckFactory()
    stored = dict(check.result)
    stored["recommended_level"] = dict(stored["recommended_level"], number=1, name="Universal")
    stored["framework"] = dict(stored["framework"], hash="sha256:older", version="0.9.0")
    Check.objects.filter(pk=check.pk).update(result=stored, framework_hash="sha256:older", framework_version="0.9.0")
    check.refresh_from_db()
    replay = services.replay_check(check)
    assert replay.status == "changed"
    assert any("level" in change.lower() for change in replay.changes)
    assert all(change[:1].isupper() for change in replay.changes)


def test_replay_of_a_framework_no_longer_offered(settings, tmp_path):
    check = CheckFactory()
    settings.CONTINUUM_FRAMEWORKS_DIR = str(tmp_path)
    assert services.replay_check(check).status == "unavailable"


def test_replay_drops_indicators_the_framework_no_longer_has():
    check = CheckFactory()
    check.inputs = {**check.inputs, "indicators": ["edu-l2-1", "retired-id"]}
    replay = services.replay_check(check)
    assert replay.dropped_indicators == ["retired-id"]
    assert replay.result is not None and replay.result["recommended_level"]["number"] == 2
    assert any("retired-id" in change for change in replay.changes)
