"""``/``: each person lands where their role works.

Nobody signed in, and practitioners, get the check's start page. Front-door workers and managers
get their queue, auditors their partnership's audit, and the other roles a page leading to their work.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.accounts.partnerships import partnership_name
from continuum.apps.accounts.permissions import FRONT_DOOR_ROLES, require
from continuum.apps.audit import views as audit_views
from continuum.apps.checks import views as check_views
from continuum.apps.frontdoor.views import front_door as frontdoor_views

CHECK = "check"

# role → (template, the action the page needs)
HOMES: dict[Role, tuple[str, str]] = {
    Role.FRONT_DOOR_WORKER: ("home/front_door.html", "frontdoor.view_queue"),
    Role.FRONT_DOOR_MANAGER: ("home/front_door.html", "frontdoor.view_queue"),
    Role.EARLY_HELP: ("home/early_help.html", "earlyhelp.view"),
    Role.PARTNERSHIP_ADMIN: ("home/partnership_admin.html", "accounts.manage_members"),
    Role.AUDITOR: ("audit/events.html", "audit.view"),
}


def home_for(actor: Actor) -> str:
    """The home page's template for ``actor``, or :data:`CHECK` for the check's start page."""
    if actor.role is None or actor.role == Role.PRACTITIONER:
        return CHECK
    return HOMES[actor.role][0]


@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponseBase:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    template = home_for(actor)
    if template == CHECK:
        return check_views.start(request)
    if actor.role in FRONT_DOOR_ROLES:
        return frontdoor_views.queue(request)  # the queue itself, at /
    if actor.role == Role.AUDITOR:
        return audit_views.events_page(request)  # the partnership's audit itself, at /
    assert actor.role is not None
    require(actor, HOMES[actor.role][1])
    context = {
        "partnership_name": partnership_name(actor.partnership),
        "manager": actor.role == Role.FRONT_DOOR_MANAGER,
    }
    return render(request, template, context)
