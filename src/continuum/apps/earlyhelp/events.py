"""The audit verbs of early help."""

from continuum.apps.audit.registry import register

STARTED = register(
    "earlyhelp.started", "An early help assessment was started (from a check, a front-door decision or a step-down)."
)
SECTION_SAVED = register("earlyhelp.section_saved", "A section of a draft early help assessment was saved.")
MEMBER_ADDED = register(
    "earlyhelp.member_added", "A child or adult was added to the family in an early help assessment."
)
CONSENT_RECORDED = register(
    "earlyhelp.consent_recorded", "A family member's consent was recorded (who, to what, sharing with whom, when)."
)
CONSENT_WITHDRAWN = register(
    "earlyhelp.consent_withdrawal_recorded", "Consent was withdrawn: sharing with the team stops from then on."
)
SUBMITTED = register(
    "earlyhelp.submitted", "An early help assessment was submitted: the episode is open and its review clock started."
)
TEAM_MEMBER_ADDED = register("earlyhelp.team_member_added", "Someone joined the team around the family.")
TEAM_MEMBER_REMOVED = register("earlyhelp.team_member_removed", "Someone left the team around the family.")
LEAD_CHANGED = register("earlyhelp.lead_changed", "The lead professional changed.")
PLAN_CHANGED = register(
    "earlyhelp.plan_changed", "The family's plan changed (an action added, or its progress updated)."
)
REVIEW_RECORDED = register(
    "earlyhelp.review_recorded", "A review was held: progress against the plan and the level now."
)
REVIEW_REMINDED = register("earlyhelp.review_reminded", "A reminder was sent that a review is coming due.")
REVIEW_ESCALATED = register("earlyhelp.review_escalated", "A review passed its due date unheld and was escalated.")
CLOSED = register("earlyhelp.closed", "An early help episode was closed with a reason.")
CLOSURE_REVISED = register(
    "earlyhelp.closure_revised",
    "A recorded closure was changed: a new entry beside it by a named person, with the reason.",
)
STEPPED_UP = register(
    "earlyhelp.step_up_recorded",
    "An early help episode stepped up to the front door, carrying its assessment, plan and history.",
)
STEP_DOWN_REQUESTED = register(
    "earlyhelp.step_down_requested", "A child was stepped down to early help, awaiting the receiving team's answer."
)
STEP_DOWN_ACCEPTED = register(
    "earlyhelp.step_down_accepted", "The early help team accepted a step-down: an assessment was started."
)
STEP_DOWN_REFUSED = register("earlyhelp.step_down_refused", "The early help team refused a step-down, with a reason.")
STEP_DOWN_ESCALATED = register(
    "earlyhelp.step_down_escalated", "A step-down was not answered in time and was escalated."
)
SETTING_CHANGED = register("earlyhelp.setting_changed", "The partnership admin changed an early help setting.")
VIEWED = register("earlyhelp.viewed", "Someone saw a family's early help record (its page, print or PDF).", access=True)
LISTED = register(
    "earlyhelp.listed",
    "Families were listed on an early help list page (the caseload, reviews due): one event names them all.",
    access=True,
)
