"""The only code that changes checks. Each change and its audit event share one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from continuum.apps.accounts.actor import Actor
from continuum.apps.accounts.permissions import Refused, refusal
from continuum.apps.audit.services import record, record_access
from continuum.apps.checks import events
from continuum.apps.checks.models import Check, CheckIndicator, Judgement, JudgementRevision, LowerView
from continuum.apps.govuk.text import clean_text, has_visible_text
from continuum.apps.partnerships import citations
from continuum.apps.partnerships.catalogue import catalogue
from continuum.engine import assess
from continuum.engine.replay import replay
from continuum.frameworks import LoadedFramework

ENGINE_KEYS = ("indicators", "protective", "facts", "age_years")


class JudgementError(ValueError):
    """A judgement the rules do not allow: the message is for the practitioner, ``field`` is the
    form field it is about (``level`` or ``reason``)."""

    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.field = field


def create_check(
    loaded: LoadedFramework, inputs: dict[str, Any], *, actor: Actor, submission: uuid.UUID | None = None
) -> Check:
    """Assess ``inputs`` under ``loaded`` and store the check with its framework version, hash and trace,
    its indicators as rows (:func:`indicator_rows`) and its audit event, in one transaction.

    Idempotent per ``submission`` (the form's token): when a check was already stored with it, that
    check is returned and nothing new is stored, also when two submissions race (the column is unique).

    Raises :class:`continuum.engine.AssessmentInputError` when the input names what the
    framework does not have.
    """
    if submission is not None:
        existing = Check.objects.filter(submission=submission).first()
        if existing is not None:
            return existing
    try:
        return _store_check(loaded, inputs, actor=actor, submission=submission)
    except IntegrityError:
        if submission is None:
            raise
        return Check.objects.get(submission=submission)  # the other submission stored it first


def submitted_check(token: str) -> Check | None:
    """The check stored from the answers form with ``token`` (its hidden ``submission`` field), if any."""
    try:
        submission = uuid.UUID(token)
    except ValueError:
        return None
    return Check.objects.filter(submission=submission).first()


def _store_check(
    loaded: LoadedFramework, inputs: dict[str, Any], *, actor: Actor, submission: uuid.UUID | None
) -> Check:
    engine_input = {key: inputs.get(key) for key in ENGINE_KEYS}
    result = assess(loaded, engine_input)
    fw = loaded.framework
    with transaction.atomic():
        check = Check.objects.create(
            submission=submission,
            owner=actor.user if actor.user is not None and actor.user.is_authenticated else None,
            framework_id=fw.id,
            framework_name=fw.name,
            framework_version=fw.version,
            framework_hash=loaded.content_hash,
            engine_version=str(result.get("engine_version", "")),
            inputs=inputs,
            result=result,
            citations={
                "lines": citations.collect(loaded, result),
                "level_source": citations.level_source(loaded, result["recommended_level"]["number"]),
                "levels": [{"number": lv.number, "name": lv.name} for lv in fw.levels],
            },
            recommended_level=result["recommended_level"]["number"],
            recommended_level_name=result["recommended_level"]["name"],
            immediate_danger=bool(result["immediate_danger"]["applies"]),
        )
        CheckIndicator.objects.bulk_create(indicator_rows(check, loaded))
        record(
            events.RECORDED,
            target=check,
            actor=actor,
            payload={
                "framework": {"id": fw.id, "version": fw.version, "hash": loaded.content_hash},
                "recommended_level": check.recommended_level,
                "immediate_danger": check.immediate_danger,
            },
        )
    return check


def indicator_rows(check: Check, loaded: LoadedFramework | None = None) -> list[CheckIndicator]:
    """The check's offered and selected indicators as rows (the definitions: :class:`CheckIndicator`).

    Selected: ``inputs.indicators`` and ``inputs.protective``; offered: ``inputs.suggested``.
    Level and domain come from the stored result (every selected indicator is in its drivers or
    protective factors) and, for suggestions not selected, from ``loaded`` when given.
    """
    inputs = check.inputs or {}
    result = check.result or {}
    concerns = _ids(inputs.get("indicators"))
    strengths = _ids(inputs.get("protective"))
    suggested = set(_ids(inputs.get("suggested")))
    known: dict[str, dict[str, Any]] = {}
    protective = set(strengths)
    if loaded is not None:
        known = {i.id: {"level": i.level, "domain": i.domain} for i in loaded.framework.indicators}
        protective |= {i.id for i in loaded.framework.indicators if i.protective}
    for item in [*result.get("drivers", []), *result.get("protective_factors", [])]:
        if isinstance(item, dict) and isinstance(item.get("indicator"), str):
            known[item["indicator"]] = item
    rows = []
    for indicator_id in dict.fromkeys([*concerns, *strengths, *_ids(inputs.get("suggested"))]):
        found = known.get(indicator_id, {})
        rows.append(
            CheckIndicator(
                stored_check=check,
                indicator_id=indicator_id,
                level=found.get("level"),
                domain=str(found.get("domain") or ""),
                protective=indicator_id in protective,
                offered=indicator_id in suggested,
                selected=indicator_id in concerns or indicator_id in strengths,
            )
        )
    return rows


def _ids(value: Any) -> list[str]:
    return [i for i in value or [] if isinstance(i, str)]


def allowed_levels(check: Check) -> list[tuple[int, str]]:
    """The levels a practitioner may record: the recommended one (they agree) or a higher one.

    Overrides only raise a level; this is the one place that says so (the judgement form offers these)."""
    levels = [(lv["number"], lv["name"]) for lv in check.citations.get("levels", [])]
    return sorted((n, name) for n, name in levels if n >= check.recommended_level)


LOWER_REFUSED = (
    "You can only record a higher level than the recommendation. If you think the level is lower, "
    "go back and change the concerns you selected, or talk to your designated safeguarding lead"
)


def may_judge(check: Check, actor: Actor, *, made_here: bool = False) -> str | None:
    """Why ``actor`` may not record or change ``check``'s judgement (``None`` when they may).

    A check's link never grants it. A signed-in person's check: only they, signed in (``checks.judge``).
    A check made without signing in: only the browser session that made it (``made_here``, which the
    view reads from the session), and only its first judgement and lower views unless someone is signed
    in: a change of mind is always by a named, signed-in person (:func:`revise_judgement`).
    """
    if check.owner_id is not None:
        return refusal(actor, "checks.judge", check)
    if not made_here:
        return "only the person who made this check can record its judgement"
    return None


def _refuse_unless_may_judge(check: Check, actor: Actor, made_here: bool) -> None:
    reason = may_judge(check, actor, made_here=made_here)
    if reason is not None:
        raise Refused(actor, "checks.judge", reason)


def _valid_judgement(check: Check, agrees: bool, own_level: int | None, reason: str) -> str:
    """The reason, cleaned, once the judgement is one the rules allow (else :class:`JudgementError`)."""
    reason = clean_text(reason).strip()
    if not has_visible_text(reason):
        reason = ""
    levels = {lv["number"] for lv in check.citations.get("levels", [])}
    if not agrees:
        if own_level is None or own_level not in levels:
            raise JudgementError("Select the level you would place this at", field="level")
        if own_level == check.recommended_level:
            raise JudgementError("That is the recommended level, so you agree with the recommendation", field="level")
        if own_level not in dict(allowed_levels(check)):
            raise JudgementError(LOWER_REFUSED, field="level")
        if not reason:
            raise JudgementError(
                "Enter why you judge this to be a different level from the recommendation", field="reason"
            )
    return reason


def record_judgement(
    check: Check,
    *,
    agrees: bool,
    own_level: int | None = None,
    reason: str = "",
    actor: Actor,
    made_here: bool = False,
) -> Check:
    """Record, once, that the practitioner agrees, or their own, higher level with a reason.

    Overrides only raise a level (the engine suggests; a person decides, upwards): a practitioner
    who thinks the level is lower changes the concerns selected instead. Only the person who made
    the check records it (:func:`may_judge`); once recorded it stays as recorded (the database
    refuses to change it), and a change of mind is :func:`revise_judgement`."""
    _refuse_unless_may_judge(check, actor, made_here)
    reason = _valid_judgement(check, agrees, own_level, reason)
    with transaction.atomic():
        locked = Check.objects.select_for_update().get(pk=check.pk)
        if locked.judgement:
            raise JudgementError(ALREADY_JUDGED, field="level")
        locked.judgement = Judgement.AGREE if agrees else Judgement.OWN
        locked.own_level = None if agrees else own_level
        locked.judgement_reason = "" if agrees else reason
        locked.judged_at = timezone.now()
        locked.save(update_fields=["judgement", "own_level", "judgement_reason", "judged_at"])
        record(
            events.JUDGED,
            target=locked,
            actor=actor,
            payload={
                "judgement": locked.judgement,
                "recommended_level": locked.recommended_level,
                "own_level": locked.own_level,
                "reason": locked.judgement_reason,
            },
        )
    return locked


ALREADY_JUDGED = "Your judgement is already recorded. To change your mind, record the change and why"


def revise_judgement(
    check: Check,
    *,
    agrees: bool,
    own_level: int | None = None,
    reason: str,
    actor: Actor,
    made_here: bool = False,
) -> JudgementRevision:
    """A change of mind about a recorded judgement: a new, attributed entry beside the first, with its reason.

    Only a signed-in person who may judge the check (:func:`may_judge`) records one; the reason is
    always required; the first judgement and earlier revisions stay as they are."""
    if actor.user is None or not actor.user.is_authenticated:
        raise Refused(actor, "checks.judge", "a change of mind is recorded by a person who is signed in")
    _refuse_unless_may_judge(check, actor, made_here)
    if not has_visible_text(clean_text(reason)):
        raise JudgementError("Enter why you have changed your judgement", field="reason")
    cleaned = _valid_judgement(check, agrees, own_level, reason)
    with transaction.atomic():
        locked = Check.objects.select_for_update().get(pk=check.pk)
        if not locked.judgement:
            raise JudgementError("Record your judgement first", field="level")
        before = locked.level_in_force
        after = locked.recommended_level if agrees else own_level
        if after == before:
            raise JudgementError("That is the judgement already recorded: choose a different level", field="level")
        revision = JudgementRevision.objects.create(
            stored_check=locked,
            judgement=Judgement.AGREE if agrees else Judgement.OWN,
            own_level=None if agrees else own_level,
            reason=cleaned,
            recorded_by=actor.user,
            recorded_at=timezone.now(),
        )
        record(
            events.JUDGEMENT_REVISED,
            target=locked,
            actor=actor,
            payload={
                "revision": revision.pk,
                "judgement": revision.judgement,
                "recommended_level": locked.recommended_level,
                "own_level": revision.own_level,
                "reason": cleaned,
                "level_before": before,
            },
        )
    return revision


def lower_levels(check: Check) -> list[tuple[int, str]]:
    """The levels below the recommendation, for a practitioner who thinks the level might be lower."""
    levels = [(lv["number"], lv["name"]) for lv in check.citations.get("levels", [])]
    return sorted((n, name) for n, name in levels if n < check.recommended_level)


def record_lower_view(
    check: Check, *, level: int | None, reason: str, actor: Actor, made_here: bool = False
) -> LowerView:
    """Record that the practitioner thinks the level might be lower, and why: a calibration signal.

    It never changes the check's recommended or decided level (``allowed_levels`` stays the one
    authority for overrides). Written once: a later change of mind is a new ``LowerView``. Only the
    person who made the check records one (:func:`may_judge`)."""
    _refuse_unless_may_judge(check, actor, made_here)
    reason = clean_text(reason).strip()
    if not has_visible_text(reason):
        reason = ""
    if level is None or level not in dict(lower_levels(check)):
        raise JudgementError("Select the lower level you think this might be", field="lower_level")
    if not reason:
        raise JudgementError("Enter why you think the level might be lower", field="lower_reason")
    with transaction.atomic():
        view = LowerView.objects.create(
            stored_check=check,
            level=level,
            recommended_level=check.recommended_level,
            reason=reason,
            recorded_by=actor.user if actor.user is not None and actor.user.is_authenticated else None,
        )
        record(
            events.LOWER_VIEW_RECORDED,
            target=check,
            actor=actor,
            payload={"level": level, "recommended_level": check.recommended_level, "reason": reason},
        )
    return view


def note_viewed(check: Check, *, actor: Actor, what: str = "page") -> None:
    """The access log: a stored check was seen (its page, or its report to print or as PDF).

    If the write fails the exception propagates, and the view shows nothing of the check."""
    verb = events.VIEWED if what == "page" else events.EXPORTED
    record_access(actor, check, purpose=what, verb=verb)


# --- replay ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Replay:
    """A stored check re-run under the framework version the service has now."""

    status: str  # "same" (hash unchanged), "changed", "unavailable" (framework no longer offered)
    current_version: str | None = None
    current_hash: str | None = None
    result: dict[str, Any] | None = None
    changes: list[str] = field(default_factory=list)
    dropped_indicators: list[str] = field(default_factory=list)


def replay_check(check: Check) -> Replay:
    """Re-run a stored check under the current framework and say what differs."""
    loaded = catalogue().get(check.framework_id)
    if loaded is None:
        return Replay(status="unavailable")
    stored_input = {key: check.inputs.get(key) for key in ENGINE_KEYS}
    out = replay(loaded, stored_input, check.result)
    new, dropped = out["result"], list(out["dropped_indicators"])
    changes = [_sentence(c["change"]) for c in out["changes"]]
    same = loaded.content_hash == check.framework_hash and not changes
    return Replay(
        status="same" if same else "changed",
        current_version=loaded.framework.version,
        current_hash=loaded.content_hash,
        result=new,
        changes=changes,
        dropped_indicators=dropped,
    )


def _sentence(change: str) -> str:
    """A change as the engine words it, as a sentence."""
    return change[:1].upper() + change[1:]
