"""The audit app's own verbs."""

from continuum.apps.audit.registry import register

ACCESSED = register(
    "audit.accessed",
    "Someone saw a record that holds a child's information (its page, a report, an export).",
    access=True,
)
