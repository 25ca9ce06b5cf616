"""Every change to early help: one function each, one transaction each, its audit event inside it.

Events name the episode as their target (so the episode's history is its events) and say in their payload
which consent, member, action or review changed. A change that the rules refuse raises
:class:`EarlyHelpError` (a message for the person and the form field it is about) and stores nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from continuum.apps.accounts.actor import Actor
from continuum.apps.accounts.models import Membership
from continuum.apps.accounts.permissions import require
from continuum.apps.audit.queries import for_target
from continuum.apps.audit.services import record
from continuum.apps.checks.models import Check
from continuum.apps.earlyhelp import clocks, events
from continuum.apps.earlyhelp.models import (
    CLOSURE_LABELS,
    EARLY_HELP_ROLES,
    SECTIONS,
    ClosureRevision,
    Consent,
    Episode,
    FamilyMember,
    PartnershipSetting,
    PlanAction,
    Review,
    Source,
    Status,
    StepDown,
    StepUp,
    TeamMember,
)
from continuum.apps.govuk.text import clean_text, has_visible_text
from continuum.apps.partnerships.catalogue import catalogue
from continuum.calendar import CalendarError, Within
from continuum.engine import AssessmentInputError, assess
from continuum.frameworks import LoadedFramework


class EarlyHelpError(ValueError):
    """A change the rules do not allow: ``str(error)`` is for the person, ``field`` the form field it is about."""

    def __init__(self, message: str, *, field: str = "__all__"):
        super().__init__(message)
        self.field = field


class PlanConflict(EarlyHelpError):
    """Someone else changed the plan since this person opened it: their change is refused, nothing is lost."""

    def __init__(self) -> None:
        super().__init__(
            "Someone else changed this family's plan or team since you opened it. Your change has not been saved: "
            "check their changes below, then make yours again (what you entered is still in the form).",
            field="version",
        )


# --- helpers ---------------------------------------------------------------------------------


def framework_for(partnership: str) -> LoadedFramework:
    loaded = catalogue().get(partnership)
    if loaded is None:
        raise EarlyHelpError(f"The partnership {partnership!r} is not on offer", field="partnership")
    return loaded


def partnership_settings(partnership: str) -> PartnershipSetting | None:
    return PartnershipSetting.objects.filter(partnership=partnership).first()


def _locked(episode: Episode) -> Episode:
    return Episode.objects.select_for_update().get(pk=episode.pk)


def _need_status(episode: Episode, *allowed: str) -> None:
    if episode.status not in allowed:
        raise EarlyHelpError(f"This is not possible while the episode is {episode.get_status_display().lower()}")


def _bump(episode: Episode, expected_version: int) -> None:
    """Optimistic locking: move the plan to its next version, or refuse if it is not the version the person saw."""
    moved = Episode.objects.filter(pk=episode.pk, version=expected_version).update(version=F("version") + 1)
    if moved != 1:
        raise PlanConflict()
    episode.version = expected_version + 1


def _early_help_levels(loaded: LoadedFramework) -> set[int]:
    return {level.number for level in loaded.framework.levels if "early-help" in level.tiers}


def _split_indicators(loaded: LoadedFramework, ids: Iterable[str]) -> tuple[list[str], list[str]]:
    """``ids`` as (needs, strengths); an id the framework does not have is refused."""
    known = {i.id: i for i in loaded.framework.indicators}
    needs: list[str] = []
    strengths: list[str] = []
    for indicator_id in ids:
        indicator = known.get(indicator_id)
        if indicator is None:
            raise EarlyHelpError(f"{indicator_id!r} is not an indicator of this framework", field="needs")
        (strengths if indicator.protective else needs).append(indicator_id)
    return needs, strengths


def _user_holds_role(user: Any, partnership: str, roles: Iterable[str]) -> bool:
    return Membership.objects.filter(user=user, partnership=partnership, role__in=[str(r) for r in roles]).exists()


# --- starting ---------------------------------------------------------------------------------


def _start(
    actor: Actor,
    *,
    loaded: LoadedFramework,
    source: str,
    reference: str,
    level: int | None,
    indicator_ids: Iterable[str],
    family: Iterable[Mapping[str, Any]],
    check: Check | None = None,
) -> Episode:
    fw = loaded.framework
    if fw.early_help is None or fw.early_help.assessment is None:
        raise EarlyHelpError("The document names no early help assessment, so none can be started here")
    needs, strengths = _split_indicators(loaded, indicator_ids)
    now = timezone.now()
    episode = Episode.objects.create(
        partnership=fw.id,
        framework_version=fw.version,
        framework_hash=loaded.content_hash,
        assessment_name=fw.early_help.assessment.name,
        source=source,
        source_reference=reference,
        check_ref=check,
        level_at_start=level,
        needs=needs,
        strengths=strengths,
        started_by=actor.user,
        started_at=now,
        lead_professional=actor.user,
    )
    for person in family:
        FamilyMember.objects.create(
            episode=episode,
            kind=person.get("kind") or FamilyMember.Kind.CHILD,
            first_name=person.get("first_name") or "",
            last_name=person.get("last_name") or "",
            date_of_birth=person.get("date_of_birth"),
            relationship=person.get("relationship") or "",
        )
    record(
        events.STARTED,
        target=episode,
        actor=actor,
        payload={"source": source, "reference": reference, "level": level, "framework": fw.version},
    )
    return episode


def start_from_check(actor: Actor, check: Check) -> Episode:
    """Start the assessment from the actor's stored check at an early-help level; its selection pre-fills needs."""
    require(actor, "earlyhelp.start")
    if not Check.objects.visible_to(actor).filter(pk=check.pk).exists():
        raise EarlyHelpError("You can start an assessment only from a check you can see", field="check")
    if check.framework_id != actor.partnership:
        raise EarlyHelpError("This check was made against another partnership's document", field="check")
    loaded = framework_for(check.framework_id)
    level = check.level_in_force or check.recommended_level  # a later change of mind included (ADR 0018)
    if level not in _early_help_levels(loaded):
        raise EarlyHelpError(
            "The check's level is not an early help level in this document: refer to the front door instead",
            field="check",
        )
    inputs = check.inputs or {}
    chosen = [*(inputs.get("indicators") or []), *(inputs.get("protective") or [])]
    with transaction.atomic():
        under_way = (
            Episode.objects.visible_to(actor)
            .filter(source=Source.CHECK, source_reference=check.public_id, status__in=(Status.DRAFT, Status.OPEN))
            .order_by("pk")
            .first()
        )
        if under_way is not None:  # the same check started again (another day, another tab): the one under way
            return under_way
        return _start(
            actor,
            loaded=loaded,
            source=Source.CHECK,
            reference=check.public_id,
            level=level,
            indicator_ids=chosen,
            family=[],
            check=check,
        )


def front_door_outcome(referral: Any) -> str:
    """The front door's decision on ``referral``: its triage's outcome once decided, else the outcome on the referral."""
    triage = getattr(referral, "triage", None)  # frontdoor.Triage, where the front door is installed
    if triage is not None and getattr(triage, "decided_at", None) is not None:
        return str(triage.outcome_code or "")
    return str(getattr(referral, "outcome_code", "") or "")


def _split_name(name: str) -> tuple[str, str]:
    first, _, last = name.strip().partition(" ")
    return first, last.strip()


def referral_family(referral: Any) -> list[dict[str, Any]]:
    """The child, their siblings referred with them, and the household, from a ``referrals.Referral``."""
    people: list[dict[str, Any]] = [
        {
            "kind": "child",
            "first_name": referral.child_first_name,
            "last_name": referral.child_last_name,
            "date_of_birth": referral.date_of_birth,
        }
    ]
    family = getattr(referral, "family", None)
    siblings = getattr(family, "referrals", None)
    if siblings is not None and hasattr(siblings, "exclude"):
        for sibling in siblings.exclude(pk=referral.pk):
            people.append(
                {
                    "kind": "child",
                    "first_name": sibling.child_first_name,
                    "last_name": sibling.child_last_name,
                    "date_of_birth": sibling.date_of_birth,
                }
            )
    for person in getattr(family, "household", None) or []:
        if isinstance(person, Mapping) and str(person.get("name") or "").strip():
            first, last = _split_name(str(person["name"]))
            people.append(
                {
                    "kind": "adult",
                    "first_name": first,
                    "last_name": last or "(not given)",
                    "relationship": str(person.get("relationship") or ""),
                    "date_of_birth": _date_or_none(person.get("date_of_birth")),
                }
            )
    return people


def start_from_front_door(actor: Actor, referral: Any) -> Episode:
    """Start the assessment from a ``referrals.Referral`` the front door decided is early help.

    Reads the referral's own fields (partnership, the child, siblings and household through its
    family, ``indicator_ids``, ``referrer_level``) and the front door's decision through the
    referral's ``triage`` (no import of the front door), else the outcome on the referral.
    """
    require(actor, "earlyhelp.start")
    if referral.partnership != actor.partnership:
        raise EarlyHelpError("This referral was made to another partnership", field="referral")
    if front_door_outcome(referral) != "early-help":
        raise EarlyHelpError("The front door has not decided early help for this referral", field="referral")
    if Episode.objects.filter(source=Source.FRONT_DOOR, source_reference=str(referral.public_id)).exists():
        raise EarlyHelpError("An assessment has already been started from this referral", field="referral")
    loaded = framework_for(referral.partnership)
    known = {i.id for i in loaded.framework.indicators}
    with transaction.atomic():
        return _start(
            actor,
            loaded=loaded,
            source=Source.FRONT_DOOR,
            reference=str(referral.public_id),
            level=getattr(referral, "referrer_level", None),
            indicator_ids=[i for i in (referral.indicator_ids or []) if i in known],
            family=referral_family(referral),
        )


# --- the assessment (draft) ------------------------------------------------------------------


def _mark_done(episode: Episode, section: str) -> None:
    if section not in episode.sections_done:
        episode.sections_done = [s for s, _ in SECTIONS if s in {*episode.sections_done, section}]


@transaction.atomic
def add_family_member(
    actor: Actor,
    episode: Episode,
    *,
    kind: str,
    first_name: str,
    last_name: str,
    date_of_birth: date | None = None,
    relationship: str = "",
) -> FamilyMember:
    """Add one child or adult to the family (one record each)."""
    require(actor, "earlyhelp.edit", episode)
    episode = _locked(episode)
    _need_status(episode, Status.DRAFT, Status.OPEN)
    if kind not in FamilyMember.Kind.values:
        raise EarlyHelpError("Select whether this is a child or an adult", field="kind")
    if not first_name.strip() or not last_name.strip():
        raise EarlyHelpError("Enter the person's first and last name", field="first_name")
    if date_of_birth is not None and date_of_birth > timezone.localdate():
        raise EarlyHelpError("The date of birth must be in the past", field="date_of_birth")
    member = FamilyMember.objects.create(
        episode=episode,
        kind=kind,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        date_of_birth=date_of_birth,
        relationship=relationship.strip(),
    )
    record(events.MEMBER_ADDED, target=episode, actor=actor, payload={"member": member.pk, "kind": kind})
    return member


@transaction.atomic
def save_section(actor: Actor, episode: Episode, section: str, data: Mapping[str, Any]) -> Episode:
    """Save one section of the draft (resumable): ``family`` (done), ``needs``, ``voice``."""
    require(actor, "earlyhelp.edit", episode)
    episode = _locked(episode)
    _need_status(episode, Status.DRAFT)
    fields = ["sections_done"]
    if section == "family":
        if not episode.family.filter(kind=FamilyMember.Kind.CHILD).exists():
            raise EarlyHelpError("Add at least one child to the family", field="first_name")
    elif section == "needs":
        loaded = framework_for(episode.partnership)
        needs, strengths = _split_indicators(loaded, [*data.get("needs", []), *data.get("strengths", [])])
        if not needs:
            raise EarlyHelpError("Select at least one need", field="needs")
        episode.needs, episode.strengths = needs, strengths
        episode.strengths_text = str(data.get("strengths_text") or "").strip()
        fields += ["needs", "strengths", "strengths_text"]
    elif section == "voice":
        voice = str(data.get("family_voice") or "").strip()
        if not voice:
            raise EarlyHelpError("Enter what the family say, in their words", field="family_voice")
        episode.family_voice = voice
        fields.append("family_voice")
    else:
        raise EarlyHelpError(f"There is no section {section!r}")
    _mark_done(episode, section)
    episode.save(update_fields=fields)
    record(events.SECTION_SAVED, target=episode, actor=actor, payload={"section": section})
    return episode


@transaction.atomic
def record_consent(
    actor: Actor,
    episode: Episode,
    *,
    given_by: FamilyMember,
    to_what: str,
    share_with: list[str],
    shares_with_team: bool,
    given_at: datetime | None = None,
) -> Consent:
    """Record a family member's consent: to what, sharing with whom, when."""
    require(actor, "earlyhelp.edit", episode)
    episode = _locked(episode)
    _need_status(episode, Status.DRAFT, Status.OPEN)
    if given_by.episode_id != episode.pk:
        raise EarlyHelpError("Select a member of this family", field="given_by")
    if not has_visible_text(clean_text(to_what)):
        raise EarlyHelpError("Enter what they consented to", field="to_what")
    when = given_at or timezone.now()
    if when > timezone.now():
        raise EarlyHelpError("Consent cannot be given in the future", field="given_at")
    consent = Consent.objects.create(
        episode=episode,
        given_by=given_by,
        to_what=clean_text(to_what).strip(),
        share_with=[s.strip() for s in share_with if s.strip()],
        shares_with_team=shares_with_team,
        given_at=when,
        recorded_by=actor.user,
    )
    _mark_done(episode, "consent")
    episode.save(update_fields=["sections_done"])
    record(
        events.CONSENT_RECORDED,
        target=episode,
        actor=actor,
        payload={
            "consent": consent.pk,
            "given_by": given_by.pk,
            "team": shares_with_team,
            "share_with": consent.share_with,
        },
    )
    return consent


@transaction.atomic
def withdraw_consent(actor: Actor, consent: Consent, *, note: str = "") -> Consent:
    """Record that consent was withdrawn now: sharing with the team stops from this moment."""
    require(actor, "earlyhelp.edit", consent.episode)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise EarlyHelpError("This consent was already withdrawn", field="consent")
    consent.withdrawn_at = timezone.now()
    consent.withdrawal_recorded_by = actor.user
    consent.withdrawal_note = clean_text(note).strip()
    consent.save(update_fields=["withdrawn_at", "withdrawal_recorded_by", "withdrawal_note"])
    record(events.CONSENT_WITHDRAWN, target=consent.episode, actor=actor, payload={"consent": consent.pk})
    return consent


def missing_for_submit(episode: Episode) -> list[tuple[str, str]]:
    """What stops the draft being submitted: (section, message) pairs, empty when it is ready."""
    missing = []
    if not episode.family.filter(kind=FamilyMember.Kind.CHILD).exists():
        missing.append(("family", "Add at least one child to the family"))
    if not episode.needs:
        missing.append(("needs", "Select at least one need"))
    if not episode.family_voice.strip():
        missing.append(("voice", "Record the family's voice"))
    if not episode.consents.filter(withdrawn_at__isnull=True).exists():
        missing.append(("consent", "Record the family's consent"))
    return missing


@transaction.atomic
def submit(actor: Actor, episode: Episode) -> Episode:
    """Submit the assessment: the episode opens and the first review's clock starts (if there is one)."""
    require(actor, "earlyhelp.edit", episode)
    episode = _locked(episode)
    _need_status(episode, Status.DRAFT)
    missing = missing_for_submit(episode)
    if missing:
        raise EarlyHelpError(missing[0][1], field=missing[0][0])
    episode.status = Status.OPEN
    episode.submitted_at = timezone.now()
    episode.save(update_fields=["status", "submitted_at"])
    review = schedule_review(episode, 1, episode.submitted_at)
    record(
        events.SUBMITTED,
        target=episode,
        actor=actor,
        payload={
            "from": Status.DRAFT,
            "to": Status.OPEN,
            "first_review_due": review.due_at.isoformat() if review else None,
        },
    )
    return episode


# --- reviews and their clocks ----------------------------------------------------------------


def schedule_review(episode: Episode, number: int, start: datetime) -> Review | None:
    """Review ``number``'s due date from ``start``, with its reminder and overdue jobs; ``None`` with no clock.

    Called inside the transaction that starts the clock (so the jobs exist exactly when the review does).
    """
    from continuum.apps.earlyhelp import tasks

    loaded = framework_for(episode.partnership)
    clock = clocks.review_clock(loaded, partnership_settings(episode.partnership), number)
    due = clock.due(loaded, start)
    if due is None:
        return None
    review = Review.objects.create(
        episode=episode, number=number, due_at=due, clock_basis=clock.basis, clock_text=clock.text
    )
    before = timedelta(days=django_settings.CONTINUUM_EARLYHELP_REMINDER_DAYS)
    tasks.review_reminder.using(run_after=max(due - before, start)).enqueue(review.pk)
    tasks.review_overdue.using(run_after=due).enqueue(review.pk)
    return review


@transaction.atomic
def record_review(
    actor: Actor,
    review: Review,
    *,
    progress: Mapping[str, str],
    summary: str,
    selection: Mapping[str, Any],
) -> Review:
    """Hold a review: progress against each action, and the level now (a new check against the framework)."""
    episode = review.episode
    require(actor, "earlyhelp.edit", episode)
    episode = _locked(episode)
    _need_status(episode, Status.OPEN)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.held_at is not None:
        raise EarlyHelpError("This review has already been held", field="review")
    action_ids = {str(pk) for pk in episode.actions.values_list("pk", flat=True)}
    unknown = set(progress) - action_ids
    if unknown:
        raise EarlyHelpError("Progress was given for an action that is not in this plan", field="progress")
    progress = {k: clean_text(str(v)).strip() for k, v in progress.items()}
    missing = action_ids - {k for k, v in progress.items() if has_visible_text(v)}
    if missing:
        raise EarlyHelpError("Record progress against every action of the plan", field="progress")
    loaded = framework_for(episode.partnership)
    engine_input = {key: selection.get(key) for key in ("indicators", "protective", "facts", "age_years")}
    try:
        result = assess(loaded, engine_input)
    except AssessmentInputError as exc:
        raise EarlyHelpError(f"The level now could not be worked out: {exc}", field="needs") from exc
    review.held_at = timezone.now()
    review.held_by = actor.user
    review.progress = dict(progress)
    review.summary = clean_text(summary).strip()
    review.selection = dict(engine_input)
    review.result = result
    review.level_now = result["recommended_level"]["number"]
    review.level_now_name = result["recommended_level"]["name"]
    review.save()
    for action in episode.actions.all():
        action.progress = review.progress[str(action.pk)]
        action.save(update_fields=["progress"])
    following = schedule_review(episode, review.number + 1, review.held_at)
    record(
        events.REVIEW_RECORDED,
        target=episode,
        actor=actor,
        payload={
            "review": review.number,
            "level_now": review.level_now,
            "framework": {"version": loaded.framework.version, "hash": loaded.content_hash},
            "next_due": following.due_at.isoformat() if following else None,
        },
    )
    return review


# --- the team around the family and the plan ---------------------------------------------------


@transaction.atomic
def add_team_member(
    actor: Actor, episode: Episode, *, expected_version: int, user: Any = None, name: str = "", agency: str
) -> TeamMember:
    """Add a member from any agency: a user of the partnership, or a named external member without an account."""
    require(actor, "earlyhelp.edit", episode)
    episode = _locked(episode)
    _need_status(episode, Status.DRAFT, Status.OPEN)
    if not agency.strip():
        raise EarlyHelpError("Enter the member's agency", field="agency")
    if user is None and not name.strip():
        raise EarlyHelpError("Enter the member's name, or choose a person with an account", field="name")
    if user is not None:
        if not Membership.objects.filter(user=user, partnership=episode.partnership).exists():
            raise EarlyHelpError("This person has no role in the partnership", field="user")
        if episode.team.filter(user=user, left_at__isnull=True).exists():
            raise EarlyHelpError("This person is already in the team", field="user")
    _bump(episode, expected_version)
    member = TeamMember.objects.create(
        episode=episode,
        user=user,
        name=name.strip() or (user.get_full_name() or user.get_username()),
        agency=agency.strip(),
        joined_at=timezone.now(),
    )
    record(
        events.TEAM_MEMBER_ADDED,
        target=episode,
        actor=actor,
        payload={"member": member.pk, "user": getattr(user, "pk", None)},
    )
    return member


@transaction.atomic
def remove_team_member(actor: Actor, member: TeamMember, *, expected_version: int) -> TeamMember:
    """The member leaves the team: from now on they no longer see the family."""
    require(actor, "earlyhelp.edit", member.episode)
    episode = _locked(member.episode)
    member = TeamMember.objects.select_for_update().get(pk=member.pk)
    if member.left_at is not None:
        raise EarlyHelpError("This member has already left the team", field="member")
    if member.actions.filter(done=False).exists():
        raise EarlyHelpError("Give this member's open actions to someone else first", field="member")
    _bump(episode, expected_version)
    member.left_at = timezone.now()
    member.save(update_fields=["left_at"])
    record(events.TEAM_MEMBER_REMOVED, target=episode, actor=actor, payload={"member": member.pk})
    return member


@transaction.atomic
def change_lead(actor: Actor, episode: Episode, *, user: Any, expected_version: int) -> Episode:
    """Make ``user`` the lead professional (any early help role of the partnership; not only social workers)."""
    require(actor, "earlyhelp.edit", episode)
    episode = _locked(episode)
    _need_status(episode, Status.DRAFT, Status.OPEN)
    if not _user_holds_role(user, episode.partnership, EARLY_HELP_ROLES):
        raise EarlyHelpError("The lead professional must be a practitioner of the partnership", field="user")
    _bump(episode, expected_version)
    previous = episode.lead_professional_id
    episode.lead_professional = user
    episode.save(update_fields=["lead_professional"])
    record(events.LEAD_CHANGED, target=episode, actor=actor, payload={"from": previous, "to": user.pk})
    return episode


@transaction.atomic
def add_action(
    actor: Actor, episode: Episode, *, expected_version: int, description: str, owner: TeamMember, due_date: date
) -> PlanAction:
    """Add an action to the plan, with its owner and due date."""
    require(actor, "earlyhelp.edit", episode)
    episode = _locked(episode)
    _need_status(episode, Status.DRAFT, Status.OPEN)
    if not has_visible_text(clean_text(description)):
        raise EarlyHelpError("Enter what will be done", field="description")
    if owner.episode_id != episode.pk or owner.left_at is not None:
        raise EarlyHelpError("Choose a current member of the team as the owner", field="owner")
    if due_date < timezone.localdate():
        raise EarlyHelpError("The due date must be today or later", field="due_date")
    _bump(episode, expected_version)
    action = PlanAction.objects.create(
        episode=episode, description=clean_text(description).strip(), owner=owner, due_date=due_date
    )
    record(events.PLAN_CHANGED, target=episode, actor=actor, payload={"action": action.pk, "change": "added"})
    return action


@transaction.atomic
def update_action(actor: Actor, action: PlanAction, *, expected_version: int, progress: str, done: bool) -> PlanAction:
    """Record an action's progress (and whether it is done)."""
    require(actor, "earlyhelp.edit", action.episode)
    episode = _locked(action.episode)
    _need_status(episode, Status.DRAFT, Status.OPEN)
    _bump(episode, expected_version)
    action = PlanAction.objects.select_for_update().get(pk=action.pk)
    action.progress, action.done = progress.strip(), done
    action.save(update_fields=["progress", "done"])
    record(
        events.PLAN_CHANGED,
        target=episode,
        actor=actor,
        payload={"action": action.pk, "change": "progress", "done": done},
    )
    return action


# --- closure, step-up ---------------------------------------------------------------------------


def _close(actor: Actor, episode: Episode, code: str, text: str) -> None:
    previous = episode.status
    episode.status = Status.CLOSED
    episode.closed_at = timezone.now()
    episode.closure_code, episode.closure_text = code, text
    episode.save(update_fields=["status", "closed_at", "closure_code", "closure_text"])
    record(events.CLOSED, target=episode, actor=actor, payload={"from": previous, "to": Status.CLOSED, "code": code})


@transaction.atomic
def close(actor: Actor, episode: Episode, *, code: str, text: str = "") -> Episode:
    """Close with a reason from Continuum's code list; ``other`` needs words. Step-up closes through :func:`step_up`."""
    require(actor, "earlyhelp.close", episode)
    episode = _locked(episode)
    _need_status(episode, Status.OPEN)
    if code not in CLOSURE_LABELS or code == "step-up":
        raise EarlyHelpError("Select why the episode is closing", field="code")
    text = clean_text(text).strip()
    if code == "other" and not has_visible_text(text):
        raise EarlyHelpError("Enter why the episode is closing", field="text")
    _close(actor, episode, code, text)
    return episode


@transaction.atomic
def revise_closure(actor: Actor, episode: Episode, *, code: str, text: str = "", reason: str) -> ClosureRevision:
    """A change to a recorded closure: a new entry beside it by a named, signed-in person, with their reason.

    The closure as first recorded stays as it is (the database refuses to change it); the latest change
    is the closure in force (``Episode.closure_code_in_force``). A step-up's closure is not changed here."""
    require(actor, "earlyhelp.close", episode)
    episode = _locked(episode)
    if episode.status != Status.CLOSED:
        raise EarlyHelpError("The episode is not closed", field="code")
    if episode.closure_code == "step-up":
        raise EarlyHelpError("A step-up's closure is the front door's referral: it is not changed here", field="code")
    text, why = clean_text(text).strip(), clean_text(reason).strip()
    if code not in CLOSURE_LABELS or code == "step-up":
        raise EarlyHelpError("Select why the episode closed", field="code")
    if code == "other" and not has_visible_text(text):
        raise EarlyHelpError("Enter why the episode closed", field="text")
    if not has_visible_text(why):
        raise EarlyHelpError("Enter why the closure has changed", field="reason")
    latest = episode.latest_closure_revision
    in_force = (latest.closure_code, latest.closure_text) if latest else (episode.closure_code, episode.closure_text)
    if (code, text) == in_force:
        raise EarlyHelpError("That is the closure already recorded: choose another reason", field="code")
    revision = ClosureRevision.objects.create(
        episode=episode,
        closure_code=code,
        closure_text=text,
        reason=why,
        recorded_by=actor.user,
        recorded_at=timezone.now(),
    )
    record(
        events.CLOSURE_REVISED,
        target=episode,
        actor=actor,
        payload={"revision": revision.pk, "code": code, "text": text, "reason": why, "before": in_force[0]},
    )
    return revision


def handoff_package(episode: Episode) -> dict[str, Any]:
    """Everything a step-up carries: the assessment, the plan, the reviews and the history, as plain JSON."""
    return {
        "episode": episode.public_id,
        "partnership": episode.partnership,
        "assessment": {
            "name": episode.assessment_name,
            "framework_version": episode.framework_version,
            "framework_hash": episode.framework_hash,
            "started_at": episode.started_at.isoformat(),
            "submitted_at": episode.submitted_at.isoformat() if episode.submitted_at else None,
            "level_at_start": episode.level_at_start,
            "family": [
                {
                    "kind": m.kind,
                    "first_name": m.first_name,
                    "last_name": m.last_name,
                    "date_of_birth": m.date_of_birth.isoformat() if m.date_of_birth else None,
                    "relationship": m.relationship,
                }
                for m in episode.family.all()
            ],
            "needs": list(episode.needs),
            "strengths": list(episode.strengths),
            "strengths_text": episode.strengths_text,
            "family_voice": episode.family_voice,
            "consents": [
                {
                    "given_by": str(c.given_by),
                    "to_what": c.to_what,
                    "share_with": c.share_with,
                    "team": c.shares_with_team,
                    "given_at": c.given_at.isoformat(),
                    "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
                }
                for c in episode.consents.select_related("given_by")
            ],
        },
        "plan": [
            {
                "description": a.description,
                "owner": str(a.owner),
                "due_date": a.due_date.isoformat(),
                "progress": a.progress,
                "done": a.done,
            }
            for a in episode.actions.select_related("owner")
        ],
        "reviews": [
            {
                "number": r.number,
                "due_at": r.due_at.isoformat(),
                "held_at": r.held_at.isoformat() if r.held_at else None,
                "level_now": r.level_now,
                "summary": r.summary,
            }
            for r in episode.reviews.all()
        ],
        "history": [
            {"at": e.created_at.isoformat(), "verb": e.verb, "actor": e.actor, "payload": e.payload}
            for e in for_target(episode)
        ],
    }


def _front_door_sender() -> Any | None:
    """The referrals app's step-up entry point, if it is installed and offers one (see the ADR); else ``None``."""
    try:
        from continuum.apps.referrals import services as referral_services
    except ImportError:
        return None
    return getattr(referral_services, "receive_step_up", None)


def date_needed(child: FamilyMember) -> str:
    """What a step-up says of a child still without a date of birth."""
    return f"Enter the date of birth of {child}, or the due date if not yet born"


def undated_children(episode: Episode) -> list[FamilyMember]:
    """The family's children recorded without a date of birth: a step-up asks for each (the referral needs one)."""
    return list(episode.family.filter(kind=FamilyMember.Kind.CHILD, date_of_birth__isnull=True).order_by("id"))


@transaction.atomic
def step_up(
    actor: Actor, episode: Episode, *, reason: str, dates: Mapping[int, tuple[date | None, bool]] | None = None
) -> StepUp:
    """Step up to the front door: a referral carrying the assessment, the plan and the history, its clock starting now.

    The episode closes with the reason ``step-up``; the package is kept here too, so nothing is lost
    whatever the front door does with it. A child recorded without a date of birth (allowed while the
    assessment was written, for an unborn baby or a date not yet known) is given one here: ``dates``
    maps the child's id to ``(date, unborn)``. A born child's date of birth is stored on the family's
    record; an unborn child's due date travels with the referral. Both are in the step-up's event.
    """
    require(actor, "earlyhelp.step_up", episode)
    episode = _locked(episode)
    _need_status(episode, Status.OPEN)
    if not has_visible_text(clean_text(reason)):
        raise EarlyHelpError("Enter why the family needs social care now", field="reason")
    dated = _date_undated_children(episode, dates or {})
    due_dates = {pk: given for pk, (given, unborn) in dated.items() if unborn}
    package = handoff_package(episode)
    for person, member in zip(episode.family.all(), package["assessment"]["family"], strict=True):  # same order
        if person.pk in due_dates:
            member["unborn_due_date"] = due_dates[person.pk].isoformat()
    stepped = StepUp.objects.create(
        episode=episode,
        requested_by=actor.user,
        requested_at=timezone.now(),
        reason=clean_text(reason).strip(),
        package=package,
    )
    send = _front_door_sender()
    if send is not None:
        try:
            referrals = send(actor, episode=episode, package=package, reason=clean_text(reason).strip())
        except ValueError as exc:  # the referral's own refusal (e.g. its consent gate): say what to fix
            raise EarlyHelpError(str(exc), field="reason") from exc
        stepped.referral_ids = [str(r.public_id) for r in referrals]
        stepped.save(update_fields=["referral_ids"])
    _close(actor, episode, "step-up", clean_text(reason).strip())
    record(
        events.STEPPED_UP,
        target=episode,
        actor=actor,
        payload={
            "step_up": stepped.pk,
            "referrals": stepped.referral_ids,
            "dated_children": {str(pk): {"unborn": unborn} for pk, (_, unborn) in dated.items()},
        },
    )
    return stepped


def _date_undated_children(
    episode: Episode, dates: Mapping[int, tuple[date | None, bool]]
) -> dict[int, tuple[date, bool]]:
    """Give each undated child the date the step-up page asked for; returns the children dated, each
    with its date and whether it is a due date (unborn). A date given for any other child is ignored."""
    today = timezone.localdate()
    dated: dict[int, tuple[date, bool]] = {}
    for child in undated_children(episode):
        given, unborn = dates.get(child.pk, (None, False))
        field = f"dob_{child.pk}"
        if given is None:
            raise EarlyHelpError(date_needed(child), field=field)
        if unborn:
            if given < today:
                raise EarlyHelpError(f"The due date of {child} must be today or later", field=field)
            if given > today + timedelta(days=294):  # 42 weeks: longer than any pregnancy from today
                raise EarlyHelpError(f"The due date of {child} must be within the next 42 weeks", field=field)
            dated[child.pk] = (given, True)
            continue
        if given > today:
            raise EarlyHelpError(
                f"The date of birth of {child} must be in the past; if not yet born, tick ‘Not yet born’", field=field
            )
        child.date_of_birth = given
        child.save(update_fields=["date_of_birth"])
        dated[child.pk] = (given, False)
    return dated


# --- step-down -------------------------------------------------------------------------------


@transaction.atomic
def request_step_down(
    actor: Actor,
    *,
    origin: str,
    source_reference: str,
    family: list[dict[str, Any]],
    reason: str,
    needs: list[str] | None = None,
    history: list[dict[str, Any]] | None = None,
) -> StepDown:
    """Hand a child to early help: it waits for the receiving team's answer, which has its own deadline."""
    from continuum.apps.earlyhelp import tasks

    require(actor, "earlyhelp.request_step_down")
    assert actor.partnership is not None
    loaded = framework_for(actor.partnership)
    if origin not in StepDown.Origin.values:
        raise EarlyHelpError("Say where the child is stepping down from", field="origin")
    if not has_visible_text(clean_text(source_reference)):
        raise EarlyHelpError("Enter the referral or case reference", field="source_reference")
    if not any(p.get("kind") == "child" and p.get("first_name") for p in family):
        raise EarlyHelpError("Name at least one child", field="family")
    if not has_visible_text(clean_text(reason)):
        raise EarlyHelpError("Enter why early help is right for the family now", field="reason")
    known_needs, _ = _split_indicators(loaded, needs or [])
    clock = clocks.step_down_clock(partnership_settings(actor.partnership))
    now = timezone.now()
    step_down = StepDown.objects.create(
        partnership=actor.partnership,
        origin=origin,
        source_reference=source_reference.strip(),
        family=family,
        needs=known_needs,
        reason=clean_text(reason).strip(),
        history=history or [],
        requested_by=actor.user,
        requested_at=now,
        respond_by=clock.due(loaded, now),
        clock_basis=clock.basis,
        clock_text=clock.text,
    )
    if step_down.respond_by is not None:
        tasks.step_down_overdue.using(run_after=step_down.respond_by).enqueue(step_down.pk)
    record(
        events.STEP_DOWN_REQUESTED,
        target=step_down,
        actor=actor,
        payload={
            "origin": origin,
            "reference": step_down.source_reference,
            "respond_by": step_down.respond_by.isoformat() if step_down.respond_by else None,
        },
    )
    return step_down


def _answerable(actor: Actor, step_down: StepDown) -> StepDown:
    require(actor, "earlyhelp.answer_step_down", step_down)
    locked = StepDown.objects.select_for_update().get(pk=step_down.pk)
    if locked.state != StepDown.State.REQUESTED:
        raise EarlyHelpError("This step-down has already been answered", field="state")
    return locked


@transaction.atomic
def accept_step_down(actor: Actor, step_down: StepDown) -> Episode:
    """The receiving team accepts: an assessment starts with the family, needs and history handed over."""
    step_down = _answerable(actor, step_down)
    loaded = framework_for(step_down.partnership)
    episode = _start(
        actor,
        loaded=loaded,
        source=Source.STEP_DOWN,
        reference=step_down.public_id,
        level=None,
        indicator_ids=step_down.needs,
        family=[{**p, "date_of_birth": _date_or_none(p.get("date_of_birth"))} for p in step_down.family],
    )
    step_down.state = StepDown.State.ACCEPTED
    step_down.answered_by, step_down.answered_at, step_down.episode = actor.user, timezone.now(), episode
    step_down.save(update_fields=["state", "answered_by", "answered_at", "episode"])
    record(events.STEP_DOWN_ACCEPTED, target=step_down, actor=actor, payload={"episode": episode.public_id})
    return episode


@transaction.atomic
def refuse_step_down(actor: Actor, step_down: StepDown, *, reason: str) -> StepDown:
    """The receiving team refuses, with a reason (the child stays with whoever asked)."""
    if not has_visible_text(clean_text(reason)):
        raise EarlyHelpError("Enter why early help cannot take the family", field="reason")
    step_down = _answerable(actor, step_down)
    step_down.state = StepDown.State.REFUSED
    step_down.answered_by, step_down.answered_at = actor.user, timezone.now()
    step_down.refusal_reason = clean_text(reason).strip()
    step_down.save(update_fields=["state", "answered_by", "answered_at", "refusal_reason"])
    record(events.STEP_DOWN_REFUSED, target=step_down, actor=actor, payload={"reason": step_down.refusal_reason})
    return step_down


def _date_or_none(value: Any) -> date | None:
    if isinstance(value, date) or value is None:
        return value
    return date.fromisoformat(str(value)) if value else None


# --- the partnership's settings --------------------------------------------------------------


@transaction.atomic
def change_settings(actor: Actor, **values: str) -> PartnershipSetting:
    """The partnership admin sets intervals used only where the document and national guidance are silent."""
    require(actor, "earlyhelp.configure")
    assert actor.partnership is not None
    allowed = {"first_review", "review_interval", "step_down_response"}
    for key, value in values.items():
        if key not in allowed:
            raise EarlyHelpError(f"There is no setting {key!r}", field=key)
        if value.strip():
            try:
                Within.parse(value)
            except CalendarError as exc:
                raise EarlyHelpError(str(exc), field=key) from exc
    setting, _ = PartnershipSetting.objects.select_for_update().get_or_create(
        partnership=actor.partnership, defaults={"changed_by": actor.user, "changed_at": timezone.now()}
    )
    before = {key: getattr(setting, key) for key in values}
    for key, value in values.items():
        setattr(setting, key, value.strip())
    setting.changed_by, setting.changed_at = actor.user, timezone.now()
    setting.save()
    record(
        events.SETTING_CHANGED,
        target=setting,
        actor=actor,
        payload={"from": before, "to": {k: v.strip() for k, v in values.items()}},
    )
    return setting


def note_viewed(actor: Actor, record: Any, *, what: str = "page") -> None:
    """The access log: a family's record (an episode, a step-down, a referral listed) was seen. If the write
    fails, nothing is shown."""
    from continuum.apps.audit.services import record_access

    record_access(actor, record, purpose=what, verb=events.VIEWED)


def note_listed(actor: Actor, episodes: Iterable[Episode], *, what: str) -> None:
    """The access log for a list page (the caseload, reviews due): one event naming every family it listed,
    as the front door's queue does, rather than one chained append per row. Its target is the membership the
    person acts in (the list is theirs: their caseload, their reviews); the purpose says which list and names
    each episode's reference. An empty list writes nothing; if the write fails, the page is not shown."""
    from continuum.apps.audit.services import record_access

    listed = list(dict.fromkeys(episode.public_id for episode in episodes))
    if not listed or actor.user is None or actor.partnership is None or actor.role is None:
        return
    acting_as = Membership.objects.get(user=actor.user, partnership=actor.partnership, role=actor.role)
    record_access(actor, acting_as, purpose=f"{what} listed: {', '.join(listed)}", verb=events.LISTED)
