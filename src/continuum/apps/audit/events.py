"""The audit app's own verbs."""

from continuum.apps.audit.registry import register

ACCESSED = register(
    "audit.accessed",
    "Someone saw a record that holds a child's information (its page, a report, an export).",
    access=True,
)

SEARCHED = register(
    "audit.searched",
    "An auditor read the partnership's audit (the events listed, with the filters used).",
    access=True,
)
VERIFICATION_REQUESTED = register(
    "audit.verification_requested",
    "Someone asked for the whole hash chain to be walked now (the walk runs on the job queue).",
)
VERIFIED = register(
    "audit.verified",
    "The job queue walked the whole hash chain: how many events, the head's hash, and the first break if any.",
)

TRIMMED = register(
    "audit.trimmed",
    "Retention removed the access-log events at and below a sequence; the payload is the chain's checkpoint there.",
)
