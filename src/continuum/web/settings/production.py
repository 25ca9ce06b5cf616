"""Production: no defaults for what must be set; HTTPS everywhere. A missing value stops start-up."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_missing = [name for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL") if not os.environ.get(name)]
if _missing:
    raise ImproperlyConfigured(f"production settings need these environment variables: {', '.join(_missing)}")

from continuum.web.settings.base import *  # noqa: E402, F403
from continuum.web.settings.base import database_config, env  # noqa: E402

DEBUG = False
CONTINUUM_PRODUCTION = True  # demo accounts are refused
CONTINUUM_LOCAL = False
SECRET_KEY = env.str("SECRET_KEY")
# Django's own test for a weak key (check security.W009): refused here rather than warned about.
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-"):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production: use at least 50 random characters "
        "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')"
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
if "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the service's host names in production, not '*'")
DATABASES = {"default": database_config(env.str("DATABASE_URL"))}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# TLS ends at the proxy in front (docs/decisions/0003-web-service.md): trust its X-Forwarded-Proto.
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=True)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
