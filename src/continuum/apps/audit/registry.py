"""The verbs the audit log accepts. Each app registers its own in ``events.py``."""

from __future__ import annotations

import re
from dataclasses import dataclass

VERB = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z_]*ed$")


class UnknownVerbError(LookupError):
    """An audit event was written with a verb no app declared."""


@dataclass(frozen=True)
class Verb:
    name: str
    description: str
    access: bool = False  # a read of a record (the access log), not a change

    def __str__(self) -> str:
        return self.name


_VERBS: dict[str, Verb] = {}


def register(name: str, description: str, *, access: bool = False) -> Verb:
    """Declare a verb ``<app>.<past participle>``; registering the same verb twice differently is an error.

    ``access=True`` declares a verb of the access log (someone saw a record), written with
    :func:`continuum.apps.audit.services.record_access`.
    """
    if not VERB.match(name):
        raise ValueError(f"audit verb {name!r} must look like '<app>.<past participle>', e.g. 'checks.recorded'")
    if not description.strip():
        raise ValueError(f"audit verb {name!r} needs a description")
    existing = _VERBS.get(name)
    verb = Verb(name, description, access)
    if existing is not None and existing != verb:
        raise ValueError(f"audit verb {name!r} is already registered with another description or kind")
    _VERBS[name] = verb
    return verb


def get(name: str) -> Verb:
    try:
        return _VERBS[name]
    except KeyError:
        raise UnknownVerbError(f"audit verb {name!r} is not registered (declare it in the app's events.py)") from None


def all_verbs() -> list[Verb]:
    return sorted(_VERBS.values(), key=lambda v: v.name)


def access_verbs() -> list[Verb]:
    """The verbs of the access log."""
    return [verb for verb in all_verbs() if verb.access]
