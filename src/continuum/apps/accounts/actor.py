"""Who is acting: one value passed to every service and written with every audit event.

An ``Actor`` is a person (or nobody, for the open check) acting in one partnership in one
role, within one request. Services take it instead of loose ``(label, user)`` pairs so that
permission checks, ``visible_to`` scoping and the audit all see the same thing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    """The roles a person holds in a partnership (``Membership``). Generic, not a partnership's words."""

    PRACTITIONER = "practitioner"  # checks a level and refers
    FRONT_DOOR_WORKER = "front-door-worker"
    FRONT_DOOR_MANAGER = "front-door-manager"
    EARLY_HELP = "early-help"  # early-help practitioner / lead professional
    PARTNERSHIP_ADMIN = "partnership-admin"  # members, settings, reports
    AUDITOR = "auditor"  # read-only audit


ROLE_LABELS: dict[Role, str] = {
    Role.PRACTITIONER: "Practitioner",
    Role.FRONT_DOOR_WORKER: "Front door worker",
    Role.FRONT_DOOR_MANAGER: "Front door manager",
    Role.EARLY_HELP: "Early help practitioner or lead professional",
    Role.PARTNERSHIP_ADMIN: "Partnership admin",
    Role.AUDITOR: "Auditor",
}


def new_request_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Actor:
    """A person (``user``, or ``None`` when nobody is signed in) acting as ``role`` in ``partnership``.

    ``partnership`` is a framework id (e.g. the directory name under ``frameworks/``);
    ``role`` is ``None`` for the anonymous practitioner's open check and for system jobs.
    """

    user: Any = None
    partnership: str | None = None
    role: Role | None = None
    request_id: str = field(default_factory=new_request_id)
    system: str | None = None  # a job or command acting without a person, e.g. "worker"

    @property
    def is_anonymous(self) -> bool:
        return self.user is None and self.system is None

    @property
    def label(self) -> str:
        """How the audit names the actor: the username, the system job, or ``anonymous``."""
        if self.user is not None:
            return str(self.user.get_username())
        if self.system is not None:
            return f"system:{self.system}"
        return "anonymous"

    @classmethod
    def anonymous(cls, request_id: str | None = None) -> Actor:
        return cls(request_id=request_id or new_request_id())

    @classmethod
    def for_system(cls, name: str, partnership: str | None = None) -> Actor:
        return cls(system=name, partnership=partnership)
