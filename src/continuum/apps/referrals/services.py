"""Every change to a referral: one function each, one transaction, its audit event inside it.

Sending is refused — with what to fix — unless the actor may send the check, the check's
level is one the framework refers at, every child is named with a date of birth (or a due
date), and the consent recorded fits the framework's consent rule for the level (and its
exceptions). A form is not the gate: these checks hold for every caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from continuum.apps.accounts.actor import Actor
from continuum.apps.accounts.permissions import require
from continuum.apps.audit.services import record
from continuum.apps.checks.models import Check
from continuum.apps.partnerships.catalogue import catalogue
from continuum.apps.referrals import clocks, events, notify
from continuum.apps.referrals.codes import (
    GENDER_LABELS,
    POSTCODE_INVALID,
    REFERRAL_SOURCE_LABELS,
    nhs_number_valid,
    postcode_as_stored,
    postcode_valid,
)
from continuum.apps.referrals.models import Channel, ConsentBasis, Export, Family, Referral


class ReferralError(ValueError):
    """A refusal that says what to fix; ``field`` names the form field it belongs to ("" for the page)."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Child:
    first_name: str
    last_name: str
    date_of_birth: date | None = None
    unborn_due_date: date | None = None
    nhs_number: str = ""
    gender: str = ""
    ethnicity: str = ""
    school_or_setting: str = ""


@dataclass(frozen=True)
class Consent:
    """The consent recorded: ``basis`` (a :class:`ConsentBasis` value) and its details.

    obtained: ``who`` gave it, ``when``, ``shared`` (what was shared); not-sought: ``reason``
    (the lawful reason); refused-overridden: ``who`` refused and ``reason`` for overriding.
    """

    basis: str
    who: str = ""
    when: date | None = None
    shared: str = ""
    reason: str = ""
    exception: str = ""  # where the level requires consent: the document's exception relied on (its text)


@dataclass(frozen=True)
class Details:
    """What the referrer tells us beyond the check: the children, the family, themselves, consent."""

    children: list[Child]
    referrer_name: str
    referrer_agency: str
    referral_source: str
    what_done_so_far: str
    consent: Consent
    address: str = ""
    postcode: str = ""
    household: list[dict[str, Any]] = field(default_factory=list)
    languages: str = ""
    interpreter_needed: bool = False
    referrer_phone: str = ""
    referrer_email: str = ""


# -- the gates ------------------------------------------------------------------------------


def _framework(partnership: str) -> Any:
    loaded = catalogue().get(partnership)
    if loaded is None:
        raise ReferralError(f"The partnership {partnership!r} is not offered here, so nothing can be sent to it.")
    return loaded


def check_level(check: Check) -> int:
    """The level the referrer settled on: their judgement in force (the latest change of mind, else the first),
    else the recommended level."""
    decided = check.level_in_force
    return decided if decided is not None else check.recommended_level


def level_refusal(framework: Any, level: int) -> str | None:
    """Why a check at ``level`` cannot be referred to the front door (``None`` when it can)."""
    lowest = clocks.lowest_referral_level(framework)
    name = framework.front_door.name if framework.front_door else "the front door"
    if lowest is None:
        return (
            f"The document does not say at which level to refer to {name}, so a referral cannot be sent from a "
            "check. Follow the partnership's referral route."
        )
    if level < lowest:
        return (
            f"This check is at level {level}; the partnership refers to {name} at level {lowest} or above. "
            "Follow the actions for this level instead, or record your own level on the check if you disagree."
        )
    return None


def consent_requirement(framework: Any, level: int | None, result_consent: dict[str, Any] | None) -> dict[str, Any]:
    """The consent rule that applies: the framework's rule at the level, and whether an exception applies.

    Returns ``{"rule": "required" | "seek-unless-risk" | "inform" | "not-required" | None,
    "summary", "exceptions": [texts], "exception_applies": bool}``; ``rule`` is ``None`` where
    the document does not say.
    """
    rule = clocks.level_consent(framework, level)
    result_consent = result_consent or {}
    return {
        "rule": rule.rule if rule is not None else None,
        "summary": rule.summary if rule is not None else clocks.NO_CLOCK,
        "exceptions": [e.text for e in rule.exceptions] if rule is not None else [],
        "exception_applies": bool(result_consent.get("exception_applies")),
        "exception_rules": [r.get("name", r.get("rule", "")) for r in result_consent.get("exception_rules", [])],
    }


def consent_refusal(requirement: dict[str, Any], consent: Consent) -> ReferralError | None:
    """Why ``consent`` does not meet ``requirement`` (``None`` when it does). Every basis needs its details."""
    basis = consent.basis
    if basis not in ConsentBasis.values:
        return ReferralError(
            "Say whether consent was obtained, not sought (with the lawful reason), or refused and overridden.",
            "consent_basis",
        )
    if basis == ConsentBasis.OBTAINED:
        if not consent.who.strip():
            return ReferralError("Enter who gave consent.", "consent_who")
        if consent.when is None:
            return ReferralError("Enter the date consent was given.", "consent_when")
        if consent.when > timezone.localdate():
            return ReferralError("The date consent was given must be today or in the past.", "consent_when")
        if not consent.shared.strip():
            return ReferralError("Enter what was shared with the family about this referral.", "consent_shared")
        return None
    if basis == ConsentBasis.REFUSED_OVERRIDDEN and not consent.who.strip():
        return ReferralError("Enter who refused consent.", "consent_who")
    if not consent.reason.strip():
        what = (
            "the lawful reason for not seeking consent"
            if basis == ConsentBasis.NOT_SOUGHT
            else ("why the refusal is overridden")
        )
        return ReferralError(f"Enter {what}.", "consent_reason")
    if requirement["rule"] != "required" or requirement["exception_applies"]:
        return None
    if not requirement["exceptions"]:
        return ReferralError(
            "At this level the document requires the family's consent before you refer "
            f"(“{requirement['summary']}”) and names no exception. Ask the family for consent and record who gave "
            "it, when and what was shared — or, if the child is at risk of significant harm, record your own higher "
            "level on the check first.",
            "consent_basis",
        )
    if consent.exception not in requirement["exceptions"]:
        return ReferralError(
            "At this level the document requires the family's consent before you refer, except where: "
            + "; ".join(f"“{text}”" for text in requirement["exceptions"])
            + ". Choose the exception that applies, or record the consent obtained.",
            "consent_exception",
        )
    return None


def _child_refusal(child: Child, index: int, count: int) -> ReferralError | None:
    which = f"child {index + 1}" if count > 1 else "the child"
    prefix = f"children-{index}-" if count > 1 else ""
    if not child.first_name.strip() or not child.last_name.strip():
        return ReferralError(f"Enter the first and last name of {which}.", f"{prefix}first_name")
    if child.date_of_birth is None and child.unborn_due_date is None:
        return ReferralError(
            f"Enter the date of birth of {which}, or the due date if unborn.", f"{prefix}date_of_birth"
        )
    if child.date_of_birth is not None and child.date_of_birth > timezone.localdate():
        return ReferralError(
            f"The date of birth of {which} must be in the past; for an unborn child give the due date.",
            f"{prefix}date_of_birth",
        )
    if child.nhs_number and not nhs_number_valid(child.nhs_number):
        return ReferralError(
            f"The NHS number of {which} is not a valid NHS number: check the 10 digits, or leave it empty.",
            f"{prefix}nhs_number",
        )
    if child.gender and child.gender not in GENDER_LABELS:
        return ReferralError(f"Choose the gender of {which} from the list.", f"{prefix}gender")
    return None


def details_refusal(details: Details) -> ReferralError | None:
    if not details.children:
        return ReferralError("Add at least one child.", "children")
    for index, child in enumerate(details.children):
        refusal = _child_refusal(child, index, len(details.children))
        if refusal is not None:
            return refusal
    if not details.referrer_name.strip():
        return ReferralError("Enter your name.", "referrer_name")
    if not details.referrer_agency.strip():
        return ReferralError("Enter your agency or organisation.", "referrer_agency")
    if details.referral_source not in REFERRAL_SOURCE_LABELS:
        return ReferralError(
            "Choose the kind of agency you refer from (the national referral source).", "referral_source"
        )
    if not details.referrer_phone.strip() and not details.referrer_email.strip():
        return ReferralError(
            "Enter a phone number or an email address the front door can reach you on.", "referrer_phone"
        )
    if not details.what_done_so_far.strip():
        return ReferralError("Say what has been done so far to support the child and family.", "what_done_so_far")
    if not postcode_valid(details.postcode):
        return ReferralError(POSTCODE_INVALID, "postcode")
    return None


# -- the changes ----------------------------------------------------------------------------


def _consent_detail(consent: Consent, requirement: dict[str, Any]) -> dict[str, Any]:
    detail: dict[str, Any] = {"rule": requirement["rule"], "exception_applies": requirement["exception_applies"]}
    if consent.exception and consent.basis != ConsentBasis.OBTAINED:
        detail["exception"] = consent.exception
    if consent.basis == ConsentBasis.OBTAINED:
        detail |= {"who": consent.who.strip(), "when": consent.when.isoformat() if consent.when else None}
        detail["shared"] = consent.shared.strip()
    elif consent.basis == ConsentBasis.NOT_SOUGHT:
        detail["reason"] = consent.reason.strip()
    else:
        detail |= {"who": consent.who.strip(), "reason": consent.reason.strip()}
    return detail


def _deadlines(partnership: str, loaded: Any, received_at: datetime, phoned: bool) -> dict[str, Any]:
    """The referral's deadlines, computed once at receipt (the front door may re-grade the decision later)."""
    ack, ack_note = clocks.due(loaded, "acknowledgement", received_at)
    decision, decision_note = clocks.due(loaded, "decision", received_at)
    values: dict[str, Any] = {"acknowledge_due": ack, "decision_due": decision}
    notes = {"acknowledge_due": ack_note, "decision_due": decision_note}
    if phoned:
        values["written_follow_up_due"], notes["written_follow_up_due"] = clocks.due(
            loaded, "written_follow_up", received_at
        )
    return {"values": values, "notes": {k: v for k, v in notes.items() if v}}


def _create(
    *,
    actor: Actor,
    partnership: str,
    framework: Any,
    details: Details,
    requirement: dict[str, Any],
    check: Check | None,
    level: int | None,
    level_name: str,
    indicator_ids: list[str],
    reasons: list[str],
    concerns: str,
    channel: str,
    referrer: Any,
    received_at: datetime,
    carried: dict[str, Any] | None = None,
) -> tuple[list[Referral], dict[str, Any]]:
    family = Family.objects.create(
        partnership=partnership,
        address=details.address.strip(),
        postcode=postcode_as_stored(details.postcode),
        household=details.household,
        languages=details.languages.strip(),
        interpreter_needed=details.interpreter_needed,
    )
    deadlines = _deadlines(partnership, framework, received_at, channel == Channel.PHONE)
    made = []
    for child in details.children:
        referral = Referral(
            partnership=partnership,
            framework_version=framework.framework.version if check is None else check.framework_version,
            framework_hash=framework.content_hash if check is None else check.framework_hash,
            stored_check=check,
            family=family,
            child_first_name=child.first_name.strip(),
            child_last_name=child.last_name.strip(),
            date_of_birth=child.date_of_birth,
            unborn_due_date=child.unborn_due_date,
            nhs_number=child.nhs_number.replace(" ", ""),
            gender=child.gender,
            ethnicity=child.ethnicity.strip(),
            school_or_setting=child.school_or_setting.strip(),
            referrer=referrer,
            referrer_name=details.referrer_name.strip(),
            referrer_agency=details.referrer_agency.strip(),
            referral_source=details.referral_source,
            referrer_phone=details.referrer_phone.strip(),
            referrer_email=details.referrer_email.strip(),
            recorded_by=actor.user,
            referrer_level=level,
            referrer_level_name=level_name,
            indicator_ids=indicator_ids,
            reasons=reasons,
            what_done_so_far=details.what_done_so_far.strip(),
            concerns=concerns.strip(),
            consent_basis=details.consent.basis,
            consent_detail=_consent_detail(details.consent, requirement),
            channel=channel,
            received_at=received_at,
            carried=carried or {},
            **deadlines["values"],
        )
        referral.full_clean(exclude=["family", "stored_check", "referrer", "recorded_by"])
        referral.save(force_insert=True)
        made.append(referral)
    return made, deadlines


def send_referral(actor: Actor, check: Check, details: Details) -> list[Referral]:
    """Send a referral from ``check``: one ``Referral`` per child, siblings linked by one ``Family``.

    Refused with :class:`ReferralError` (what to fix) or :class:`~continuum.apps.accounts.permissions.Refused`.
    The referrer's acknowledgement email is enqueued in the same transaction.
    """
    with transaction.atomic():
        require(actor, "referrals.send")
        require(actor, "checks.send", check)
        check = Check.objects.select_for_update().get(pk=check.pk)
        if actor.partnership != check.framework_id:
            raise ReferralError(
                "This check was made against another partnership's framework; you can send it only to that "
                "partnership, as a member of it."
            )
        framework = _framework(check.framework_id)
        level = check_level(check)
        refusal = level_refusal(framework.framework, level)
        if refusal is not None:
            raise ReferralError(refusal)
        problem = details_refusal(details)
        if problem is not None:
            raise problem
        requirement = consent_requirement(framework.framework, level, check.result.get("consent"))
        problem = consent_refusal(requirement, details.consent)
        if problem is not None:
            raise problem
        now = timezone.now()
        level_name = next((lv.name for lv in framework.framework.levels if lv.number == level), "")
        reasons = [d.get("text", "") for d in check.result.get("drivers", [])]
        made, deadlines = _create(
            actor=actor,
            partnership=check.framework_id,
            framework=framework,
            details=details,
            requirement=requirement,
            check=check,
            level=level,
            level_name=level_name,
            indicator_ids=list(check.result.get("input", {}).get("indicators", [])),
            reasons=reasons,
            concerns="",
            channel=Channel.ONLINE,
            referrer=actor.user,
            received_at=now,
        )
        if not check.sent_at:
            check.sent_to_partnership, check.sent_at = check.framework_id, now
            check.save(update_fields=["sent_to_partnership", "sent_at"])
        for referral in made:
            record(events.SENT, target=referral, actor=actor, payload=_payload(referral, made, deadlines))
        notify.referral_received(made)
    return made


def record_phoned_referral(
    actor: Actor,
    *,
    details: Details,
    concerns: str,
    referrer_level: int | None = None,
    received_at: datetime | None = None,
) -> list[Referral]:
    """An urgent referral the front door took by phone: its written follow-up becomes a deadline.

    The consent rule is the one at ``referrer_level`` when the caller gave a level, else none
    the document states; the consent basis and its details are still required.
    """
    with transaction.atomic():
        require(actor, "referrals.record_phoned")
        assert actor.partnership is not None  # require() refuses an actor outside a partnership
        framework = _framework(actor.partnership)
        problem = details_refusal(details)
        if problem is not None:
            raise problem
        if not concerns.strip():
            raise ReferralError("Write down the concerns the caller described.", "concerns")
        now = timezone.now()
        received = received_at or now
        if received > now:
            raise ReferralError("The time of the call must be now or in the past.", "received_at")
        requirement = consent_requirement(framework.framework, referrer_level, None)
        problem = consent_refusal(requirement, details.consent)
        if problem is not None:
            raise problem
        level_name = next((lv.name for lv in framework.framework.levels if lv.number == referrer_level), "")
        made, deadlines = _create(
            actor=actor,
            partnership=actor.partnership,
            framework=framework,
            details=details,
            requirement=requirement,
            check=None,
            level=referrer_level,
            level_name=level_name,
            indicator_ids=[],
            reasons=[],
            concerns=concerns,
            channel=Channel.PHONE,
            referrer=None,
            received_at=received,
        )
        for referral in made:
            record(events.PHONED, target=referral, actor=actor, payload=_payload(referral, made, deadlines))
        if details.referrer_email.strip():
            notify.referral_received(made)
    return made


def _step_up_consent(package: dict[str, Any], reason: str) -> Consent:
    """The family's early-help consent that is still in force, else none sought (the reason says why)."""
    current = [c for c in package.get("assessment", {}).get("consents", []) if not c.get("withdrawn_at")]
    if current:
        latest = current[-1]
        return Consent(
            basis=ConsentBasis.OBTAINED,
            who=str(latest.get("given_by", "")),
            when=datetime.fromisoformat(latest["given_at"]).date() if latest.get("given_at") else None,
            shared=f"{latest.get('to_what', '')}; shared with {latest.get('share_with', '')}".strip("; "),
        )
    return Consent(
        basis=ConsentBasis.NOT_SOUGHT, reason=f"Stepped up from early help without current consent: {reason}"
    )


def receive_step_up(actor: Actor, *, episode: Any, package: dict[str, Any], reason: str) -> list[Referral]:
    """A step-up from early help reaches the front door: one referral per child of the family, its clocks
    starting now, carrying the assessment, the plan, the reviews and the history (``Referral.carried``).

    Called inside the early-help service's transaction; refused with :class:`ReferralError` like any referral
    (the consent gate holds for a step-up too).
    """
    require(actor, "referrals.send")
    partnership = str(episode.partnership)
    if actor.partnership != partnership:
        raise ReferralError("A family can be stepped up only to its own partnership's front door.")
    framework = _framework(partnership)
    assessment = package.get("assessment", {})
    children = [
        Child(
            first_name=str(m.get("first_name", "")),
            last_name=str(m.get("last_name", "")),
            date_of_birth=date.fromisoformat(m["date_of_birth"]) if m.get("date_of_birth") else None,
            unborn_due_date=date.fromisoformat(m["unborn_due_date"]) if m.get("unborn_due_date") else None,
        )
        for m in assessment.get("family", [])
        if m.get("kind") == "child"
    ]
    if not children:
        raise ReferralError("The family has no child recorded, so there is nobody to refer: add the children first.")
    level = next(
        (r["level_now"] for r in reversed(package.get("reviews", [])) if r.get("level_now") is not None),
        assessment.get("level_at_start"),
    )
    user = actor.user
    details = Details(
        children=children,
        referrer_name=(user.get_full_name() or user.get_username()) if user is not None else actor.label,
        referrer_agency="Early help",
        referral_source="5D",
        what_done_so_far=(
            f"Early help: {len(package.get('plan', []))} action(s) in the plan, "
            f"{len(package.get('reviews', []))} review(s). The whole record travels with this referral."
        ),
        consent=_step_up_consent(package, reason),
        referrer_email=getattr(user, "email", "") or "",
    )
    problem = details_refusal(details)
    if problem is not None:
        raise problem
    requirement = consent_requirement(framework.framework, level, None)
    problem = consent_refusal(requirement, details.consent)
    if problem is not None:
        raise problem
    level_name = next((lv.name for lv in framework.framework.levels if lv.number == level), "")
    made, deadlines = _create(
        actor=actor,
        partnership=partnership,
        framework=framework,
        details=details,
        requirement=requirement,
        check=None,
        level=level,
        level_name=level_name,
        indicator_ids=list(assessment.get("needs", [])),
        reasons=[],
        concerns=reason,
        channel=Channel.STEP_UP,
        referrer=user,
        received_at=timezone.now(),
        carried=package,
    )
    for referral in made:
        record(events.STEPPED_UP, target=referral, actor=actor, payload=_payload(referral, made, deadlines))
    return made


def record_written_follow_up(actor: Actor, referral: Referral, received_at: datetime | None = None) -> Referral:
    """The phoned referral's written confirmation arrived (now, or at ``received_at``)."""
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        require(actor, "referrals.record_follow_up", referral)
        if referral.channel != Channel.PHONE:
            raise ReferralError("Only a phoned referral has a written follow-up; this one was sent online.")
        if referral.written_follow_up_received_at is not None:
            raise ReferralError("The written follow-up was already recorded for this referral.")
        now = timezone.now()
        at = received_at or now
        if at > now or at < referral.received_at:
            raise ReferralError("The follow-up must arrive after the call and not in the future.", "received_at")
        referral.written_follow_up_received_at = at
        referral.save(update_fields=["written_follow_up_received_at"])
        late = referral.written_follow_up_due is not None and at > referral.written_follow_up_due
        record(events.FOLLOWED_UP, target=referral, actor=actor, payload={"received_at": at.isoformat(), "late": late})
    return referral


def acknowledge(actor: Actor, referral: Referral) -> Referral:
    """The referrer has been told the referral was received (by the acknowledgement email's job, or the front door).

    A second acknowledgement changes nothing and writes nothing.
    """
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if actor.system is None:
            require(actor, "referrals.acknowledge", referral)
        if referral.acknowledged_at is not None:
            return referral
        referral.acknowledged_at = timezone.now()
        referral.status = Referral.Status.ACKNOWLEDGED
        referral.save(update_fields=["acknowledged_at", "status"])
        on_time = referral.acknowledge_due is None or referral.acknowledged_at <= referral.acknowledge_due
        record(
            events.ACKNOWLEDGED,
            target=referral,
            actor=actor,
            payload={"from": Referral.Status.RECEIVED, "to": Referral.Status.ACKNOWLEDGED, "on_time": on_time},
        )
    return referral


def record_outcome_for_referrer(
    actor: Actor,
    referral: Referral,
    *,
    outcome_code: str,
    text: str,
    shared: bool,
    reason_not_shared: str = "",
) -> Referral:
    """What the referrer may see of the front door's decision: the outcome, or why it is not shared.

    Called by the front door (in its own transaction, after its decision). The referral is
    closed; its referrer's page shows the outcome text, or the reason it is not shared.
    """
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        require(actor, "referrals.record_outcome", referral)
        if not outcome_code.strip():
            raise ReferralError("The decision's outcome is needed before the referrer is told it.", "outcome_code")
        if shared and not text.strip():
            raise ReferralError("Write what the referrer is told about the outcome.", "text")
        if not shared and not reason_not_shared.strip():
            raise ReferralError("Say why it is not appropriate to share the outcome.", "reason_not_shared")
        if referral.outcome_recorded_at is not None:
            raise ReferralError("The outcome was already recorded for the referrer.")
        now = timezone.now()
        before = referral.status
        referral.outcome_code = outcome_code.strip()
        referral.outcome_text = text.strip() if shared else ""
        referral.outcome_shared_at = now if shared else None
        referral.outcome_not_shared_reason = "" if shared else reason_not_shared.strip()
        referral.outcome_recorded_at = now
        if referral.acknowledged_at is None:
            referral.acknowledged_at = now  # being told the outcome acknowledges receipt
        referral.status = Referral.Status.CLOSED
        referral.save(
            update_fields=[
                "outcome_code",
                "outcome_text",
                "outcome_shared_at",
                "outcome_not_shared_reason",
                "outcome_recorded_at",
                "acknowledged_at",
                "status",
            ]
        )
        record(
            events.OUTCOME_RECORDED,
            target=referral,
            actor=actor,
            payload={"from": before, "to": referral.status, "outcome": referral.outcome_code, "shared": shared},
        )
    return referral


def record_outcome_change_for_referrer(
    actor: Actor,
    referral: Referral,
    *,
    outcome_code: str,
    outcome_name: str,
) -> Referral:
    """The front door changed its decision after the referrer was told it: what the referrer may see now.

    Called by the front door inside its revision's transaction (ADR 0018). The referral then holds
    the outcome in force and when it changed. What the first feedback withheld stays withheld: where
    the outcome was shared, the referrer is shown the new outcome in the document's words (``outcome_name``);
    where it was not, only that the decision changed, with the reason first given for not sharing it.
    The front door's reason for the change is its own and is not written here.
    """
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        require(actor, "referrals.record_outcome", referral)
        code, name = outcome_code.strip(), outcome_name.strip()
        if not code or not name:
            raise ReferralError(
                "The changed decision's outcome is needed before the referrer is told it.", "outcome_code"
            )
        if referral.outcome_recorded_at is None:
            raise ReferralError(
                "The referrer has not been told the outcome yet: the change reaches them with the feedback."
            )
        shared = referral.outcome_shared_at is not None
        before = referral.outcome_code
        referral.outcome_code = code
        if shared:
            referral.outcome_text = name
        referral.outcome_changed_at = timezone.now()
        referral.save(update_fields=["outcome_code", "outcome_text", "outcome_changed_at"])
        record(
            events.OUTCOME_CHANGED,
            target=referral,
            actor=actor,
            payload={"from": before, "to": code, "shared": shared},
        )
    return referral


def _payload(referral: Referral, made: list[Referral], deadlines: dict[str, Any]) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "check": referral.stored_check.public_id if referral.stored_check else None,
        "family": referral.family_id,
        "siblings": [r.public_id for r in made if r.pk != referral.pk],
        "level": referral.referrer_level,
        "framework_hash": referral.framework_hash,
        "consent_basis": referral.consent_basis,
        "exception_applies": referral.consent_detail.get("exception_applies", False),
        "referral_source": referral.referral_source,
        "acknowledge_due": iso(referral.acknowledge_due),
        "decision_due": iso(referral.decision_due),
        "written_follow_up_due": iso(referral.written_follow_up_due),
        "no_deadline": deadlines["notes"],
    }


def export_decided(
    actor: Actor, partnership: str, *, since: date | None = None, fmt: str = "csv"
) -> tuple[Export, str]:
    """The partnership's decided referrals for the council's case system, as CSV or JSON; an audit event.

    A person needs ``referrals.export`` in ``partnership``; the command line acts as a system actor.
    """
    from continuum.apps.referrals import handoff, queries

    if fmt not in Export.Format.values:
        raise ReferralError("Choose CSV or JSON.", "format")
    with transaction.atomic():
        if actor.system is None:
            require(actor, "referrals.export")
            if actor.partnership != partnership:
                raise ReferralError("You can export only your own partnership's referrals.")
        _framework(partnership)
        start = datetime.combine(since, datetime.min.time(), tzinfo=timezone.get_current_timezone()) if since else None
        referrals = list(queries.decided_for_export(partnership, start))
        content = handoff.as_csv(referrals) if fmt == "csv" else handoff.as_json(referrals)
        made = Export.objects.create(
            partnership=partnership,
            format=fmt,
            since=since,
            count=len(referrals),
            references=[r.public_id for r in referrals],
            created_at=timezone.now(),
            created_by=actor.user,
        )
        record(
            events.EXPORTED,
            target=made,
            actor=actor,
            payload={"format": fmt, "since": since.isoformat() if since else None, "references": made.references},
        )
    return made, content
