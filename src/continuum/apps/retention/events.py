"""The retention job's audit verbs (the access-log trim is the audit's own ``audit.trimmed``)."""

from continuum.apps.audit.registry import register

ANONYMISED = register(
    "retention.anonymised",
    "A record past its retention date was anonymised: names, birth dates (the year kept), contact details and "
    "free text removed; levels, codes and dates kept.",
)
SUBMISSIONS_PURGED = register(
    "retention.submissions_purged",
    "Form submission tokens and API Idempotency-Keys older than the configured days were deleted from the "
    "submissions ledger (how many, and the cut-off); the records they made stay.",
)
