"""Settings for the Continuum web service, read from the environment with django-environ.

Every value has a safe default so that ``make run`` works on a fresh machine (SQLite in
``var/``, loopback hosts only, a random secret key kept in ``var/``). ``DATABASE_URL``
points the service at PostgreSQL. Production uses :mod:`continuum.web.settings.production`,
where a missing value stops start-up.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import environ

WEB_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
_env_file = Path(os.environ.get("CONTINUUM_ENV_FILE", ".env"))
if _env_file.is_file():
    env.read_env(str(_env_file))

# Where the service keeps its files (SQLite database, collected static files, the local
# secret key): ``var/`` under the working directory unless told otherwise.
DATA_DIR = Path(env.str("CONTINUUM_DATA_DIR", default=str(Path.cwd() / "var")))


def _local_secret_key(data_dir: Path) -> str:
    """A random key made once per installation and kept beside the data, never in the repository."""
    path = data_dir / "secret_key"
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(key)
        return key


DATABASE_ENGINES = ("django.db.backends.sqlite3", "django.db.backends.postgresql")


def database_config(url: str) -> dict[str, Any]:
    """A ``DATABASE_URL`` as Django's database settings; a malformed one stops start-up with a
    message that names what is wrong (never the password)."""
    import warnings

    from django.core.exceptions import ImproperlyConfigured

    problem = ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # django-environ warns, then returns no engine
            config: dict[str, Any] = environ.Env.db_url_config(url)
    except (ValueError, KeyError) as exc:
        config, problem = {}, f" ({exc})"
    if config.get("ENGINE") not in DATABASE_ENGINES:
        scheme = url.split("://", 1)[0] if "://" in url else "no scheme"
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a database address Continuum can use{problem}: it starts with {scheme!r}; "
            "write sqlite:///absolute/path.sqlite3 or postgres://user:password@host:5432/name"
        )
    return config


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret_key(DATA_DIR)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Frameworks: ``CONTINUUM_FRAMEWORKS_DIR`` (read by continuum.frameworks), else the repository's.
CONTINUUM_FRAMEWORKS_DIR = env.str("CONTINUUM_FRAMEWORKS_DIR", default="") or None
CONTINUUM_SERVICE_NAME = "Check the level of need"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "django.contrib.messages",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "continuum.apps.jobs",
    "continuum.apps.accounts",
    "continuum.apps.audit",
    "continuum.apps.partnerships",
    "continuum.apps.govuk",
    "continuum.apps.checks",
    "continuum.apps.referrals",
    "continuum.apps.frontdoor",
    "ninja",  # django-ninja: the HTTP API's docs page and its assets, served from here (no CDN)
    "continuum.apps.api",
    "continuum.apps.earlyhelp",
    "continuum.apps.escalations",
    "continuum.apps.reports",
    "continuum.apps.retention",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "continuum.web.middleware.SecurityHeadersMiddleware",
    "continuum.web.middleware.EarlyRefusalMiddleware",  # a client refused already: again, before its session is read
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "continuum.apps.accounts.middleware.ActorMiddleware",
    "continuum.web.middleware.RateLimitMiddleware",  # after sign-in is known: counts per address and account
    "continuum.apps.govuk.middleware.ResentFormMiddleware",  # a form sent again with other answers: 409
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: answers a locked-out sign-in with the lockout page
]

ROOT_URLCONF = "continuum.web.urls"
WSGI_APPLICATION = "continuum.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [WEB_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "continuum.web.context_processors.service",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "continuum.apps.accounts.context_processors.account",
                "continuum.apps.accounts.oidc.sso",  # sso_enabled, sso_name, sso_url (single sign-on button)
            ],
        },
    }
]

# One way to configure the database: DATABASE_URL (sqlite:///path or postgres://...).
DATABASES = {
    "default": database_config(env.str("DATABASE_URL", default="") or f"sqlite:///{DATA_DIR / 'continuum.sqlite3'}")
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent requests on one file: write-ahead log, and take the write lock at the
    # start of a transaction so that two writers wait for each other instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Sign-in (ADR 0007): argon2 hashes; django-axes locks a username out after repeated failures
# (its backend first); two-factor codes (django-otp, TOTP) for every role but practitioner.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "/"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# By username only: partner agencies' staff share an office's address, so locking an IP address
# would lock a whole agency out (axes warns about that choice: axes.W006).
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
OTP_TOTP_ISSUER = "Continuum"

# --- Single sign-on (OpenID Connect) --------------------------------------------------------
# Off unless OIDC_RP_CLIENT_ID is set; then every value below without a default is required
# (start-up stops without it). mozilla-django-oidc reads these at request time; the account
# rule is continuum.apps.accounts.oidc's (docs/single-sign-on.md).
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
if OIDC_RP_CLIENT_ID:
    OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT")
    OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")  # when set, the ID token's `iss` must equal it
    OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
    OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
    OIDC_USE_PKCE = env.bool("OIDC_USE_PKCE", default=True)
    OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
    OIDC_CALLBACK_CLASS = "continuum.apps.accounts.oidc.CallbackView"
    CONTINUUM_SSO_NAME = env.str("CONTINUUM_SSO_NAME", default="your organisation's account")
    CONTINUUM_SSO_MATCH_EMAIL = env.bool("CONTINUUM_SSO_MATCH_EMAIL", default=False)
    CONTINUUM_SSO_CREATE_USERS = env.bool("CONTINUUM_SSO_CREATE_USERS", default=False)
    CONTINUUM_SSO_PARTNERSHIPS = env.list("CONTINUUM_SSO_PARTNERSHIPS", default=[])
    CONTINUUM_SSO_PARTNERSHIP_CLAIM = env.str("CONTINUUM_SSO_PARTNERSHIP_CLAIM", default="continuum_partnership")
    CONTINUUM_SSO_ROLE_CLAIM = env.str("CONTINUUM_SSO_ROLE_CLAIM", default="continuum_role")
    CONTINUUM_SSO_CREATE_ROLES = env.list("CONTINUUM_SSO_CREATE_ROLES", default=["practitioner"])
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "continuum.apps.accounts.oidc.SingleSignOnBackend"]
# --- end of single sign-on -------------------------------------------------------------------
# Emails (password reset, the referrer's acknowledgement): written as files under var/emails unless
# EMAIL_BACKEND says otherwise. In production: GOV.UK Notify, through a Notify email backend for Django
# set as EMAIL_BACKEND with the service's API key (docs/handoff.md).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = DATA_DIR / "emails"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="continuum@localhost")
# Local mode: the sign-in page lists the demo accounts (`continuum demo`), with their current codes.
CONTINUUM_LOCAL = env.bool("CONTINUUM_LOCAL", default=DEBUG)
CONTINUUM_PRODUCTION = False

# The job queue (ADR 0008): Django's tasks framework on its database backend, so the embedded
# default needs no extra service and production runs on PostgreSQL. `continuum serve` starts a
# worker beside itself unless CONTINUUM_WORKER=false (then run `continuum worker` on its own).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CONTINUUM_RUN_WORKER = env.bool("CONTINUUM_WORKER", default=True)
CONTINUUM_SESSION_SWEEP_SECONDS = env.int("CONTINUUM_SESSION_SWEEP_SECONDS", default=3600)
# How often the worker walks the whole audit hash chain and records the result (the auditor's page shows it).
CONTINUUM_AUDIT_VERIFY_SECONDS = env.int("CONTINUUM_AUDIT_VERIFY_SECONDS", default=86400)
# The jobs the worker keeps scheduled (each reschedules itself; see continuum.apps.jobs.tasks).
CONTINUUM_PERIODIC_JOBS = [
    "continuum.apps.jobs.tasks.clear_expired_sessions",
    "continuum.apps.audit.tasks.verify_chain_daily",
    "continuum.apps.retention.tasks.apply_retention",
    "continuum.apps.reports.tasks.refresh_tallies",
    "continuum.apps.retention.tasks.purge_submission_tokens",
]
# The one-time tokens of form submissions and the HTTP API's Idempotency-Keys (govuk.Submission,
# ADR 0018 and 0012): a repeat within this many days returns the first record; older tokens are
# deleted by a periodic job every CONTINUUM_SUBMISSION_PURGE_SECONDS, after which a repeat would store anew.
CONTINUUM_SUBMISSION_TOKEN_DAYS = env.int("CONTINUUM_SUBMISSION_TOKEN_DAYS", default=30)
CONTINUUM_SUBMISSION_PURGE_SECONDS = env.int("CONTINUUM_SUBMISSION_PURGE_SECONDS", default=24 * 60 * 60)
# How often the reports' job recounts the days whose tallies are stale (ADR 0017).
CONTINUUM_REPORTS_REFRESH_SECONDS = env.int("CONTINUUM_REPORTS_REFRESH_SECONDS", default=300)
# Retention (docs/retention.md): how long each kind of record is kept, set by the partnership; the
# defaults and their sources are in that document. The retention job runs daily on the queue.
CONTINUUM_RETENTION = {
    "check_years": env.int("RETENTION_CHECK_YEARS", default=6),
    "case_until_age": env.int("RETENTION_CASE_UNTIL_AGE", default=25),
    "case_years_after_closure": env.int("RETENTION_CASE_YEARS_AFTER_CLOSURE", default=6),
    "access_log_days": env.int("RETENTION_ACCESS_LOG_DAYS", default=400),
}
CONTINUUM_RETENTION_RUN_SECONDS = env.int("RETENTION_RUN_SECONDS", default=24 * 60 * 60)
# The database owner's address, for `continuum db migrate` (docs/deployment.md): migrations run as
# the owner; the service (DATABASE_URL) as a role that may only append to the audit (ADR 0020).
MIGRATION_DATABASE_URL = env.str("MIGRATION_DATABASE_URL", default="")
# Early help: how many days before a review falls due its reminder goes to the lead professional.
CONTINUUM_EARLYHELP_REMINDER_DAYS = env.int("CONTINUUM_EARLYHELP_REMINDER_DAYS", default=5)

# The HTTP API (continuum.apps.api): rate limits per token and per client address on assess, match
# and creates; the client address is REMOTE_ADDR unless NUM_PROXIES trusted proxies set X-Forwarded-For.
# Limits are counted in the cache: CACHE_URL (e.g. redis://...) shares them between processes.
CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://"),
    # The recorded part of each check's page, rendered once (continuum.apps.checks.recorded): a cache of its
    # own, so that its entries never push the rate limits' counters out. Each process's memory by default
    # (entries are keyed by all they are made from, so processes never disagree); CHECK_PAGE_CACHE_URL shares them.
    "check_pages": env.cache("CHECK_PAGE_CACHE_URL", default="locmemcache://check-pages?max_entries=1000"),
}
CONTINUUM_API_RATES = {
    "token": env.str("API_RATE_PER_TOKEN", default="60/min"),
    "address": env.str("API_RATE_PER_ADDRESS", default="120/min"),
}
NINJA_NUM_PROXIES = env.int("NUM_PROXIES", default=0)

# Fair under load (ADR 0021). Rate limits on the web pages (continuum.web.ratelimits): form posts
# per client address (REMOTE_ADDR, which waitress sets from TRUSTED_PROXY's X-Forwarded-For) and
# per account, as "count/period" (s, m, h); generous per address because an agency's staff share
# one. Counted in the default cache: with several server processes set CACHE_URL to Redis.
# RATE_LIMITS=false turns them off (load benchmarks from one address only).
RATELIMIT_ENABLE = env.bool("RATE_LIMITS", default=True)
RATELIMIT_FAIL_OPEN = True  # a cache that cannot be reached must not turn practitioners away


def _rates(action: str, address: str, account: str) -> dict[str, str]:
    name = action.upper().replace("-", "_")
    return {
        "address": env.str(f"RATE_{name}_PER_ADDRESS", default=address),
        "account": env.str(f"RATE_{name}_PER_ACCOUNT", default=account),
    }


CONTINUUM_RATE_LIMITS = {
    "sign-in": _rates("sign-in", "60/m", "10/m"),
    "concern": _rates("concern", "120/m", "10/m"),
    "check-create": _rates("check-create", "120/m", "10/m"),
    "referral-send": _rates("referral-send", "60/m", "5/m"),
}
# Matching on a request (continuum.apps.checks.matching_pool): worker threads and queue places for
# short and long concerns, the longest text still "short", and how long a page waits for matching
# by meaning before it matches by words only. And the longest concern accepted, in characters.
CONTINUUM_MATCHING = {
    "workers": env.int("MATCHING_WORKERS", default=1),
    "queue": env.int("MATCHING_QUEUE", default=4),
    "long_workers": env.int("MATCHING_LONG_WORKERS", default=1),
    "long_queue": env.int("MATCHING_LONG_QUEUE", default=1),
    "long_chars": env.int("MATCHING_LONG_CHARS", default=600),
    "budget_seconds": env.float("MATCHING_BUDGET_SECONDS", default=2.0),
    "cpu_threads": env.int("MATCHING_CPU_THREADS", default=0),  # cores for the model; 0: half the machine's
    "long_nice": env.int("MATCHING_LONG_NICE", default=19),  # long texts run on otherwise idle CPU
    # long texts matched in a process of their own per server process (its own model: about 0.5 GB of memory)
    "long_process": env.bool("MATCHING_LONG_PROCESS", default=True),
}
CONTINUUM_CONCERN_MAX_CHARS = env.int("CONCERN_MAX_CHARS", default=3000)
# How long the recorded part of a check's page (the recommendation, its reasons and replay) stays in the
# "check_pages" cache once rendered (continuum.apps.checks.recorded); 0: render it on every showing.
CHECK_PAGE_CACHE_SECONDS = env.int("CHECK_PAGE_CACHE_SECONDS", default=600)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [WEB_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 3600

# Sessions hold the answers of a check in progress; they live in the database so that
# any worker can serve the next page.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "continuum.web.views.csrf_failure"

# Secure headers (the Content-Security-Policy and Permissions-Policy come from
# continuum.web.middleware). HTTPS settings are off by default because the service
# listens on loopback; production turns them on.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# Behind a TLS-terminating proxy (production): Django trusts X-Forwarded-Proto, and
# ``continuum serve`` (waitress) takes X-Forwarded-Proto/-For only from TRUSTED_PROXY.
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
TRUSTED_PROXY = env.str("TRUSTED_PROXY", default="127.0.0.1")
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "weasyprint": {"level": "ERROR"},
        "axes": {"level": "WARNING"},  # lockouts, not every start-up and sign-in
        "fontTools": {"level": "ERROR"},
        "bm25s": {"level": "WARNING"},
        "sentence_transformers": {"level": "WARNING"},
    },
}
