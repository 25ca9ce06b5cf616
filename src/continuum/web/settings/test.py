"""Test settings: the base, with the tiny test framework and static files served from the source tree.

``DATABASE_URL`` still chooses the database, so the same suite runs on SQLite (the
default) and on PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path

# Set before the base reads it, so that tests never make a key file in var/.
os.environ.setdefault("SECRET_KEY", "test-only-not-secret")

from continuum.web.settings.base import *  # noqa: F403
from continuum.web.settings.base import env

_REPO = Path(__file__).resolve().parents[4]

CONTINUUM_FRAMEWORKS_DIR = env.str("CONTINUUM_FRAMEWORKS_DIR", default="") or str(
    _REPO / "tests" / "fixtures" / "frameworks"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Rate limits off: the suite posts far faster than any person (and from one address);
# tests/web/test_rate_limits.py turns them on for what it tests.
RATELIMIT_ENABLE = False
