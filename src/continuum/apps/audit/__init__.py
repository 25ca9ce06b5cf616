"""Append-only audit events: actor, verb, target, payload, time.

Each app declares its verbs in its ``events.py``; :func:`continuum.apps.audit.registry.register`
validates them. :func:`continuum.apps.audit.services.record` writes an event inside the
caller's transaction, so a failed audit write fails the whole change.
"""
