"""The audit verbs of the accounts app: people, their roles, and signing in."""

from continuum.apps.audit.registry import register

USER_CREATED = register("accounts.user_created", "A person's account was created (with a password).")
USER_INVITED = register(
    "accounts.user_invited", "A person's account was created without a password; a set-up link was made."
)
USER_CHANGED = register(
    "accounts.user_changed", "A person's account details were changed (name, email, staff, active)."
)
USER_DEACTIVATED = register(
    "accounts.user_deactivated", "A person's account was deactivated: they can no longer sign in."
)
MEMBERSHIP_ADDED = register("accounts.membership_added", "A person was given a role in a partnership.")
MEMBERSHIP_CHANGED = register("accounts.membership_changed", "A person's role in a partnership was changed.")
MEMBERSHIP_REMOVED = register("accounts.membership_removed", "A person's role in a partnership was taken away.")
TWO_FACTOR_CONFIRMED = register(
    "accounts.two_factor_confirmed", "A person set up their authenticator app and confirmed it with a code."
)
DEMO_ACCOUNTS_CREATED = register(
    "accounts.demo_accounts_created", "Demo accounts were made or refreshed on a local installation."
)
