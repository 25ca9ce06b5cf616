"""Trimming old access-log events below a checkpoint the chain keeps, so that verify still passes (ADR 0020)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from continuum.apps.accounts.actor import Actor
from continuum.apps.audit.queries import events
from continuum.apps.audit.retention import ChainBrokenError, trim_access_log
from continuum.apps.audit.services import record_access
from continuum.apps.audit.verify import checkpoints, verify
from tests.apps.checks.factories import CheckFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
CUTOFF = NOW - timedelta(days=400)  # the default access-log retention (and PostgreSQL's floor)


@contextmanager
def clock_at(moment: datetime, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Write as if it were ``moment`` (Django's clock, which the audit and the models read)."""
    with monkeypatch.context() as patch:
        patch.setattr(timezone, "now", lambda: moment)
        yield


def _batch(views: int) -> list[int]:
    """A stored check and ``views`` views of it; their sequences."""
    check = CheckFactory()
    for n in range(views):
        record_access(Actor.anonymous(), check, purpose=f"page {n}")
    return list(events().filter(target_id=check.public_id).values_list("sequence", flat=True))


@pytest.fixture
def old_and_new(monkeypatch) -> dict[str, list[int]]:
    """Events three years old, two years old, and new."""
    with clock_at(NOW - timedelta(days=3 * 365), monkeypatch):
        oldest = _batch(4)
    with clock_at(NOW - timedelta(days=2 * 365), monkeypatch):
        old = _batch(3)
    new = _batch(2)
    assert verify().ok
    return {"oldest": oldest, "old": old, "new": new}


def test_old_access_events_go_and_the_chain_still_verifies(old_and_new):
    before = events().count()
    checkpoint, removed = trim_access_log(CUTOFF)
    assert removed == 4 + 3
    left = set(events().values_list("sequence", flat=True))
    assert left == {old_and_new["oldest"][0], old_and_new["old"][0], *old_and_new["new"], checkpoint}
    assert events().count() == before - removed + 1
    assert not events().filter(access=True, sequence__lte=old_and_new["old"][-1]).exists()
    result = verify()
    assert result.ok, result.broken
    assert result.events == events().count() and result.last_sequence == checkpoint


def test_the_checkpoint_is_a_chained_event_naming_the_cut(old_and_new):
    checkpoint, _ = trim_access_log(CUTOFF)
    event = events().get(sequence=checkpoint)
    assert event.verb == "audit.trimmed" and event.actor == "system:retention"
    (point,) = checkpoints()
    assert point.through == old_and_new["old"][-1] and point.kept == 2 and point.at == checkpoint
    assert trim_access_log(CUTOFF) is None  # nothing more to trim


def test_two_trims_make_two_checkpoints_and_verify_walks_both(old_and_new):
    _, removed_first = trim_access_log(NOW - timedelta(days=int(2.5 * 365)))
    assert removed_first == 4
    _, removed_second = trim_access_log(CUTOFF)
    assert removed_second == 3
    assert [p.through for p in checkpoints()] == [old_and_new["oldest"][-1], old_and_new["old"][-1]]
    assert verify().ok


def test_an_event_kept_below_the_cut_that_is_changed_is_found(old_and_new, tamper):
    trim_access_log(CUTOFF)
    kept = old_and_new["old"][0]
    tamper("UPDATE audit_auditevent SET actor = 'someone else' WHERE sequence = %s", [kept])
    result = verify()
    assert result.broken is not None and result.broken.problem == "altered" and result.broken.sequence == kept


def test_an_event_kept_below_the_cut_that_is_removed_is_found(old_and_new, tamper):
    trim_access_log(CUTOFF)
    tamper("DELETE FROM audit_auditevent WHERE sequence = %s", [old_and_new["oldest"][0]])
    result = verify()
    assert result.broken is not None and result.broken.problem == "trimmed"


def test_a_changed_checkpoint_is_found(old_and_new, tamper):
    checkpoint, _ = trim_access_log(CUTOFF)
    tamper(
        "UPDATE audit_auditevent SET payload = %s WHERE sequence = %s",
        ['{"through_sequence": 1, "through_hash": "x", "kept_sha256": "y", "kept": 0, "trimmed": 0}', checkpoint],
    )
    assert not verify().ok


def test_access_events_above_the_cut_still_cannot_be_deleted(old_and_new):
    trim_access_log(CUTOFF)
    newest_view = old_and_new["new"][-1]
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence = %s", [newest_view])
    assert events().filter(sequence=newest_view).exists()


def test_change_events_below_the_cut_cannot_be_deleted(old_and_new):
    trim_access_log(CUTOFF)
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence = %s", [old_and_new["oldest"][0]])
    assert verify().ok


def test_a_broken_chain_is_not_trimmed(old_and_new, tamper):
    tamper("UPDATE audit_auditevent SET actor = 'someone else' WHERE sequence = %s", [old_and_new["new"][0]])
    before = events().count()
    with pytest.raises(ChainBrokenError):
        trim_access_log(CUTOFF)
    assert events().count() == before and not checkpoints()


def test_nothing_younger_than_the_cut_off_is_trimmed(old_and_new):
    assert trim_access_log(NOW - timedelta(days=4 * 365)) is None
    assert events().filter(access=True).count() == 4 + 3 + 2


def test_an_event_whose_access_mark_was_flipped_is_found(old_and_new, tamper):
    """Only access events can be trimmed: marking a change event as one, to have it trimmed, is found."""
    change = old_and_new["old"][0]
    tamper("UPDATE audit_auditevent SET access = %s WHERE sequence = %s", [True, change])
    result = verify()
    assert result.broken is not None and result.broken.problem == "kind" and result.broken.sequence == change
