"""Fill the database named by ``DATABASE_URL`` for a drill: migrate, demo accounts, one of each casework record.

Run as ``python -m tests.drills.populate`` (the drills start it in its own process, so that it talks to
the drill's own database rather than the test run's). Prints the public ids it made, one per line.
"""

from __future__ import annotations

import os


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "continuum.web.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    from continuum.apps.accounts.demo import ensure_demo_accounts

    call_command("migrate", verbosity=0, interactive=False)
    demo = ensure_demo_accounts(password="drill-only-password")
    from tests.drills.casework import populate

    made = populate()
    print(f"demo accounts: {len(demo.created)}")
    print(f"check: {made.check.public_id}")
    print(f"referral: {made.referral.public_id}")
    print(f"episode: {made.episode.public_id}")
    print(f"escalation: {made.escalation.public_id}")


if __name__ == "__main__":
    main()
