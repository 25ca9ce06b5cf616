"""Every change at the front door: one function each, one transaction, its audit event inside it.

Views, admin and jobs call these; nothing else writes a ``Triage`` or an ``AgencyCheck``.
Refusals are :class:`FrontDoorError` (with the form field to show it on) or
``accounts.permissions.Refused``; each says what to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.accounts.models import Membership
from continuum.apps.accounts.permissions import FRONT_DOOR_ROLES, require
from continuum.apps.audit.services import record
from continuum.apps.frontdoor import clocks, events, tasks
from continuum.apps.frontdoor.models import (
    DEFAULT_AGENCIES,
    AgencyCheck,
    AgencyKind,
    DecisionRevision,
    FrontDoorSettings,
    Match,
    State,
    Triage,
)
from continuum.apps.govuk.text import clean_text, has_visible_text
from continuum.apps.partnerships.catalogue import catalogue
from continuum.apps.referrals.models import Referral
from continuum.calendar import as_uk
from continuum.frameworks.casework import OUTCOME_CODES

# Referrals received this long before the last one opened are looked at again when the queue
# opens new ones, so that one whose transaction committed late is not missed.
REOPEN_OVERLAP = timedelta(hours=1)

CONSENT_BASES = {
    "obtained": "Consent obtained",
    "not-sought": "Consent not sought, with a lawful reason",
    "refused-overridden": "Consent refused and overridden",
}

# Continuum's words for the canonical outcomes, for a document that names none of its own.
OUTCOME_LABELS = {
    "nfa": "No further action",
    "advice-signpost": "Advice or signposting",
    "early-help": "Early help",
    "assessment-s17": "Child and family assessment (section 17)",
    "strategy-s47": "Strategy discussion (section 47)",
    "immediate-protection": "Immediate protection",
    "open-case": "Passed to the open case",
    "lado": "Local authority designated officer (LADO)",
    "specialist-assessment": "Specialist assessment",
}


class FrontDoorError(Exception):
    """A change refused: ``message`` says what to fix, ``field`` where (a form field, or ``None``)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class DecisionError(FrontDoorError):
    """A decision refused: ``missing`` maps each form field to what it lacks."""

    def __init__(self, missing: dict[str, str]):
        super().__init__("The decision is missing: " + "; ".join(missing.values()), field=next(iter(missing)))
        self.missing = missing


# -- reading the framework -----------------------------------------------------------------


def framework_of(partnership: str) -> Any:
    loaded = catalogue().get(partnership)
    if loaded is None:
        raise FrontDoorError(f"the partnership {partnership!r} is not offered here (no framework with that id)")
    return loaded.framework


def settings_for(partnership: str) -> FrontDoorSettings:
    found, _ = FrontDoorSettings.objects.get_or_create(partnership=partnership)
    return found


@dataclass(frozen=True)
class OutcomeChoice:
    key: str
    code: str
    name: str
    text: str
    police: bool
    national: bool  # True: Continuum's words, the document names no outcomes


def outcome_choices(framework: Any) -> list[OutcomeChoice]:
    """The outcomes a worker may choose: the document's own (in its words), else the canonical list."""
    front_door = framework.front_door
    if front_door is not None and front_door.outcomes:
        return [
            OutcomeChoice(str(i), o.code, o.name, o.text, o.police, False) for i, o in enumerate(front_door.outcomes)
        ]
    return [OutcomeChoice(code, code, OUTCOME_LABELS[code], "", False, True) for code in OUTCOME_CODES]


def agencies(partnership: str) -> list[tuple[str, str]]:
    """Continuum's agencies, then the partnership's own."""
    own = AgencyKind.objects.filter(partnership=partnership).values_list("code", "name")
    return [*DEFAULT_AGENCIES, *((code, name) for code, name in own)]


def person_name(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else "nobody"


def spoken_time(moment: datetime | None) -> str:
    """A moment as people read it in UK time: '14:05 on 4 December 2026'."""
    if moment is None:
        return "an unknown time"
    local = as_uk(moment)
    return f"{local:%H:%M} on {local.day} {local:%B %Y}"


def _calendar(partnership: str, framework: Any) -> Any:
    return clocks.calendar_for(partnership, framework)


def _schedule(kind: str, pk: int, due_at: datetime | None, amber_at: datetime | None) -> None:
    """Enqueue the reminder (at the amber point) and the escalation (at the deadline), in this transaction."""
    if due_at is None:
        return
    due = due_at.isoformat()
    if amber_at is not None and amber_at < due_at:
        tasks.remind.using(run_after=amber_at).enqueue(kind, pk, due)
    tasks.escalate.using(run_after=due_at).enqueue(kind, pk, due)


def _amber(partnership: str, framework: Any, start: datetime, due: datetime | None) -> datetime | None:
    if due is None:
        return None
    share = settings_for(partnership).amber_share
    return clocks.amber_point(_calendar(partnership, framework), start, due, share)


# -- opening: a referral reaches the queue ---------------------------------------------------


def open_triage(referral: Referral, *, actor: Actor | None = None) -> Triage:
    """The referral's triage, opened if it has none: the decision clock copied, re-referral looked for."""
    existing = Triage.objects.filter(referral=referral).first()
    if existing is not None:
        return existing
    framework = framework_of(referral.partnership)
    actor = actor or Actor.for_system("frontdoor", referral.partnership)
    with transaction.atomic():
        now = timezone.now()
        decision = clocks.clock(framework, "decision")
        due = referral.decision_due
        earlier, match, open_case = _earlier_contact(referral, framework)
        triage = Triage.objects.create(
            referral=referral,
            partnership=referral.partnership,
            referrer_level=referral.referrer_level,
            referral_source=referral.referral_source,
            opened_at=now,
            clock_started_at=referral.received_at,
            due_at=due,
            amber_at=_amber(referral.partnership, framework, referral.received_at, due),
            clock=decision.timescale if (decision and due) else "",
            earlier=earlier,
            match=match,
            match_confirmed=True if match == Match.NHS else None,
            open_case=open_case,
        )
        _schedule("decision", triage.pk, triage.due_at, triage.amber_at)
        record(
            events.OPENED,
            target=triage,
            actor=actor,
            payload={
                "due_at": due.isoformat() if due else None,
                "clock": triage.clock or clocks.NO_CLOCK,
                "re_referral": match or None,
                "earlier": earlier.public_id if earlier else None,
            },
        )
    return triage


def open_new(partnership: str, *, actor: Actor | None = None, setting: FrontDoorSettings | None = None) -> int:
    """Open a triage for each referral to ``partnership`` that has none (the queue calls this); how many.

    ``setting`` is the partnership's :func:`settings_for`, where the caller has just read it (the queue
    page reads it for itself: one query fewer on every showing)."""

    def waiting_since(setting: FrontDoorSettings) -> Any:
        waiting = Referral.objects.filter(partnership=partnership, triage__isnull=True)
        if setting.opened_through is not None:
            waiting = waiting.filter(received_at__gte=setting.opened_through - REOPEN_OVERLAP)
        return waiting

    if not waiting_since(setting or settings_for(partnership)).exists():
        return 0  # the usual case: nothing new, and no lock taken
    with transaction.atomic():
        setting = FrontDoorSettings.objects.select_for_update().get(partnership=partnership)
        waiting = waiting_since(setting)
        opened = 0
        latest = setting.opened_through
        for referral in waiting.order_by("received_at"):
            open_triage(referral, actor=actor)
            opened += 1
            latest = referral.received_at if latest is None else max(latest, referral.received_at)
        if latest != setting.opened_through:
            setting.opened_through = latest
            setting.save(update_fields=["opened_through"])
    return opened


def _earlier_contact(referral: Referral, framework: Any) -> tuple[Referral | None, str, str]:
    """An earlier contact about the same child within the re-referral window, how it matched, and an open case."""
    earlier = Referral.objects.filter(partnership=referral.partnership, received_at__lt=referral.received_at).exclude(
        pk=referral.pk
    )
    found: list[Referral] = []
    match = Match.NONE
    if referral.nhs_number:
        found = list(earlier.filter(nhs_number=referral.nhs_number).order_by("-received_at"))
        match = Match.NHS if found else Match.NONE
    if not found and referral.date_of_birth is not None:
        found = list(
            earlier.filter(
                child_first_name__iexact=referral.child_first_name,
                child_last_name__iexact=referral.child_last_name,
                date_of_birth=referral.date_of_birth,
            ).order_by("-received_at")
        )
        match = Match.NAME_DOB if found else Match.NONE
    if not found:
        return None, Match.NONE, ""
    window, _ = clocks.look_back(framework)
    calendar = _calendar(referral.partnership, framework)
    within = [r for r in found if calendar.due(r.received_at, window) >= referral.received_at]
    still_open = [r for r in found if r.status != Referral.Status.CLOSED]
    open_case = f"{still_open[0].public_id}, received {spoken_time(still_open[0].received_at)}" if still_open else ""
    if not within:
        return None, Match.NONE, open_case
    return within[0], match, open_case


# -- claiming --------------------------------------------------------------------------------


def claim(actor: Actor, triage: Triage) -> Triage:
    """Claim ``triage`` for ``actor``: a conditional UPDATE, so two workers can never both win."""
    with transaction.atomic():
        require(actor, "frontdoor.claim", triage)
        now = timezone.now()
        won = Triage.objects.filter(pk=triage.pk, state=State.NEW, claimed_by__isnull=True).update(
            state=State.CLAIMED, claimed_by=actor.user, claimed_at=now
        )
        if not won:
            current = Triage.objects.select_related("claimed_by").get(pk=triage.pk)
            if current.state == State.DECIDED:
                raise FrontDoorError("This contact has already been decided; it cannot be claimed.", field="claim")
            who = "you" if current.claimed_by_id == actor.user.pk else person_name(current.claimed_by)
            raise FrontDoorError(
                f"Already claimed by {who} at {spoken_time(current.claimed_at)}. Choose another contact, or ask a "
                "manager to reassign it.",
                field="claim",
            )
        triage.refresh_from_db()
        record(events.CLAIMED, target=triage, actor=actor, payload={"from": State.NEW, "to": State.CLAIMED})
    return triage


def claim_next(actor: Actor) -> Triage | None:
    """Claim the unclaimed contact with the earliest deadline, skipping rows others are claiming (skip-locked)."""
    with transaction.atomic():
        require(actor, "frontdoor.view_queue")
        candidate = (
            Triage.objects.visible_to(actor)
            .filter(state=State.NEW, claimed_by__isnull=True)
            .order_by(clocks_order(), "pk")
            .select_for_update(skip_locked=True)
            .first()
        )
        if candidate is None:
            return None
        return claim(actor, candidate)


def clocks_order() -> Any:
    from django.db.models import F

    return F("due_at").asc(nulls_last=True)


def reassign(actor: Actor, triage: Triage, to_user: Any) -> Triage:
    """A manager gives a contact to another front-door worker or manager of the same partnership."""
    with transaction.atomic():
        require(actor, "frontdoor.reassign", triage)
        triage = Triage.objects.select_for_update().get(pk=triage.pk)
        if triage.state == State.DECIDED:
            raise FrontDoorError("This contact has been decided; it cannot be reassigned.", field="to")
        if not Membership.objects.filter(
            user=to_user, partnership=triage.partnership, role__in=[r.value for r in FRONT_DOOR_ROLES]
        ).exists():
            raise FrontDoorError(
                f"{person_name(to_user)} is not a front-door worker or manager in this partnership; choose someone "
                "who is.",
                field="to",
            )
        before = person_name(triage.claimed_by) if triage.claimed_by_id else None
        triage.state, triage.claimed_by, triage.claimed_at = State.CLAIMED, to_user, timezone.now()
        triage.save(update_fields=["state", "claimed_by", "claimed_at"])
        record(events.REASSIGNED, target=triage, actor=actor, payload={"from": before, "to": person_name(to_user)})
    return triage


def _locked_for_triage(actor: Actor, triage: Triage, action: str) -> Triage:
    """The row, locked, once ``actor`` may work on it: they claimed it (or manage the front door)."""
    require(actor, action, triage)
    triage = Triage.objects.select_for_update(of=("self",)).select_related("referral", "claimed_by").get(pk=triage.pk)
    if triage.state == State.DECIDED:
        raise FrontDoorError("This contact has already been decided.", field=None)
    if triage.claimed_by_id is None:
        raise FrontDoorError("Claim this contact before you work on it.", field="claim")
    if triage.claimed_by_id != actor.user.pk and actor.role != Role.FRONT_DOOR_MANAGER:
        raise FrontDoorError(
            f"{person_name(triage.claimed_by)} claimed this contact at {spoken_time(triage.claimed_at)}; only they or a "
            "manager can work on it.",
            field="claim",
        )
    return triage


# -- triage ----------------------------------------------------------------------------------


def grade(actor: Actor, triage: Triage, grade_id: str) -> Triage:
    """Grade the contact (RAG, where the framework has grades); the grade's clock re-sets the decision deadline.

    The grade's clock runs from when the referral was received, as the decision clock does.
    """
    with transaction.atomic():
        triage = _locked_for_triage(actor, triage, "frontdoor.triage")
        framework = framework_of(triage.partnership)
        found = clocks.find_grade(framework, grade_id)
        if found is None:
            names = ", ".join(g.id for g in (framework.front_door.grades if framework.front_door else [])) or "none"
            raise FrontDoorError(f"Choose a grade this partnership uses (it has: {names}).", field="grade")
        before = triage.due_at
        graded_clock = clocks.grade_clock(framework, grade_id)
        triage.grade, triage.graded_at = grade_id, timezone.now()
        fields = ["grade", "graded_at"]
        if graded_clock is not None:
            calendar = _calendar(triage.partnership, framework)
            triage.due_at = calendar.due(triage.clock_started_at, graded_clock.within)
            triage.amber_at = _amber(triage.partnership, framework, triage.clock_started_at, triage.due_at)
            triage.clock = graded_clock.timescale
            triage.reminded_at = triage.escalated_at = None
            fields += ["due_at", "amber_at", "clock", "reminded_at", "escalated_at"]
            _schedule("decision", triage.pk, triage.due_at, triage.amber_at)
        triage.save(update_fields=fields)
        record(
            events.GRADED,
            target=triage,
            actor=actor,
            payload={
                "grade": grade_id,
                "due_before": before.isoformat() if before else None,
                "due_at": triage.due_at.isoformat() if triage.due_at else None,
            },
        )
    return triage


def request_check(actor: Actor, triage: Triage, agency: str, question: str = "") -> AgencyCheck:
    """Ask one agency for information; its clock is the framework's ``agency_checks`` (else none)."""
    with transaction.atomic():
        triage = _locked_for_triage(actor, triage, "frontdoor.triage")
        names = dict(agencies(triage.partnership))
        if agency not in names:
            raise FrontDoorError("Choose an agency from the list.", field="agency")
        if triage.agency_checks.filter(agency=agency).exists():
            raise FrontDoorError(f"{names[agency]} has already been asked about this contact.", field="agency")
        framework = framework_of(triage.partnership)
        agency_clock = clocks.clock(framework, "agency_checks")
        now = timezone.now()
        due = _calendar(triage.partnership, framework).due(now, agency_clock.within) if agency_clock else None
        check = AgencyCheck.objects.create(
            triage=triage,
            agency=agency,
            agency_name=names[agency],
            question=clean_text(question).strip(),
            requested_by=actor.user,
            requested_at=now,
            due_at=due,
            clock=agency_clock.timescale if agency_clock else "",
        )
        _schedule("agency-check", check.pk, due, _amber(triage.partnership, framework, now, due))
        record(
            events.REQUESTED,
            target=triage,
            actor=actor,
            payload={"agency": agency, "due_at": due.isoformat() if due else None},
        )
    return check


def answer_check(actor: Actor, check: AgencyCheck, response: str) -> AgencyCheck:
    """Record an agency's answer."""
    with transaction.atomic():
        _locked_for_triage(actor, check.triage, "frontdoor.triage")
        check = AgencyCheck.objects.select_for_update().get(pk=check.pk)
        response = clean_text(response).strip()
        if not has_visible_text(response):
            raise FrontDoorError(f"Enter what {check.agency_name} said.", field="response")
        if check.answered_at is not None:
            raise FrontDoorError(f"{check.agency_name}'s answer is already recorded.", field="response")
        check.response, check.answered_by, check.answered_at = response, actor.user, timezone.now()
        check.save(update_fields=["response", "answered_by", "answered_at"])
        record(events.ANSWERED, target=check.triage, actor=actor, payload={"agency": check.agency})
    return check


def confirm_match(actor: Actor, triage: Triage, same_child: bool) -> Triage:
    """Confirm (or reject) that an earlier contact matched by name and date of birth is the same child."""
    with transaction.atomic():
        triage = _locked_for_triage(actor, triage, "frontdoor.triage")
        if triage.match != Match.NAME_DOB:
            raise FrontDoorError("There is no name-and-date-of-birth match to confirm.", field="same_child")
        triage.match_confirmed = same_child
        triage.save(update_fields=["match_confirmed"])
        record(events.MATCHED, target=triage, actor=actor, payload={"same_child": same_child})
    return triage


@dataclass
class Rationale:
    """The structured reasons for a decision (all required; the form gathers them)."""

    indicators: dict[str, str]  # each referred indicator id → "confirmed" | "rejected"
    added: list[str]  # indicator ids the front door adds
    information: str  # information gathered
    consent_basis: str  # a key of CONSENT_BASES
    consent_detail: str
    level: int | None  # the front door's level
    level_reason: str  # required when it differs from the referrer's

    def as_dict(self) -> dict[str, Any]:
        return {
            "indicators": dict(sorted(self.indicators.items())),
            "added": sorted(self.added),
            "information": clean_text(self.information).strip(),
            "consent_basis": self.consent_basis,
            "consent_detail": clean_text(self.consent_detail).strip(),
            "level": self.level,
            "level_reason": clean_text(self.level_reason).strip(),
        }


def decision_refusals(triage: Triage, framework: Any, outcome: str, rationale: Rationale) -> dict[str, str]:
    """What a decision lacks, field by field (empty when it is complete)."""
    missing: dict[str, str] = {}
    if outcome not in {c.key for c in outcome_choices(framework)}:
        missing["outcome"] = "choose the outcome"
    referred = list(triage.referral.indicator_ids or [])
    unassessed = [i for i in referred if rationale.indicators.get(i) not in ("confirmed", "rejected")]
    if unassessed:
        missing["indicators"] = f"confirm or reject each referred indicator ({len(unassessed)} not done)"
    known = {i.id for i in framework.indicators}
    unknown = [i for i in rationale.added if i not in known]
    if unknown:
        missing["added"] = f"indicators added must be this framework's ({', '.join(unknown)} are not)"
    if not has_visible_text(rationale.information):
        missing["information"] = "say what information was gathered"
    if rationale.consent_basis not in CONSENT_BASES:
        missing["consent_basis"] = "say on what basis information was shared (consent)"
    levels = {level.number for level in framework.levels}
    if rationale.level not in levels:
        missing["level"] = "give the front door's level"
    elif rationale.level != triage.referral.referrer_level and not has_visible_text(rationale.level_reason):
        missing["level_reason"] = "say why the front door's level differs from the referrer's"
    if triage.match == Match.NAME_DOB and triage.match_confirmed is None:
        missing["same_child"] = "confirm whether the earlier contact with the same name and date of birth is this child"
    return missing


def decide(actor: Actor, triage: Triage, *, outcome: str, police: bool, rationale: Rationale) -> Triage:
    """Record the decision with its structured rationale; start the feedback clock. Refused if anything is missing."""
    with transaction.atomic():
        triage = _locked_for_triage(actor, triage, "frontdoor.decide")
        framework = framework_of(triage.partnership)
        missing = decision_refusals(triage, framework, outcome, rationale)
        if missing:
            raise DecisionError(missing)
        choice = next(c for c in outcome_choices(framework) if c.key == outcome)
        now = timezone.now()
        feedback = clocks.clock(framework, "feedback")
        triage.state = State.DECIDED
        triage.outcome_code, triage.outcome_name = choice.code, choice.name
        triage.police = police or choice.police
        triage.frontdoor_level = rationale.level
        triage.rationale = rationale.as_dict()
        triage.decided_by, triage.decided_at = actor.user, now
        triage.feedback_due = _calendar(triage.partnership, framework).due(now, feedback.within) if feedback else None
        triage.feedback_clock = feedback.timescale if feedback else ""
        triage.save(
            update_fields=[
                "state", "outcome_code", "outcome_name", "police", "frontdoor_level", "rationale",
                "decided_by", "decided_at", "feedback_due", "feedback_clock",
            ]
        )  # fmt: skip
        _schedule(
            "feedback", triage.pk, triage.feedback_due, _amber(triage.partnership, framework, now, triage.feedback_due)
        )
        record(
            events.DECIDED,
            target=triage,
            actor=actor,
            payload={
                "from": State.CLAIMED,
                "to": State.DECIDED,
                "outcome": choice.code,
                "outcome_name": choice.name,
                "police": triage.police,
                "rationale": triage.rationale,
                "feedback_due": triage.feedback_due.isoformat() if triage.feedback_due else None,
            },
        )
    return triage


def revise_decision(
    actor: Actor, triage: Triage, *, outcome: str, police: bool, level: int | None, reason: str
) -> DecisionRevision:
    """A change to a recorded decision: a new entry beside it by a named, signed-in person, with their reason.

    The decision as first recorded stays as it is (the database refuses to change it); the latest
    revision is the decision in force (``Triage.outcome_code_in_force``). Where the referrer has
    already been told the outcome and the outcome changes, they are told again the same way, in this
    transaction: written on the referral (their page shows the outcome in force, changed when) and
    emailed by a job, withholding what the first feedback withheld (see :func:`_tell_referrer_of_change`).
    Before feedback nothing is sent: the feedback carries the outcome in force when it goes."""
    require(actor, "frontdoor.decide", triage)
    text = clean_text(reason).strip()
    with transaction.atomic():
        triage = Triage.objects.select_for_update(of=("self",)).select_related("referral").get(pk=triage.pk)
        if triage.state != State.DECIDED:
            raise FrontDoorError("Record the decision first.", field="outcome")
        framework = framework_of(triage.partnership)
        choice = next((c for c in outcome_choices(framework) if c.key == outcome), None)
        if choice is None:
            raise FrontDoorError("Choose the outcome.", field="outcome")
        if level not in {lv.number for lv in framework.levels}:
            raise FrontDoorError("Give the front door's level.", field="level")
        if not has_visible_text(text):
            raise FrontDoorError("Enter why the decision has changed.", field="reason")
        police = police or choice.police
        latest = triage.latest_revision
        now_in_force = (
            (latest.outcome_code, latest.police, latest.frontdoor_level)
            if latest is not None
            else (triage.outcome_code, triage.police, triage.frontdoor_level)
        )
        name_in_force = latest.outcome_name if latest is not None else triage.outcome_name
        if (choice.code, choice.name, police, level) == (now_in_force[0], name_in_force, *now_in_force[1:]):
            raise FrontDoorError("That is the decision already recorded: change the outcome, police or level.",
                                 field="outcome")  # fmt: skip
        assert level is not None
        revision = DecisionRevision.objects.create(
            triage=triage,
            outcome_code=choice.code,
            outcome_name=choice.name,
            police=police,
            frontdoor_level=level,
            reason=text,
            recorded_by=actor.user,
            recorded_at=timezone.now(),
        )
        referrer = _tell_referrer_of_change(actor, triage, revision, before=(now_in_force[0], name_in_force))
        record(
            events.DECISION_REVISED,
            target=triage,
            actor=actor,
            payload={
                "revision": revision.pk,
                "outcome": choice.code,
                "outcome_name": choice.name,
                "police": police,
                "level": level,
                "reason": text,
                "before": {"outcome": now_in_force[0], "police": now_in_force[1], "level": now_in_force[2]},
                "referrer": referrer,
            },
        )
    return revision


# What a change to the decision meant for the referrer (the ``referrer`` of the revision's audit payload).
REFERRER_TOLD = "told the outcome in force"
REFERRER_TOLD_NOT_SHARED = "told the decision changed; the outcome is still not shared"
REFERRER_NOT_YET_TOLD = "not told yet: the feedback, when sent, carries the outcome in force"
REFERRER_OUTCOME_UNCHANGED = "not told: the outcome they were told is unchanged"


def _tell_referrer_of_change(
    actor: Actor, triage: Triage, revision: DecisionRevision, *, before: tuple[str, str]
) -> str:
    """Tell the referrer a changed outcome as the first feedback told them, in the caller's transaction.

    Only once feedback has been sent and only when the outcome (its code or the document's name
    for it) changes: a change of the police or the front door's level alone is not the referrer's
    outcome. The first feedback's choice holds: shared, the referrer is shown the new outcome in the
    document's words; not shared, only that the decision changed, with the reason first given. The
    change's reason is the front door's and is never sent.
    """
    from continuum.apps.referrals import services as referral_services

    if triage.feedback_sent_at is None:
        return REFERRER_NOT_YET_TOLD
    if (revision.outcome_code, revision.outcome_name) == before:
        return REFERRER_OUTCOME_UNCHANGED
    referral_services.record_outcome_change_for_referrer(
        actor, triage.referral, outcome_code=revision.outcome_code, outcome_name=revision.outcome_name
    )
    shared = bool(triage.feedback_shared)
    tasks.email_referrer.enqueue(triage.pk, changed=True)
    record(events.FED_BACK, target=triage, actor=actor, payload={"shared": shared, "revision": revision.pk})
    return REFERRER_TOLD if shared else REFERRER_TOLD_NOT_SHARED


def send_feedback(actor: Actor, triage: Triage, *, shared: bool, text: str, reason_not_shared: str = "") -> Triage:
    """Tell the referrer the outcome (or why it is not shared): written on the referral, emailed by a job."""
    from continuum.apps.referrals import services as referral_services

    with transaction.atomic():
        require(actor, "frontdoor.decide", triage)
        triage = Triage.objects.select_for_update().select_related("referral").get(pk=triage.pk)
        if triage.state != State.DECIDED:
            raise FrontDoorError("Decide the contact before telling the referrer the outcome.", field="shared")
        if triage.feedback_sent_at is not None:
            raise FrontDoorError(
                f"The referrer was already told, at {spoken_time(triage.feedback_sent_at)}.", field="shared"
            )
        text, reason_not_shared = clean_text(text).strip(), clean_text(reason_not_shared).strip()
        if shared and not has_visible_text(text):
            raise FrontDoorError("Write what the referrer is told about the outcome.", field="text")
        if not shared and not has_visible_text(reason_not_shared):
            raise FrontDoorError("Say why it is not appropriate to share the outcome.", field="reason_not_shared")
        referral_services.record_outcome_for_referrer(
            actor,
            triage.referral,
            outcome_code=triage.outcome_code_in_force,  # a decision changed before feedback: the change
            text=text.strip() if shared else "",
            shared=shared,
            reason_not_shared="" if shared else reason_not_shared.strip(),
        )
        triage.feedback_sent_at, triage.feedback_shared = timezone.now(), shared
        triage.save(update_fields=["feedback_sent_at", "feedback_shared"])
        tasks.email_referrer.enqueue(triage.pk)
        record(events.FED_BACK, target=triage, actor=actor, payload={"shared": shared})
    return triage


def recipients(partnership: str, roles: list[Role]) -> list[str]:
    """The email addresses of the partnership's people in ``roles``."""
    user_model = get_user_model()
    users = user_model.objects.filter(
        memberships__partnership=partnership, memberships__role__in=[r.value for r in roles], is_active=True
    ).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


# -- the access log --------------------------------------------------------------------------


def note_viewed(actor: Actor, triage: Triage, *, what: str = "triage page") -> None:
    """The access log: ``actor`` saw this contact. If the write fails, the view shows nothing."""
    from continuum.apps.audit.services import record_access

    record_access(actor, triage, purpose=what, verb=events.VIEWED)


def note_listed(actor: Actor, triages: list[Triage], setting: FrontDoorSettings | None = None) -> None:
    """The access log for the queue page: one event naming every contact the page listed.

    Its target is the partnership's front-door settings (the queue itself); the purpose names
    each contact's reference, so "who saw this child's name on the queue" is answerable.
    """
    from continuum.apps.audit.services import record_access

    if not triages or actor.partnership is None:
        return
    listed = ", ".join(t.public_id for t in triages)
    queue = setting or settings_for(actor.partnership)
    record_access(actor, queue, purpose=f"queue page listed: {listed}", verb=events.LISTED)


# -- the partnership's settings --------------------------------------------------------------


def can_view_queue(actor: Actor) -> bool:
    from continuum.apps.accounts.permissions import can

    return can(actor, "frontdoor.view_queue")


def configure(actor: Actor, partnership: str, *, amber_share: float) -> FrontDoorSettings:
    """Set the share of a clock left below which a contact shows amber (a partnership admin's choice)."""
    require(actor, "frontdoor.configure")
    if actor.partnership != partnership and not getattr(actor.user, "is_superuser", False):
        raise FrontDoorError("You can change only your own partnership's settings.", field="partnership")
    if not 0.0 <= amber_share <= 1.0:
        raise FrontDoorError("Give the amber share as a number from 0 to 1, e.g. 0.25.", field="amber_share")
    with transaction.atomic():
        setting = FrontDoorSettings.objects.select_for_update().get(pk=settings_for(partnership).pk)
        before = setting.amber_share
        setting.amber_share = amber_share
        setting.save(update_fields=["amber_share"])
        record(
            events.SETTINGS_CHANGED,
            target=setting,
            actor=actor,
            payload={"amber_share": {"from": before, "to": amber_share}},
        )
    return setting


def add_agency(actor: Actor, code: str, name: str) -> AgencyKind:
    """Add an agency the partnership asks for information (beyond Continuum's defaults)."""
    require(actor, "frontdoor.configure")
    assert actor.partnership is not None
    if code in dict(agencies(actor.partnership)):
        raise FrontDoorError(f"There is already an agency with the code {code!r}.", field="code")
    with transaction.atomic():
        kind = AgencyKind.objects.create(partnership=actor.partnership, code=code, name=name.strip())
        record(
            events.SETTINGS_CHANGED, target=settings_for(actor.partnership), actor=actor, payload={"agency_added": code}
        )
    return kind
