"""Reads of referrals: who sees what (visible_to), the referrer's list, and the hand-off export's fields."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.audit import queries as audit
from continuum.apps.referrals import handoff, queries, services
from continuum.apps.referrals.codes import REFERRAL_SOURCES, nhs_number_valid
from continuum.apps.referrals.models import Referral
from continuum.calendar import as_uk

from .conftest import CB, CP, person
from .factories import child, sent_referral

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "partnership", "sees"),
    [
        (Role.PRACTITIONER, CP, {"mine"}),
        (Role.EARLY_HELP, CP, set()),
        (Role.FRONT_DOOR_WORKER, CP, {"mine", "theirs"}),
        (Role.FRONT_DOOR_MANAGER, CP, {"mine", "theirs"}),
        (Role.FRONT_DOOR_WORKER, CB, {"elsewhere"}),
        (Role.PARTNERSHIP_ADMIN, CP, set()),
        (Role.AUDITOR, CP, set()),
    ],
)
def test_visible_to_the_referrer_and_the_partnerships_front_door_only(role: Role, partnership: str, sees: set[str]):
    me = person(Role.PRACTITIONER, CP)
    referrals = {
        "mine": sent_referral(me),
        "theirs": sent_referral(person(Role.PRACTITIONER, CP)),
        "elsewhere": sent_referral(person(Role.PRACTITIONER, CB), level=2),
    }
    viewer = me if role == Role.PRACTITIONER else person(role, partnership)
    visible = set(Referral.objects.visible_to(viewer))
    assert {name for name, r in referrals.items() if r in visible} == sees
    assert set(Referral.objects.visible_to(Actor.anonymous())) == set()


def test_referrals_sent_are_the_actors_own_even_in_a_front_door_role(practitioner: Actor):
    mine = sent_referral(practitioner)
    sent_referral(person(Role.PRACTITIONER, CP))
    assert list(queries.sent_by(practitioner)) == [mine]
    assert list(queries.sent_by(person(Role.FRONT_DOOR_WORKER, CP))) == []


def test_the_referral_source_codes_are_the_22_of_the_cin_census():
    codes = [code for code, _ in REFERRAL_SOURCES]
    assert len(codes) == 22 == len(set(codes))
    assert codes[:4] == ["1A", "1B", "1C", "1D"] and codes[-3:] == ["8", "9", "10"]


@pytest.mark.parametrize(
    ("number", "valid"),
    [("9434765919", True), ("943 476 5919", True), ("9434765918", False), ("123", False), ("", False)],
)
def test_nhs_numbers_are_checked_with_modulus_11(number: str, valid: bool):
    assert nhs_number_valid(number) is valid


def test_the_hand_off_row_has_the_census_and_dataset_field_names(practitioner: Actor, worker: Actor):
    referral = sent_referral(practitioner, children=[child(first_name="Ada", gender="2", nhs_number="9434765919")])
    services.record_outcome_for_referrer(
        worker, referral, outcome_code="assessment-s17", text="Assessment", shared=True
    )
    row = handoff.row(Referral.objects.get(pk=referral.pk))
    for name in (
        "LAchildID",
        "CINreferralDate",
        "ReferralSource",
        "ReferralNFA",
        "PersonBirthDate",
        "GenderCurrent",
        "cont_contact_id",
        "cont_contact_date",
        "cont_contact_source_code",
        "cont_contact_outcome_json",
    ):
        assert name in row
    assert row["LAchildID"] == referral.public_id and row["ReferralSource"] == "2A"
    assert row["CINreferralDate"] == as_uk(referral.received_at).date().isoformat()
    assert row["ReferralNFA"] == 0 and row["Sex"] == "F" and row["GenderCurrent"] == "2"
    assert row["cont_contact_source_desc"] == "Schools"
    assert json.loads(row["cont_contact_outcome_json"])["outcome"] == "assessment-s17"
    assert row["continuum_nhs_number"] == "9434765919" and row["continuum_child_first_name"] == "Ada"
    assert list(row) == list(handoff.FIELD_NAMES)


def test_every_hand_off_field_is_documented():
    text = (Path(__file__).resolve().parents[3] / "docs" / "handoff.md").read_text(encoding="utf-8")
    missing = [name for name in handoff.FIELD_NAMES if f"`{name}`" not in text]
    assert missing == []


def test_the_command_exports_decided_referrals_and_records_the_export(
    practitioner: Actor, worker: Actor, tmp_path: Path
):
    from continuum.cli import main

    decided, _undecided = sent_referral(practitioner), sent_referral(practitioner)
    services.record_outcome_for_referrer(
        worker, decided, outcome_code="nfa", text="", shared=False, reason_not_shared="x"
    )
    runner = CliRunner()
    result = runner.invoke(main, ["referrals", "export", "--partnership", CP, "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["LAchildID"] for r in rows] == [decided.public_id] and rows[0]["ReferralNFA"] == "1"

    out = tmp_path / "handoff.json"
    result = runner.invoke(
        main,
        [
            "referrals",
            "export",
            "--partnership",
            CP,
            "--format",
            "json",
            "--output",
            str(out),
            "--since",
            date.today().isoformat(),
        ],
    )
    assert result.exit_code == 0, result.output
    assert [r["cont_contact_id"] for r in json.loads(out.read_text())["referrals"]] == [decided.public_id]

    assert runner.invoke(main, ["referrals", "export", "--partnership", CP, "--since", "soon"]).exit_code == 2
    unknown = runner.invoke(main, ["referrals", "export", "--partnership", "atlantis"])
    assert unknown.exit_code == 2 and "not offered" in unknown.output
    exported = list(audit.events().filter(verb="referrals.exported").order_by("sequence"))
    assert [(e.actor, e.payload["format"]) for e in exported] == [("system:cli", "csv"), ("system:cli", "json")]


def test_an_export_since_a_day_carries_the_decisions_changed_since_then(practitioner: Actor, worker: Actor):
    """A referral decided before the last export and changed after it comes again, with the outcome
    in force and when it changed; one decided before and never changed does not."""
    from datetime import timedelta

    from django.utils import timezone

    changed, unchanged = sent_referral(practitioner), sent_referral(practitioner)
    for referral in (changed, unchanged):
        services.record_outcome_for_referrer(worker, referral, outcome_code="nfa", text="No action", shared=True)
    last_week = timezone.now() - timedelta(days=7)
    Referral.objects.filter(pk__in=[changed.pk, unchanged.pk]).update(outcome_recorded_at=last_week)
    since = timezone.now() - timedelta(days=1)
    assert list(queries.decided_for_export(CP, since)) == []

    services.record_outcome_change_for_referrer(worker, changed, outcome_code="early-help", outcome_name="Early help")
    exported = list(queries.decided_for_export(CP, since))
    assert [r.public_id for r in exported] == [changed.public_id]
    outcome = json.loads(handoff.row(exported[0])["cont_contact_outcome_json"])
    assert outcome["outcome"] == "early-help" and outcome["decided_at"].startswith(last_week.date().isoformat())
    assert outcome["changed_at"] and outcome["changed_at"] > outcome["decided_at"]
    assert (
        json.loads(handoff.row(Referral.objects.get(pk=unchanged.pk))["cont_contact_outcome_json"])["changed_at"] == ""
    )
    assert len(queries.decided_for_export(CP)) == 2  # with no date: every decided referral
