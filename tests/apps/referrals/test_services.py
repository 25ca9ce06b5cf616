"""The referral services: what is stored, the audit event, and every refusal (with what to fix)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.accounts.permissions import Refused
from continuum.apps.audit import queries as audit
from continuum.apps.checks.models import Check
from continuum.apps.referrals import services
from continuum.apps.referrals.models import Family, Referral
from continuum.apps.referrals.services import Consent, ReferralError

from .conftest import BEDFORD, CB, CP, LUTON, person
from .factories import CP_IMMEDIATE_RISK, child, details, make_check, sent_referral, with_consent

pytestmark = pytest.mark.django_db

UK = ZoneInfo("Europe/London")
CHRISTMAS_EVE = datetime(2026, 12, 24, 16, 0, tzinfo=UK)  # a Thursday; 25 Fri, 26 Sat, Boxing Day moved to Mon 28


def events(verb: str) -> list[Any]:
    return list(audit.events().filter(verb=verb).order_by("sequence"))


def at(moment: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    """The clock reads ``moment`` (the service stamps receipt with ``timezone.now()``)."""
    monkeypatch.setattr(timezone, "now", lambda: moment.astimezone(ZoneInfo("UTC")))


# -- sending ----------------------------------------------------------------------------------


def test_a_referral_carries_the_check_the_child_the_family_and_the_referrer(practitioner: Actor):
    check = make_check(practitioner, CP, 3)
    [referral] = services.send_referral(practitioner, check, details())

    assert referral.stored_check == check
    assert referral.partnership == CP
    assert referral.framework_hash == check.framework_hash and referral.framework_version == check.framework_version
    assert referral.referrer_level == 3 and referral.referrer_level_name.startswith("Specialist")
    assert referral.indicator_ids == ["see-l3-1"]
    assert referral.reasons and all(referral.reasons)
    assert referral.referrer == practitioner.user and referral.recorded_by == practitioner.user
    assert referral.referral_source == "2A" and referral.channel == "online"
    assert referral.family.postcode == "AB1 2CD" and referral.family.household[0]["relationship"] == "mother"
    assert referral.consent_basis == "obtained"
    assert referral.consent_detail == {
        "rule": "seek-unless-risk",
        "exception_applies": False,
        "who": "Alex Example (mother)",
        "when": "2026-01-05",
        "shared": "The concerns and this referral",
    }
    assert referral.status == Referral.Status.RECEIVED
    assert len(referral.public_id) == 16 and referral.public_id.startswith("R-")
    check.refresh_from_db()
    assert check.sent_to_partnership == CP and check.sent_at is not None
    [event] = events("referrals.submitted")
    assert event.target_id == referral.public_id and event.actor_user == practitioner.user
    assert event.payload["check"] == check.public_id and event.payload["consent_basis"] == "obtained"


def test_one_referral_per_child_and_siblings_share_a_family(practitioner: Actor):
    check = make_check(practitioner, CP, 3)
    unborn = child(first_name="Baby", date_of_birth=None, unborn_due_date=date(2027, 3, 1))
    made = services.send_referral(practitioner, check, details(children=[child(), child(), unborn]))

    assert len(made) == 3 and Family.objects.count() == 1
    assert len({r.public_id for r in made}) == 3
    assert {r.family_id for r in made} == {made[0].family_id}
    assert set(made[0].siblings()) == {made[1], made[2]}
    assert made[2].date_of_birth is None and made[2].unborn_due_date == date(2027, 3, 1)
    assert [e.payload["siblings"] for e in events("referrals.submitted")] == [
        [made[1].public_id, made[2].public_id],
        [made[0].public_id, made[2].public_id],
        [made[0].public_id, made[1].public_id],
    ]


def test_a_failed_audit_write_stores_no_referral(practitioner: Actor, monkeypatch: pytest.MonkeyPatch):
    check = make_check(practitioner, CP, 3)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "record", broken)
    with pytest.raises(RuntimeError):
        services.send_referral(practitioner, check, details(children=[child(), child()]))
    assert Referral.objects.count() == 0 and Family.objects.count() == 0
    assert Check.objects.get(pk=check.pk).sent_at is None


# -- the level gate -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("partnership", "level", "allowed"),
    [(CP, 2, False), (CP, 3, True), (BEDFORD, 3, False), (BEDFORD, 4, True), (CB, 2, True)],
)
def test_only_a_level_the_framework_refers_at_can_be_sent(partnership: str, level: int, allowed: bool):
    referrer = person(Role.PRACTITIONER, partnership)
    check = make_check(referrer, partnership, level)
    assert check.recommended_level == level
    d = with_consent(details(), basis="not-sought", reason="Telling the family would put the child at risk")
    if partnership == CB:  # level 2 needs consent: use it
        d = details()
    if allowed:
        assert len(services.send_referral(referrer, check, d)) == 1
    else:
        with pytest.raises(ReferralError, match=rf"at level {level}; the partnership refers .* at level \d or above"):
            services.send_referral(referrer, check, d)
        assert Referral.objects.count() == 0


def test_the_referrers_own_level_is_the_one_that_counts(practitioner: Actor):
    from continuum.apps.checks import services as check_services

    check = make_check(practitioner, CP, 2)
    check_services.record_judgement(check, agrees=False, own_level=3, reason="The school sees more", actor=practitioner)
    [referral] = services.send_referral(practitioner, Check.objects.get(pk=check.pk), details())
    assert referral.referrer_level == 3


def test_where_the_framework_names_no_referral_level_the_levels_that_speak_of_referring_count():
    from continuum.apps.partnerships.catalogue import catalogue
    from continuum.apps.referrals import clocks

    framework = catalogue().get(BEDFORD).framework
    silent = framework.model_copy(
        update={"front_door": framework.front_door.model_copy(update={"referral_levels": []})}
    )
    found = clocks.referral_levels(silent)
    expected = [
        lv.number
        for lv in framework.levels
        if "refer" in " ".join(lv.actions).lower() or (lv.consent and "refer" in lv.consent.summary.lower())
    ]
    assert found == sorted(expected)
    nothing = silent.model_copy(
        update={"levels": [lv.model_copy(update={"actions": [], "consent": None}) for lv in silent.levels]}
    )
    assert clocks.referral_levels(nothing) == []
    assert "The document does not say at which level" in (services.level_refusal(nothing, 4) or "")


# -- the consent gate ---------------------------------------------------------------------------


NOT_SOUGHT = {"basis": "not-sought", "reason": "Seeking consent would place the child at increased risk"}
OVERRIDDEN = {"basis": "refused-overridden", "who": "Alex Example (mother)", "reason": "Risk of significant harm"}


@pytest.mark.parametrize(
    ("consent", "field", "message"),
    [
        ({"basis": ""}, "consent_basis", "Say whether consent was obtained"),
        ({"basis": "maybe"}, "consent_basis", "Say whether consent was obtained"),
        ({"basis": "obtained", "when": date(2026, 1, 5), "shared": "x"}, "consent_who", "who gave consent"),
        ({"basis": "obtained", "who": "Alex", "shared": "x"}, "consent_when", "date consent was given"),
        ({"basis": "obtained", "who": "Alex", "when": date(2999, 1, 1), "shared": "x"}, "consent_when", "in the past"),
        ({"basis": "obtained", "who": "Alex", "when": date(2026, 1, 5)}, "consent_shared", "what was shared"),
        ({"basis": "not-sought"}, "consent_reason", "lawful reason"),
        ({"basis": "not-sought", "reason": "   "}, "consent_reason", "lawful reason"),
        ({"basis": "refused-overridden", "reason": "Risk"}, "consent_who", "who refused"),
        ({"basis": "refused-overridden", "who": "Alex"}, "consent_reason", "why the refusal is overridden"),
    ],
)
def test_every_consent_basis_needs_its_details(practitioner: Actor, consent: dict[str, Any], field: str, message: str):
    check = make_check(practitioner, CP, 3)
    with pytest.raises(ReferralError, match=message) as refused:
        services.send_referral(practitioner, check, with_consent(details(), **consent))
    assert refused.value.field == field
    assert Referral.objects.count() == 0


@pytest.mark.parametrize("consent", [NOT_SOUGHT, OVERRIDDEN], ids=["not-sought", "refused-overridden"])
def test_where_the_rule_is_seek_unless_risk_consent_may_be_not_sought_or_overridden_with_the_reason(
    practitioner: Actor, consent: dict[str, Any]
):
    check = make_check(practitioner, CP, 3)
    [referral] = services.send_referral(practitioner, check, with_consent(details(), **consent))
    assert referral.consent_basis == consent["basis"]
    assert referral.consent_detail["reason"] == consent["reason"]
    assert referral.consent_detail["rule"] == "seek-unless-risk"


@pytest.mark.parametrize("consent", [NOT_SOUGHT, OVERRIDDEN], ids=["not-sought", "refused-overridden"])
def test_where_consent_is_required_only_a_named_exception_lets_it_go_unsought(consent: dict[str, Any]):
    referrer = person(Role.PRACTITIONER, CB)
    check = make_check(referrer, CB, 2)
    with pytest.raises(ReferralError, match="requires the family's consent before you refer, except where") as refused:
        services.send_referral(referrer, check, with_consent(details(), **consent))
    assert refused.value.field == "consent_exception"
    requirement = services.consent_requirement(services._framework(CB).framework, 2, None)
    assert requirement["rule"] == "required" and requirement["exceptions"]
    with pytest.raises(ReferralError, match="Choose the exception"):
        services.send_referral(referrer, check, with_consent(details(), **consent, exception="made up"))

    exception = requirement["exceptions"][0]
    [referral] = services.send_referral(referrer, check, with_consent(details(), **consent, exception=exception))
    assert referral.consent_detail["exception"] == exception and referral.consent_detail["rule"] == "required"


def test_where_consent_is_required_and_the_document_names_no_exception_it_must_be_obtained():
    requirement = {"rule": "required", "summary": "Consent is needed", "exceptions": [], "exception_applies": False}
    refused = services.consent_refusal(requirement, Consent(**NOT_SOUGHT))
    assert refused is not None and "names no exception" in refused.message and refused.field == "consent_basis"
    assert services.consent_refusal(requirement | {"exception_applies": True}, Consent(**NOT_SOUGHT)) is None
    obtained = Consent(basis="obtained", who="Alex", when=date(2026, 1, 5), shared="All of it")
    assert services.consent_refusal(requirement, obtained) is None


def test_a_check_whose_result_names_a_consent_exception_lets_a_required_level_go_unsought():
    referrer = person(Role.PRACTITIONER, CB)
    check = make_check(referrer, CB, 2)
    result = dict(check.result)
    result["consent"] = dict(result["consent"] or {}) | {"exception_applies": True, "exception_rules": []}
    Check.objects.filter(pk=check.pk).update(result=result)
    [referral] = services.send_referral(referrer, Check.objects.get(pk=check.pk), with_consent(details(), **NOT_SOUGHT))
    assert referral.consent_detail["exception_applies"] is True
    assert events("referrals.submitted")[0].payload["exception_applies"] is True


def test_the_engines_consent_exception_travels_with_the_referral(practitioner: Actor):
    check = make_check(practitioner, CP, 3, indicators=[CP_IMMEDIATE_RISK])
    assert check.result["consent"]["exception_applies"] is True
    [referral] = services.send_referral(practitioner, check, with_consent(details(), **NOT_SOUGHT))
    assert referral.consent_detail["exception_applies"] is True


# -- the other refusals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"children": []}, "children", "Add at least one child"),
        ({"children": [child(first_name="")]}, "first_name", "first and last name of the child"),
        ({"children": [child(date_of_birth=None)]}, "date_of_birth", "or the due date if unborn"),
        ({"children": [child(), child(date_of_birth=date(2999, 1, 1))]}, "children-1-date_of_birth", "child 2"),
        ({"children": [child(nhs_number="1234567890")]}, "nhs_number", "not a valid NHS number"),
        ({"children": [child(gender="x")]}, "gender", "Choose the gender"),
        ({"referrer_name": " "}, "referrer_name", "Enter your name"),
        ({"referrer_agency": ""}, "referrer_agency", "Enter your agency"),
        ({"referral_source": "99"}, "referral_source", "national referral source"),
        ({"referrer_email": "", "referrer_phone": ""}, "referrer_phone", "phone number or an email"),
        ({"what_done_so_far": ""}, "what_done_so_far", "what has been done so far"),
    ],
)
def test_missing_details_are_refused_with_what_to_fix(
    practitioner: Actor, overrides: dict[str, Any], field: str, message: str
):
    check = make_check(practitioner, CP, 3)
    with pytest.raises(ReferralError, match=message) as refused:
        services.send_referral(practitioner, check, details(**overrides))
    assert refused.value.field == field


def test_a_valid_nhs_number_is_kept_without_spaces(practitioner: Actor):
    [referral] = services.send_referral(
        practitioner, make_check(practitioner, CP, 3), details(children=[child(nhs_number="943 476 5919")])
    )
    assert referral.nhs_number == "9434765919"


def test_only_the_checks_owner_in_a_referring_role_may_send_it(practitioner: Actor, worker: Actor):
    check = make_check(practitioner, CP, 3)
    someone_else = person(Role.PRACTITIONER, CP)
    for actor in (worker, someone_else, Actor.anonymous()):
        with pytest.raises(Refused):
            services.send_referral(actor, check, details())
    elsewhere = Actor(user=practitioner.user, partnership=LUTON, role=Role.PRACTITIONER)
    from tests.apps.accounts.factories import MembershipFactory

    MembershipFactory(user=practitioner.user, partnership=LUTON, role=Role.PRACTITIONER)
    with pytest.raises(ReferralError, match="another partnership's framework"):
        services.send_referral(elsewhere, check, details())
    assert Referral.objects.count() == 0


# -- deadlines ---------------------------------------------------------------------------------


def test_deadlines_are_computed_once_at_receipt_across_christmas(practitioner: Actor, monkeypatch: pytest.MonkeyPatch):
    check = make_check(practitioner, CP, 3)
    at(CHRISTMAS_EVE, monkeypatch)
    [referral] = services.send_referral(practitioner, check, details())
    # One working day (national guidance) from Thursday 24 December, 16:00: Friday is Christmas Day,
    # Monday 28th the substitute Boxing Day holiday, so Tuesday 29 December, 16:00.
    assert referral.acknowledge_due == datetime(2026, 12, 29, 16, 0, tzinfo=UK)
    assert referral.decision_due == datetime(2026, 12, 29, 16, 0, tzinfo=UK)
    assert referral.written_follow_up_due is None


def test_a_clock_in_calendar_hours_runs_through_christmas_and_a_missing_clock_stores_nothing(
    monkeypatch: pytest.MonkeyPatch,
):
    cb, luton = person(Role.PRACTITIONER, CB), person(Role.PRACTITIONER, LUTON)
    cb_check, luton_check = make_check(cb, CB, 2), make_check(luton, LUTON, 3)
    at(CHRISTMAS_EVE, monkeypatch)
    [cb_referral] = services.send_referral(cb, cb_check, details())
    [luton_referral] = services.send_referral(luton, luton_check, details())
    assert cb_referral.decision_due == datetime(2026, 12, 25, 16, 0, tzinfo=UK)  # "within 24 hours"
    assert cb_referral.acknowledge_due is None  # the document does not say
    assert luton_referral.decision_due is None and luton_referral.acknowledge_due is None
    payload = events("referrals.submitted")[1].payload
    assert payload["no_deadline"] == {
        "acknowledge_due": "the document does not say",
        "decision_due": "the document does not say",
    }


def test_a_date_past_the_bundled_bank_holidays_stores_no_deadline_and_says_why(
    practitioner: Actor, monkeypatch: pytest.MonkeyPatch
):
    check = make_check(practitioner, CP, 3)
    at(datetime(2199, 6, 1, 10, 0, tzinfo=UK), monkeypatch)
    [referral] = services.send_referral(practitioner, check, details())
    assert referral.decision_due is None
    assert "holiday" in events("referrals.submitted")[0].payload["no_deadline"]["decision_due"].lower()


# -- phoned referrals --------------------------------------------------------------------------


def test_a_phoned_referral_has_a_written_follow_up_deadline(worker: Actor, monkeypatch: pytest.MonkeyPatch):
    at(CHRISTMAS_EVE + timedelta(minutes=20), monkeypatch)  # recorded twenty minutes after the call
    made = services.record_phoned_referral(
        worker,
        details=details(children=[child(), child()]),
        concerns="The caller saw the child with a burn",
        referrer_level=3,
        received_at=CHRISTMAS_EVE,
    )
    assert len(made) == 2 and {r.channel for r in made} == {"phone"}
    referral = made[0]
    assert referral.stored_check is None and referral.referrer is None and referral.recorded_by == worker.user
    assert referral.written_follow_up_due == datetime(2026, 12, 25, 16, 0, tzinfo=UK)  # 24 hours
    assert referral.decision_due == datetime(2026, 12, 29, 16, 0, tzinfo=UK)
    assert referral.concerns == "The caller saw the child with a burn"
    assert [e.target_id for e in events("referrals.phoned")] == [r.public_id for r in made]


def test_a_phoned_referral_is_refused_without_concerns_or_from_the_future_or_by_a_referrer(
    worker: Actor, practitioner: Actor
):
    with pytest.raises(ReferralError, match="concerns the caller described"):
        services.record_phoned_referral(worker, details=details(), concerns=" ")
    with pytest.raises(ReferralError, match="now or in the past"):
        services.record_phoned_referral(
            worker, details=details(), concerns="x", received_at=timezone.now() + timedelta(hours=1)
        )
    with pytest.raises(Refused):
        services.record_phoned_referral(practitioner, details=details(), concerns="x")
    assert Referral.objects.count() == 0


def test_the_written_follow_up_is_recorded_once_and_marked_late(worker: Actor, practitioner: Actor):
    [referral] = services.record_phoned_referral(
        worker, details=details(), concerns="x", received_at=timezone.now() - timedelta(days=3)
    )
    with pytest.raises(Refused):
        services.record_written_follow_up(practitioner, referral)
    done = services.record_written_follow_up(worker, referral)
    assert done.written_follow_up_received_at is not None
    assert events("referrals.follow_up_received")[0].payload["late"] is True
    with pytest.raises(ReferralError, match="already recorded"):
        services.record_written_follow_up(worker, referral)
    online = sent_referral(practitioner)
    with pytest.raises(Refused):  # the referrer cannot; the front door sees it was online
        services.record_written_follow_up(practitioner, online)
    with pytest.raises(ReferralError, match="Only a phoned referral"):
        services.record_written_follow_up(worker, online)


# -- acknowledgement and the outcome for the referrer ------------------------------------------


def test_acknowledging_moves_the_status_once(practitioner: Actor, worker: Actor):
    referral = sent_referral(practitioner)
    with pytest.raises(Refused):
        services.acknowledge(practitioner, referral)
    done = services.acknowledge(worker, referral)
    assert done.status == Referral.Status.ACKNOWLEDGED and done.acknowledged_at is not None
    again = services.acknowledge(Actor.for_system("worker", CP), referral)
    assert again.acknowledged_at == done.acknowledged_at
    [event] = events("referrals.acknowledged")
    assert audit.recorded(event) == {"from": "received", "to": "acknowledged", "on_time": True}


def test_the_outcome_is_recorded_for_the_referrer_shared_or_with_the_reason(practitioner: Actor, worker: Actor):
    shared, private = sent_referral(practitioner), sent_referral(practitioner)
    with pytest.raises(Refused):
        services.record_outcome_for_referrer(practitioner, shared, outcome_code="nfa", text="x", shared=True)
    with pytest.raises(ReferralError, match="Write what the referrer is told") as refused:
        services.record_outcome_for_referrer(worker, shared, outcome_code="nfa", text="", shared=True)
    assert refused.value.field == "text"
    with pytest.raises(ReferralError, match="why it is not appropriate"):
        services.record_outcome_for_referrer(worker, private, outcome_code="nfa", text="", shared=False)

    done = services.record_outcome_for_referrer(
        worker, shared, outcome_code="early-help", text="Offered early help", shared=True
    )
    assert done.status == Referral.Status.CLOSED and done.outcome_shared_at is not None
    assert done.outcome_text == "Offered early help" and done.outcome_not_shared_reason == ""
    kept = services.record_outcome_for_referrer(
        worker, private, outcome_code="assessment", text="ignored", shared=False, reason_not_shared="Police enquiry"
    )
    assert (
        kept.outcome_shared_at is None
        and kept.outcome_text == ""
        and kept.outcome_not_shared_reason == "Police enquiry"
    )
    assert set(Referral.objects.decided()) == {done, kept}
    with pytest.raises(ReferralError, match="already recorded"):
        services.record_outcome_for_referrer(worker, shared, outcome_code="nfa", text="x", shared=True)
    assert [e.payload["shared"] for e in events("referrals.outcome_recorded")] == [True, False]


def test_a_changed_outcome_is_written_for_the_referrer_as_the_first_was_shared_or_withheld(
    practitioner: Actor, worker: Actor
):
    shared, private = sent_referral(practitioner), sent_referral(practitioner)
    with pytest.raises(ReferralError, match="not been told the outcome yet"):
        services.record_outcome_change_for_referrer(worker, shared, outcome_code="nfa", outcome_name="No action")
    services.record_outcome_for_referrer(worker, shared, outcome_code="nfa", text="No further action", shared=True)
    services.record_outcome_for_referrer(
        worker, private, outcome_code="nfa", text="", shared=False, reason_not_shared="Police enquiry"
    )
    with pytest.raises(Refused):
        services.record_outcome_change_for_referrer(practitioner, shared, outcome_code="early-help", outcome_name="EH")

    changed = services.record_outcome_change_for_referrer(
        worker, shared, outcome_code="early-help", outcome_name="Early help"
    )
    assert (changed.outcome_code, changed.outcome_text) == ("early-help", "Early help")
    assert changed.outcome_changed_at is not None and changed.outcome_recorded_at <= changed.outcome_changed_at
    kept = services.record_outcome_change_for_referrer(
        worker, private, outcome_code="strategy-s47", outcome_name="Strategy discussion"
    )
    assert kept.outcome_code == "strategy-s47" and kept.outcome_changed_at is not None
    assert (kept.outcome_text, kept.outcome_shared_at, kept.outcome_not_shared_reason) == ("", None, "Police enquiry")
    assert [audit.recorded(e) for e in events("referrals.outcome_changed")] == [
        {"from": "nfa", "to": "early-help", "shared": True},
        {"from": "nfa", "to": "strategy-s47", "shared": False},
    ]


# -- the acknowledgement email through the real worker -----------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_referrer_is_emailed_their_references_by_the_job_worker(practitioner: Actor, settings: Any, tmp_path: Path):
    from continuum.apps.jobs.worker import run

    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    made = services.send_referral(practitioner, make_check(practitioner, CP, 3), details(children=[child(), child()]))
    assert not list(tmp_path.iterdir())  # enqueued, not sent

    run(batch=True)

    [message] = [p.read_text() for p in tmp_path.iterdir()]
    assert "To: pat.teacher@example.org" in message
    assert all(r.public_id in message for r in made)
    assert "Customer Service Centre" in message and "within 1 working day (national guidance)" in message
    assert made[0].child_first_name not in message  # the email carries no child's details
    assert {r.status for r in Referral.objects.all()} == {Referral.Status.ACKNOWLEDGED}
    assert {e.actor for e in events("referrals.acknowledged")} == {"system:worker"}


def test_the_email_job_is_enqueued_in_the_referrals_transaction(practitioner: Actor, monkeypatch: pytest.MonkeyPatch):
    from django_tasks_db.models import DBTaskResult

    from continuum.apps.referrals import notify

    jobs = DBTaskResult.objects.filter(task_path__endswith="email_referral_received")
    services.send_referral(practitioner, make_check(practitioner, CP, 3), details())
    assert jobs.count() == 1
    enqueue = notify.referral_received

    def enqueue_then_fail(referrals: list[Referral]) -> None:
        enqueue(referrals)
        raise RuntimeError("the transaction fails after the job was enqueued")

    monkeypatch.setattr(notify, "referral_received", enqueue_then_fail)
    with pytest.raises(RuntimeError):
        services.send_referral(practitioner, make_check(practitioner, CP, 3), details())
    assert jobs.count() == 1 and Referral.objects.count() == 1  # the job went with the referral


@pytest.mark.django_db(transaction=True)
def test_the_email_is_never_enqueued_outside_a_transaction():
    from continuum.apps.referrals import notify

    with pytest.raises(RuntimeError, match="inside the transaction"):
        notify.referral_received([])


def test_details_are_a_plain_value_to_change(practitioner: Actor):
    d = details()
    assert replace(d, referrer_name="X").referrer_name == "X" and d.referrer_name == "Pat Teacher"
