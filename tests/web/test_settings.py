"""Settings come from the environment, with safe defaults; production refuses to start without its values."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SHOW = (
    "import django; from django.conf import settings; django.setup(); "
    "print(settings.DATABASES['default']['ENGINE']); print(settings.DEBUG); print(settings.ALLOWED_HOSTS)"
)


def run(
    code: str, env: dict[str, str], module: str = "continuum.web.settings.base"
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        env=clean | {"DJANGO_SETTINGS_MODULE": module} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_defaults_are_sqlite_loopback_and_no_debug(tmp_path: Path):
    out = run(SHOW, {"CONTINUUM_DATA_DIR": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    engine, debug, hosts = out.stdout.splitlines()
    assert engine == "django.db.backends.sqlite3"
    assert debug == "False"
    assert "*" not in hosts and "127.0.0.1" in hosts


def test_without_a_secret_key_a_private_one_is_made_outside_the_repository(tmp_path: Path):
    out = run("import django; django.setup()", {"CONTINUUM_DATA_DIR": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    key = tmp_path / "secret_key"
    assert len(key.read_text()) >= 50
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_database_url_chooses_postgresql(tmp_path: Path):
    out = run(SHOW, {"CONTINUUM_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgres://u@127.0.0.1:5432/db"})
    assert out.stdout.splitlines()[0] == "django.db.backends.postgresql"


def test_production_refuses_to_start_without_its_settings(tmp_path: Path):
    out = run(
        "import django; django.setup()", {"CONTINUUM_DATA_DIR": str(tmp_path)}, "continuum.web.settings.production"
    )
    assert out.returncode != 0
    assert "SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL" in out.stderr
    assert not (tmp_path / "secret_key").exists()


def test_production_is_https_only(tmp_path: Path):
    env = {"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "continuum.example", "DATABASE_URL": "postgres://u@h/db"}
    code = "import django; from django.conf import settings; django.setup(); print(settings.SESSION_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS)"
    out = run(code, env, "continuum.web.settings.production")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True", "31536000"]


STRONG_KEY = "test-only-not-secret-" + "0123456789" * 4  # 60 characters, 26 distinct


def serve(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``continuum serve`` with production settings and ``env`` on top; it must stop before listening."""
    base = {
        "SECRET_KEY": STRONG_KEY,
        "ALLOWED_HOSTS": "continuum.example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CONTINUUM_DATA_DIR": str(tmp_path),
        "CONTINUUM_WORKER": "false",
    }
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-m", "continuum", "serve", "--port", "1"],  # never reached: start-up stops first
        env=clean | {"DJANGO_SETTINGS_MODULE": "continuum.web.settings.production"} | base | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "postgres://u@h:port/db"}, "DATABASE_URL is not a database address Continuum can use"),
        ({"DATABASE_URL": "not a url"}, "write sqlite:///absolute/path.sqlite3 or postgres://"),
        ({"DATABASE_URL": "mysqlx://secret-password@h/db"}, "it starts with 'mysqlx'"),
        ({"SECRET_KEY": "x"}, "SECRET_KEY is too weak for production"),
        ({"SECRET_KEY": "ab" * 40}, "SECRET_KEY is too weak for production"),  # long, 2 distinct characters
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS must name the service's host names in production, not '*'"),
        ({"ALLOWED_HOSTS": "continuum.example,*"}, "ALLOWED_HOSTS must name"),
    ],
)
def test_a_configuration_error_stops_start_up_with_a_clear_message(tmp_path: Path, env: dict[str, str], message: str):
    out = serve(env, tmp_path)
    assert out.returncode != 0
    assert message in out.stderr, out.stderr
    assert "the configuration is not usable" in out.stderr
    assert "Traceback" not in out.stderr
    assert "secret-password" not in out.stderr
    assert not (tmp_path / "db.sqlite3").exists()  # nothing was migrated


def test_a_malformed_database_url_is_refused_outside_production_too(tmp_path: Path):
    out = run(SHOW, {"CONTINUUM_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgres://u@h:port/db"})
    assert out.returncode != 0
    assert "DATABASE_URL is not a database address" in out.stderr


def test_no_secrets_in_the_settings_files():
    settings_dir = Path(__file__).resolve().parents[2] / "src" / "continuum" / "web" / "settings"
    for path in settings_dir.glob("*.py"):
        text = path.read_text()
        assert 'SECRET_KEY = "' not in text.replace("test-only-not-secret", ""), path
