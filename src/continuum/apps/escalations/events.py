"""The audit verbs of the escalations app."""

from continuum.apps.audit.registry import register

RAISED = register("escalations.raised", "A professional raised a disagreement about a decision; its first stage began.")
RESPONDED = register("escalations.responded", "The response at the escalation's current stage was recorded.")
ESCALATED = register("escalations.escalated", "The disagreement moved to the procedure's next stage; its clock began.")
RESOLVED = register("escalations.resolved", "The disagreement was resolved at its current stage, with the outcome.")
WITHDRAWN = register(
    "escalations.withdrawal_recorded", "The person who raised the disagreement withdrew it, with a reason."
)
OUTCOME_REVISED = register(
    "escalations.outcome_revised",
    "A resolved escalation's outcome was changed: a new entry beside it by a named person, with the reason.",
)
REMINDED = register("escalations.reminded", "The job queue reminded that a stage's deadline is near.")
OVERDUE = register("escalations.overdue_flagged", "The job queue flagged a stage whose deadline passed unresolved.")
PROCEDURE_RECORDED = register(
    "escalations.procedure_recorded",
    "A partnership admin recorded the partnership's escalation procedure (where the document gives no stages).",
)
REGISTER_EXPORTED = register("escalations.register_exported", "The partnership's escalation register was exported.")
VIEWED = register("escalations.viewed", "An escalation's page or its register row was seen.", access=True)
