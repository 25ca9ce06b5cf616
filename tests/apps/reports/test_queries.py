"""Report figures against hand-computed values on small synthetic data with known answers."""

from __future__ import annotations

import pytest

from continuum.apps.accounts.actor import Role
from continuum.apps.accounts.permissions import Refused
from continuum.apps.frontdoor.models import AgencyCheck
from continuum.apps.reports import queries
from continuum.apps.reports.queries import NOT_YET_RECORDED, Figure, Scope

from .conftest import APRIL_2026, CB, OTHER, at, check, contact, decided, lower_view, person

pytestmark = pytest.mark.django_db


def by_key(figures: list[Figure]) -> dict[str, Figure]:
    return {f.key: f for f in figures}


def table(figure: Figure) -> dict[object, tuple[object, ...]]:
    return {row[0]: row[1:] for row in figure.rows}


def level_row(rows: dict[object, tuple[object, ...]], number: int) -> tuple[object, ...]:
    """The row of level ``number`` (labelled with the framework's own name for it)."""
    return next(v for k, v in rows.items() if str(k).startswith(f"Level {number}:"))


@pytest.fixture
def calibration_data() -> None:
    """Four checks (hand-counted in the test below), three decided at the front door, and noise elsewhere.

    c1: recommended 3, agreed; A offered+selected, B offered only; front door decided 4 (higher).
    c2: recommended 3, own level 4; A selected (found, not offered), C offered+selected; front door 3 (same).
    c3: recommended 2, agreed, a lower view (1); B offered+selected; front door decided 1 (lower).
    c4: recommended 2, not judged, version 2.1.0; B offered only; never sent.
    """
    c1 = check(3, agree=True, indicators=(("A", 3, True, True), ("B", 2, True, False)))
    c2 = check(3, own=4, indicators=(("A", 3, False, True), ("C", 4, True, True)))
    c3 = check(2, agree=True, indicators=(("B", 2, True, True),))
    lower_view(c3, 1)
    check(2, version="2.1.0", digest="sha256:bbbb", indicators=(("B", 2, True, False),))
    for stored, level in ((c1, 4), (c2, 3), (c3, 1)):
        decided(contact(at(2, 12), stored_check=stored), decided_at=at(2, 15), due_at=at(3, 12), level=level)
    # Not counted: another partnership's check, and a check outside the dates.
    check(3, own=5, partnership=OTHER, indicators=(("A", 3, True, True),))
    check(3, own=5, created=at(2, 10, month=3), indicators=(("A", 3, True, True),))


def test_calibration_counts_by_level_indicator_ranking_and_version(calibration_data: None):
    figures = by_key(queries.calibration(person(Role.PARTNERSHIP_ADMIN), APRIL_2026))

    levels = table(figures["calibration-levels"])
    # checks, judged, agreed, judged higher, judged lower, thought lower, fd decided, fd higher, fd lower
    assert level_row(levels, 2) == (2, 1, 1, 0, 0, 1, 1, 0, 1)
    assert level_row(levels, 3) == (2, 2, 1, 1, 0, 0, 2, 1, 0)
    assert (
        "recorded a different level in 1 and thought the level might be lower in 1"
        in figures["calibration-levels"].summary
    )

    indicators = table(figures["calibration-indicators"])
    # level, offered, selected, accepted, rejected, found, then the measures among the checks selecting it
    assert indicators["A"] == (3, 1, 2, 1, 0, 1, 2, 1, 1, 0, 0, 2, 1, 0)
    assert indicators["B"] == (2, 3, 1, 1, 2, 0, 1, 1, 0, 0, 1, 1, 0, 1)
    assert indicators["C"] == (4, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0)
    assert "most often turned down was B (2 of 3 times offered)" in figures["calibration-indicators"].summary

    versions = table(figures["calibration-versions"])
    assert versions["2.0.0 (sha256:aaaa)"][:3] == (3, 3, 2)
    assert versions["2.1.0 (sha256:bbbb)"][:3] == (1, 0, 0)


def test_the_ranking_lists_indicators_whose_selections_end_in_a_different_level_most_often(calibration_data: None):
    scope = Scope.for_actor(person(Role.PARTNERSHIP_ADMIN), APRIL_2026)
    ranked = queries.calibration_most_different(scope, minimum=1)
    # B: 1 of 1 decided differently (lower); A: 1 of 2 (higher); C: 0 of 1, not listed.
    assert [row[0] for row in ranked.rows] == ["B", "A"]
    assert ranked.rows[0][2:] == (1, 0, 1, "100%") and ranked.rows[1][2:] == (2, 1, 0, "50%")
    assert queries.calibration_most_different(scope).rows == []  # nobody has the default five decisions


def test_decision_timeliness_counts_working_time_across_the_easter_bank_holidays():
    """Received Thursday 2 April 2026 10:00 (Good Friday and Easter Monday follow), due Tuesday 10:00.

    Allowed: Thursday 10:00-17:20 (440 min) + Tuesday 08:45-10:00 (75) = 515 working minutes.
    Decided Thursday 12:00: 120 min (23%). Tuesday 09:30: 440 + 45 = 485 (94%, on time).
    Wednesday 10:00: 440 + 515 + 75 = 1030 (200%, late). The median, 485 min, is 8.1 working hours;
    counting the two bank holidays as working days would make it 24.2.
    """
    due = at(7, 10)
    for done in (at(2, 12), at(7, 9, 30), at(8, 10)):
        decided(contact(at(2, 10)), decided_at=done, due_at=due)
    decided(contact(at(2, 10)), decided_at=at(3, 9), due_at=None)  # the document gave no clock
    scope = Scope.for_actor(person(Role.PARTNERSHIP_ADMIN), APRIL_2026)
    figure = queries.decision_timeliness(scope)
    assert table(figure) == {
        "Within half the time allowed": (1, "33%"),
        "Within the time allowed": (1, "33%"),
        "Up to half as long again": (0, "0%"),
        "Later than that": (1, "33%"),
        "No deadline (the document gives none)": (1, "—"),
    }
    assert figure.summary == (
        "67% of 3 decisions with a deadline were made on time; the median took 8.1 working hours."
    )


def test_dashboard_volumes_outcomes_feedback_agency_checks_and_re_referrals():
    first = contact(at(2, 10), nhs_number="", referrer_agency="Example Primary School")
    earlier_triage = decided(first, decided_at=at(2, 15), due_at=at(3, 10), outcome="nfa", level=2,
            feedback_due=at(3, 15), feedback_sent_at=at(3, 14))  # fmt: skip
    again = contact(at(20, 10), referrer_agency="Example Primary School")
    triage = decided(again, decided_at=at(20, 15), due_at=at(21, 10), earlier=first, match="name-dob",
                     match_confirmed=True, feedback_due=at(21, 15), feedback_sent_at=at(22, 9))  # fmt: skip
    contact(at(5, 10, month=5))  # May: outside the dates
    contact(at(21, 10), partnership=OTHER)  # another partnership's
    requester = person(Role.FRONT_DOOR_WORKER).user
    for on, agency, due, answered in ((triage, "Police", at(20, 16), at(20, 15)),
                                      (earlier_triage, "Police", at(2, 16), at(3, 9)),
                                      (triage, "Health", at(20, 16), None)):  # fmt: skip
        AgencyCheck.objects.create(triage=on, agency=agency.lower(), agency_name=agency, requested_by=requester,
                                   requested_at=at(2, 11), due_at=due, answered_at=answered,
                                   response="Known to us" if answered else "")  # fmt: skip

    figures = by_key(queries.dashboard(person(Role.PARTNERSHIP_ADMIN), APRIL_2026))
    assert figures["volumes"].rows == [("Apr 2026", 2, 1)]
    assert table(figures["outcomes"]) == {"Child and family assessment": ("assessment-s17", 1),
                                          "No further action": ("nfa", 1)}  # fmt: skip
    assert table(figures["feedback"]) == {"On time": (1,), "Late": (1,), "Not yet sent": (0,)}
    assert table(figures["agency-checks"]) == {"Health": (1, 0, 0, 1, "0%"), "Police": (2, 1, 1, 0, "50%")}
    assert table(figures["re-referrals"])["About a child with a contact in the 12 months before"] == (1,)
    assert figures["re-referrals"].summary.startswith("50% of 2 contacts")
    levels = table(figures["levels"])
    assert level_row(levels, 3)[1:] == (2, 1)  # both came in at level 3; one decided at 3, one at 2

    only_police_school = queries.Filters(start=APRIL_2026.start, end=APRIL_2026.end, agency="Nowhere School")
    assert by_key(queries.dashboard(person(Role.PARTNERSHIP_ADMIN), only_police_school))["volumes"].rows == []


def test_a_figure_whose_records_do_not_exist_says_not_yet_recorded(monkeypatch: pytest.MonkeyPatch):
    real = queries.model
    monkeypatch.setattr(queries, "model", lambda label: None if label.startswith("frontdoor.") else real(label))
    contact(at(2, 10))
    figures = by_key(queries.dashboard(person(Role.PARTNERSHIP_ADMIN), APRIL_2026))
    assert not figures["timeliness"].recorded and figures["timeliness"].summary.startswith(NOT_YET_RECORDED)
    assert figures["timeliness"].rows == []  # never a made-up zero
    assert figures["volumes"].rows == [("Apr 2026", 1, NOT_YET_RECORDED)]


@pytest.mark.parametrize(
    "role,allowed",
    [(Role.PARTNERSHIP_ADMIN, True), (Role.FRONT_DOOR_MANAGER, True), (Role.FRONT_DOOR_WORKER, False),
     (Role.PRACTITIONER, False), (Role.EARLY_HELP, False), (Role.AUDITOR, False)],
)  # fmt: skip
def test_only_admins_and_front_door_managers_see_the_figures(role: Role, allowed: bool):
    actor = person(role)
    if allowed:
        assert len(queries.dashboard(actor, APRIL_2026)) == len(queries.DASHBOARD)
    else:
        with pytest.raises(Refused):
            queries.dashboard(actor, APRIL_2026)


def test_figures_are_the_actors_partnerships_only():
    contact(at(2, 10), partnership=OTHER)
    check(3, partnership=OTHER, agree=True)
    mine = by_key(queries.dashboard(person(Role.PARTNERSHIP_ADMIN, CB), APRIL_2026))
    theirs = by_key(queries.dashboard(person(Role.PARTNERSHIP_ADMIN, OTHER), APRIL_2026))
    assert mine["volumes"].rows == [] and theirs["volumes"].rows == [("Apr 2026", 1, 0)]
    assert queries.calibration(person(Role.PARTNERSHIP_ADMIN, CB), APRIL_2026)[0].rows == []
