"""Who may do what: one table of role → actions, and one ``require`` that every service calls.

A permission has two parts. The *role* part: the actor's role (in the partnership they act
in) must hold the action in :data:`ROLE_ACTIONS`. The *record* part, when a record is
given: the record must be within the actor's reach — visible through its model's
``visible_to(actor)`` queryset (:data:`VISIBLE`), or owned by the actor (:data:`OWNER`).
Both must hold; there is no third answer.

Actions are ``<app>.<verb>``; an action on a record applies to that app's records only. Add an action here and to the role matrix test
(``tests/apps/accounts/test_role_matrix.py``) together.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from continuum.apps.accounts.actor import Actor, Role

# Record-level rules.
VISIBLE = "visible"  # the record is in type(record).objects.visible_to(actor)
OWNER = "owner"  # the record's ``owner`` is the actor's user

# Actions on records, and the record rule each needs.
RECORD_ACTIONS: dict[str, str] = {
    "checks.view": VISIBLE,  # the stored check's page
    "checks.export": VISIBLE,  # its decision report, printed or as PDF
    "checks.judge": OWNER,  # agree, or record one's own level
    "checks.send": OWNER,  # send it to the partnership's front door (coming)
    "accounts.manage_members": VISIBLE,  # add, change or remove a membership
    "earlyhelp.view": VISIBLE,  # a family's early help record, printed or as PDF
    "earlyhelp.edit": VISIBLE,  # the assessment, consent, the team, the plan, reviews
    "earlyhelp.close": VISIBLE,
    "earlyhelp.step_up": VISIBLE,
    "earlyhelp.answer_step_down": VISIBLE,  # accept or refuse a step-down
    "frontdoor.view": VISIBLE,  # a contact's triage page at the front door
    "frontdoor.claim": VISIBLE,  # claim a contact to triage it
    "frontdoor.triage": VISIBLE,  # grade, agency checks, re-referral match
    "frontdoor.decide": VISIBLE,  # the decision and the feedback to the referrer
    "frontdoor.reassign": VISIBLE,  # give a contact to another worker (managers)
    "escalations.view": VISIBLE,  # an escalation's page: its stages, responses and outcome
    "escalations.respond": VISIBLE,  # record the response at the current stage
    "escalations.escalate": VISIBLE,  # move to the procedure's next stage
    "escalations.resolve": VISIBLE,  # record the resolution
    "escalations.withdraw": OWNER,  # the person who raised it withdraws it
    "referrals.view": VISIBLE,  # a referral's page: the referrer's own, or the front door's
    "referrals.acknowledge": VISIBLE,  # tell the referrer it was received (the email's job does it too)
    "referrals.record_follow_up": VISIBLE,  # a phoned referral's written follow-up arrived
    "referrals.record_outcome": VISIBLE,  # the outcome (or why not shared) for the referrer, from the decision
}

# Actions on no single record (a page, a queue, a report).
GENERAL_ACTIONS: tuple[str, ...] = (
    "checks.create",
    "frontdoor.view_queue",
    "earlyhelp.view",
    "earlyhelp.start",
    "earlyhelp.request_step_down",
    "earlyhelp.configure",
    "frontdoor.configure",  # the partnership's front-door settings (amber share, agencies)
    "audit.view",
    "reports.view",  # the partnership's dashboards and threshold calibration report (aggregates only)
    "reports.export",  # the national returns' lists (CIN census, SSD, Annex A): they name children; audited
    "accounts.manage_members",
    "escalations.raise",  # raise a disagreement about a decision the actor can see
    "escalations.view_register",  # the partnership's escalation register, printed or exported
    "escalations.set_procedure",  # record the partnership's procedure where the document gives no stages
    "referrals.send",  # send a referral from one's own check (with checks.send on the check)
    "referrals.view_sent",  # one's own page of referrals sent
    "referrals.record_phoned",  # record an urgent referral taken by phone
    "referrals.export",  # the hand-off export of decided referrals for the council's case system
)

_CHECKER = {"checks.create", "checks.view", "checks.export", "checks.judge"}
_FRONT_DOOR = _CHECKER | {
    "frontdoor.view_queue",
    "frontdoor.view",
    "frontdoor.claim",
    "frontdoor.triage",
    "frontdoor.decide",
}
# Early help work: start an assessment, and (on records visible to them) see, edit, close and step up.
_EARLY_HELP = {"earlyhelp.start", "earlyhelp.view", "earlyhelp.edit", "earlyhelp.close", "earlyhelp.step_up"}

ROLE_ACTIONS: dict[Role, frozenset[str]] = {
    Role.PRACTITIONER: frozenset(_CHECKER | {"checks.send"} | _EARLY_HELP),
    Role.FRONT_DOOR_WORKER: frozenset(_FRONT_DOOR | {"earlyhelp.request_step_down"}),
    Role.FRONT_DOOR_MANAGER: frozenset(_FRONT_DOOR | {"earlyhelp.request_step_down", "frontdoor.reassign"}),
    Role.EARLY_HELP: frozenset(
        _CHECKER | {"checks.send"} | _EARLY_HELP | {"earlyhelp.request_step_down", "earlyhelp.answer_step_down"}
    ),
    Role.PARTNERSHIP_ADMIN: frozenset(
        {"accounts.manage_members", "reports.view", "earlyhelp.configure", "frontdoor.configure"}
    ),
    Role.AUDITOR: frozenset({"audit.view"}),
}

# Escalations of professional disagreement: every party to one raises it and (on escalations visible to
# them) sees it and moves it on; front-door managers and partnership admins read the register; the
# partnership admin records the procedure where the document gives no stages.
_ESCALATION_PARTY = frozenset(
    {
        "escalations.raise",
        "escalations.view",
        "escalations.respond",
        "escalations.escalate",
        "escalations.resolve",
        "escalations.withdraw",
    }
)
for _role in (Role.PRACTITIONER, Role.FRONT_DOOR_WORKER, Role.FRONT_DOOR_MANAGER, Role.EARLY_HELP):
    ROLE_ACTIONS[_role] |= _ESCALATION_PARTY
ROLE_ACTIONS[Role.FRONT_DOOR_MANAGER] |= {"escalations.view_register"}
ROLE_ACTIONS[Role.PARTNERSHIP_ADMIN] |= {"escalations.view", "escalations.view_register", "escalations.set_procedure"}
# Reports: the partnership admin sees the figures and takes the national returns' lists; a front-door
# manager sees the figures of their own front door (the partnership's), never the lists that name children.
ROLE_ACTIONS[Role.PARTNERSHIP_ADMIN] |= {"reports.export"}
ROLE_ACTIONS[Role.FRONT_DOOR_MANAGER] |= {"reports.view"}
# Referrals: the referrer sends from their own check and sees their own; the front door records its side.
_REFERRER = frozenset({"referrals.send", "referrals.view_sent", "referrals.view"})
_REFERRAL_FRONT_DOOR = frozenset(
    {
        "referrals.view",
        "referrals.acknowledge",
        "referrals.record_follow_up",
        "referrals.record_outcome",
        "referrals.record_phoned",
    }
)
ROLE_ACTIONS[Role.PRACTITIONER] |= _REFERRER
ROLE_ACTIONS[Role.EARLY_HELP] |= _REFERRER
ROLE_ACTIONS[Role.FRONT_DOOR_WORKER] |= _REFERRAL_FRONT_DOOR
ROLE_ACTIONS[Role.FRONT_DOOR_MANAGER] |= _REFERRAL_FRONT_DOOR | {"referrals.export"}


# The roles that receive what is sent to a partnership, and see it once sent.
FRONT_DOOR_ROLES: frozenset[Role] = frozenset({Role.FRONT_DOOR_WORKER, Role.FRONT_DOOR_MANAGER})


class Refused(PermissionDenied):
    """The actor may not do ``action`` (to ``record``, if one was given)."""

    def __init__(self, actor: Actor, action: str, reason: str):
        self.actor = actor
        self.action = action
        self.reason = reason
        super().__init__(f"{actor.label} may not {action}: {reason}")


def known_actions() -> set[str]:
    return set(RECORD_ACTIONS) | set(GENERAL_ACTIONS)


def role_allows(role: Role | None, action: str) -> bool:
    return role is not None and action in ROLE_ACTIONS.get(role, frozenset())


def _record_refusal(actor: Actor, action: str, record: models.Model) -> str | None:
    rule = RECORD_ACTIONS.get(action)
    if rule is None:
        return f"{action} is not an action on a record"
    if action.split(".", 1)[0] != record._meta.app_label:
        return f"{action} is not an action on a {record._meta.verbose_name}"
    if rule == OWNER:
        owner_id = getattr(record, "owner_id", None)
        if actor.user is None or owner_id != actor.user.pk:
            return "only the person who made it may do this"
        return None
    manager: Any = type(record)._default_manager
    if not manager.visible_to(actor).filter(pk=record.pk).exists():
        return "the record is not within the actor's partnership and role"
    return None


def refusal(actor: Actor, action: str, record: models.Model | None = None) -> str | None:
    """Why ``actor`` may not do ``action`` (to ``record``), or ``None`` when they may."""
    if action not in known_actions():
        raise ValueError(f"unknown action {action!r}: declare it in accounts.permissions")
    if actor.user is None:
        return "nobody is signed in"
    if not role_allows(actor.role, action):
        return f"the role {actor.role or 'none'} does not allow it"
    if record is not None:
        return _record_refusal(actor, action, record)
    return None


def can(actor: Actor, action: str, record: models.Model | None = None) -> bool:
    return refusal(actor, action, record) is None


def require(actor: Actor, action: str, record: models.Model | None = None) -> None:
    """Raise :class:`Refused` (a ``PermissionDenied``, so a 403 page) unless ``actor`` may do it."""
    reason = refusal(actor, action, record)
    if reason is not None:
        raise Refused(actor, action, reason)


def login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page only for a signed-in person (e.g. sending a check to a partnership): others sign in first.

    Checking a level stays open to everyone; whatever is sent to a partnership goes through this.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        actor: Actor | None = getattr(request, "actor", None)
        if actor is None or actor.user is None:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


def action_required(action: str) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """A page that needs ``action`` of the actor's role: sign in first, then 403 if the role lacks it."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            require(request.actor, action)  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
