"""The user model, custom from the first migration (Django's advice: swapping it later is a rewrite)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A practitioner or front-door worker. Roles and partnerships come with sign-in."""

    class Meta:
        db_table = "accounts_user"
