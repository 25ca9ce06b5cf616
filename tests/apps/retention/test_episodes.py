"""Retention of early help: a closed episode is kept until the youngest child's birthday of the configured age
(and some years after closing), then anonymised with the check it started from; an open one never is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from continuum.apps.audit.queries import for_target
from continuum.apps.audit.verify import verify
from continuum.apps.checks.models import Check
from continuum.apps.earlyhelp import services as earlyhelp
from continuum.apps.earlyhelp.models import Episode, FamilyMember, Status
from continuum.apps.retention import services
from tests.apps.earlyhelp.conftest import acting, early_help_partnerships  # noqa: F401  (fixtures)
from tests.apps.earlyhelp.factories import EpisodeFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@contextmanager
def clock_at(moment: datetime, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with monkeypatch.context() as patch:
        patch.setattr(timezone, "now", lambda: moment)
        yield


def _episode(acting, monkeypatch, *, born: date, closed: bool = True) -> Episode:  # noqa: F811
    """An episode started, submitted and (unless ``closed=False``) closed eight years ago; its child born on ``born``."""
    with clock_at(NOW - timedelta(days=8 * 366), monkeypatch):
        lead = acting()
        episode = EpisodeFactory(actor=lead)
        FamilyMember.objects.filter(episode=episode, kind=FamilyMember.Kind.CHILD).update(date_of_birth=born)
        if closed:
            earlyhelp.close(lead, episode, code="other", text="Family moved to another area")
    return Episode.objects.get(pk=episode.pk)


def test_a_closed_episode_past_the_childs_birthday_is_anonymised(acting, monkeypatch):  # noqa: F811
    episode = _episode(acting, monkeypatch, born=date(NOW.year - 30, 3, 4))
    summary = services.apply()
    assert summary.anonymised["episode"] == 1
    episode.refresh_from_db()
    # the closure is the decision record: it stays as recorded; the family's words go
    assert (episode.status, episode.closure_code) == (Status.CLOSED, "other")
    assert episode.closure_text == "Family moved to another area" and episode.family_voice == ""
    child = FamilyMember.objects.get(episode=episode, kind=FamilyMember.Kind.CHILD)
    assert (child.first_name, child.last_name, child.date_of_birth) == ("", "", date(NOW.year - 30, 1, 1))
    assert not FamilyMember.objects.filter(episode=episode).exclude(first_name="").exists()
    assert Check.objects.get(pk=episode.check_ref_id).inputs["text"] == ""
    assert for_target(episode).filter(verb="retention.anonymised").count() == 1
    assert verify().ok


def test_a_young_childs_episode_and_an_open_one_are_kept(acting, monkeypatch):  # noqa: F811
    young = _episode(acting, monkeypatch, born=date(NOW.year - 12, 3, 4))
    still_open = _episode(acting, monkeypatch, born=date(NOW.year - 30, 3, 4), closed=False)
    summary = services.apply()
    assert summary.anonymised["episode"] == 0
    for episode in (young, still_open):
        assert FamilyMember.objects.filter(episode=episode).exclude(first_name="").count() == 2
        assert not for_target(episode).filter(verb="retention.anonymised").exists()
