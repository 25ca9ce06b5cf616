"""The audit verbs of the checks app."""

from continuum.apps.audit.registry import register

RECORDED = register("checks.recorded", "A practitioner asked for a recommendation; the check was stored.")
JUDGED = register("checks.judged", "The practitioner agreed with the recommendation or recorded their own level.")
JUDGEMENT_REVISED = register(
    "checks.judgement_revised",
    "A signed-in practitioner changed their mind about a recorded judgement: a new entry with its reason, "
    "beside the first.",
)
LOWER_VIEW_RECORDED = register(
    "checks.lower_view_recorded",
    "The practitioner said the level might be lower, with a reason (a calibration signal; the level stands).",
)
VIEWED = register(
    "checks.viewed", "A stored check's page was viewed (and replayed under the current framework).", access=True
)
EXPORTED = register(
    "checks.exported", "A check's decision report was viewed for printing or downloaded as PDF.", access=True
)
