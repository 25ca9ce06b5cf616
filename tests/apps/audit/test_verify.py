"""`continuum audit verify`: an intact chain passes; a changed, re-linked or deleted event is found where it is."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from continuum.apps.audit import chain, queries
from continuum.apps.audit.cli import audit
from continuum.apps.audit.verify import verify

pytestmark = pytest.mark.django_db


def test_an_intact_chain_verifies(chain_of_ten):
    result = verify(chunk_size=3)  # several batches
    head = queries.events().last()
    assert result.ok
    assert (result.events, result.last_sequence, result.last_hash) == (10, 10, head.hash)


def test_an_empty_chain_verifies():
    result = verify()
    assert result.ok and result.events == 0 and result.last_sequence is None


def test_a_changed_event_is_found_at_its_position(chain_of_ten, tamper):
    tamper("UPDATE audit_auditevent SET target_id = 'someone-else' WHERE sequence = 6")
    result = verify(chunk_size=4)
    assert not result.ok and result.broken is not None
    assert (result.broken.sequence, result.broken.id, result.broken.problem) == (6, chain_of_ten[5], "altered")
    assert (result.events, result.last_sequence) == (5, 5)


def test_a_changed_payload_is_found(chain_of_ten, tamper):
    tamper("UPDATE audit_auditevent SET payload = %s WHERE sequence = 3", [json.dumps({"purpose": "nothing"})])
    broken = verify().broken
    assert broken is not None and (broken.sequence, broken.problem) == (3, "altered")


def test_a_changed_event_with_its_hash_recomputed_breaks_the_next_link(chain_of_ten, tamper):
    event = queries.events().get(sequence=4)
    content = {name: getattr(event, name) for name in chain.HASHED_FIELDS} | {"actor": "someone-else"}
    tamper(
        "UPDATE audit_auditevent SET actor = %s, hash = %s WHERE sequence = 4",
        ["someone-else", chain.event_hash(**content)],
    )
    broken = verify().broken
    assert broken is not None
    assert (broken.sequence, broken.id, broken.problem) == (5, chain_of_ten[4], "link")


def test_a_deleted_event_is_found_as_a_gap(chain_of_ten, tamper):
    tamper("DELETE FROM audit_auditevent WHERE sequence = 7")
    broken = verify(chunk_size=2).broken
    assert broken is not None
    assert (broken.sequence, broken.id, broken.problem) == (7, chain_of_ten[7], "missing")
    assert "7 not found; the next event present is 8" in broken.detail


def test_the_command_says_intact_and_exits_0(chain_of_ten):
    result = CliRunner().invoke(audit, ["verify"])
    assert result.exit_code == 0, result.output
    assert "intact: 10 events" in result.output


def test_the_command_reports_the_first_break_as_json_and_exits_1(chain_of_ten, tamper):
    tamper("DELETE FROM audit_auditevent WHERE sequence IN (3, 4)")
    tamper("UPDATE audit_auditevent SET verb = 'checks.recorded' WHERE sequence = 9")
    result = CliRunner().invoke(audit, ["verify", "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["ok"] is False
    assert report["broken"] | {"detail": ""} == {
        "sequence": 3,
        "id": chain_of_ten[4],
        "problem": "missing",
        "detail": "",
    }
    assert report["last"]["sequence"] == 2 and report["events"] == 2


def test_the_command_in_words_names_the_position_and_the_problem(chain_of_ten, tamper):
    tamper("UPDATE audit_auditevent SET created_at = created_at WHERE sequence = 2")  # unchanged: still intact
    assert CliRunner().invoke(audit, ["verify"]).exit_code == 0
    tamper("UPDATE audit_auditevent SET role = 'auditor' WHERE sequence = 2")
    result = CliRunner().invoke(audit, ["verify"])
    assert result.exit_code == 1
    assert f"BROKEN at event #2 (row id {chain_of_ten[1]}): the event's content was changed" in result.output


def test_tail_shows_the_newest_events_oldest_first(chain_of_ten):
    result = CliRunner().invoke(audit, ["tail", "-n", "3", "--json"])
    assert result.exit_code == 0, result.output
    assert [e["sequence"] for e in json.loads(result.output)] == [8, 9, 10]
    text = CliRunner().invoke(audit, ["tail", "-n", "1"]).output
    assert text.startswith("#10 ") and "audit.accessed checks.check:" in text
