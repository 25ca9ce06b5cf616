"""The audit verbs of referrals."""

from continuum.apps.audit.registry import register

SENT = register("referrals.submitted", "A practitioner sent a referral (one per child) from a stored check.")
PHONED = register("referrals.phoned", "The front door recorded an urgent referral received by phone.")
FOLLOWED_UP = register("referrals.follow_up_received", "A phoned referral's written follow-up was received.")
ACKNOWLEDGED = register("referrals.acknowledged", "The referrer was told their referral was received.")
OUTCOME_RECORDED = register(
    "referrals.outcome_recorded", "The outcome (or why it is not shared) was recorded for the referrer."
)
OUTCOME_CHANGED = register(
    "referrals.outcome_changed",
    "The front door changed its decision after the referrer was told it; the referrer sees the change "
    "(the outcome in force, or still why it is not shared).",
)
EXPORTED = register("referrals.exported", "Decided referrals were exported for the council's case system.")
VIEWED = register("referrals.viewed", "A referral was seen (its page, or a list that shows it).", access=True)
STEPPED_UP = register(
    "referrals.step_up_received", "A family stepped up from early help reached the front door (one referral per child)."
)
