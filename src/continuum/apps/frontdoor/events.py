"""The audit verbs of the front door."""

from continuum.apps.audit.registry import register

OPENED = register("frontdoor.opened", "A referral reached the front door's queue; its decision clock is stored.")
CLAIMED = register("frontdoor.claimed", "A front-door worker claimed a contact to triage it.")
REASSIGNED = register("frontdoor.reassigned", "A front-door manager gave a contact to another worker.")
GRADED = register("frontdoor.graded", "A contact was given a RAG grade; the decision deadline was re-set from it.")
REQUESTED = register("frontdoor.requested", "Information was requested from an agency, with its own clock.")
ANSWERED = register("frontdoor.answered", "An agency's answer to an information request was recorded.")
MATCHED = register("frontdoor.matched", "A re-referral match by name and date of birth was confirmed or rejected.")
DECIDED = register("frontdoor.decided", "The front door decided the contact's outcome, with its structured rationale.")
DECISION_REVISED = register(
    "frontdoor.decision_revised",
    "A recorded front-door decision was changed: a new entry beside it by a named person, with the reason.",
)
FED_BACK = register("frontdoor.notified", "The outcome (or why it is not shared) was sent to the referrer.")
REMINDED = register("frontdoor.reminded", "A reminder was sent before a front-door deadline.")
ESCALATED = register("frontdoor.escalated", "A missed front-door deadline was escalated to the managers.")
VIEWED = register("frontdoor.viewed", "A contact's triage page was viewed at the front door.", access=True)
LISTED = register("frontdoor.listed", "A contact was listed on the front-door queue page.", access=True)
SETTINGS_CHANGED = register("frontdoor.configured", "A partnership's front-door settings were changed.")
