"""nginx in front of ``continuum serve`` on loopback, as shipped in ``deploy/nginx/continuum.conf``:
for the proxy tests and ``bench/load.py --proxy``, never for production (which installs the file
as ``docs/deployment.md`` says).

The shipped file is filled in (its ``@NAME@`` values) and nothing else of it changed; a
self-signed certificate is made with ``openssl`` for 127.0.0.1.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
from pathlib import Path

from continuum.paths import in_repository

SHIPPED_CONF = in_repository("deploy", "nginx", "continuum.conf")


def executable() -> str | None:
    """Debian's nginx (``scripts/system-deps`` installs it), or None."""
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None


def certificate(where: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, made in ``where``."""
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def shipped_site(tls_port: int, app_port: int, cert: Path, key: Path) -> str:
    """The shipped file with its ``@NAME@`` values filled in for loopback."""
    values = {
        "@LISTEN@": f"127.0.0.1:{tls_port} ssl",
        "@SERVER_NAME@": "127.0.0.1",
        "@CERTIFICATE@": str(cert),
        "@CERTIFICATE_KEY@": str(key),
        "@UPSTREAM@": f"127.0.0.1:{app_port}",
        "@ERROR_PAGES@": str(SHIPPED_CONF.parent / "pages"),
    }
    site = SHIPPED_CONF.read_text(encoding="utf-8")
    for name, value in values.items():
        if name not in site:
            raise ValueError(f"{SHIPPED_CONF} no longer has {name}")
        site = site.replace(name, value)
    if "@" in re.sub(r"#.*", "", site):
        raise ValueError(f"a value of {SHIPPED_CONF} was left unfilled")
    return site


def main_conf(where: Path, site: str, *, http_extra: str = "", connections: int = 64) -> Path:
    """nginx's main file for a run in ``where`` (its pid, logs and temporary files there), in the
    foreground, its http block holding ``http_extra`` and then ``site``."""
    (where / "continuum.conf").write_text(site, encoding="utf-8")
    conf = where / "nginx.conf"
    conf.write_text(
        textwrap.dedent(f"""
        daemon off;
        master_process off;
        pid {where}/nginx.pid;
        error_log {where}/nginx-error.log warn;
        events {{ worker_connections {connections}; }}
        http {{
            access_log off;
            client_body_temp_path {where}/body;
            proxy_temp_path {where}/proxy;
            fastcgi_temp_path {where}/fastcgi;
            uwsgi_temp_path {where}/uwsgi;
            scgi_temp_path {where}/scgi;
            {http_extra}
            include {where}/continuum.conf;
        }}
        """)
    )
    return conf


def start(conf: Path, where: Path) -> subprocess.Popen[bytes]:
    """nginx on ``conf`` (stop it with SIGQUIT, which lets requests in flight finish)."""
    found = executable()
    if found is None:
        raise FileNotFoundError("Debian's nginx is not installed (scripts/system-deps installs it)")
    return subprocess.Popen(
        [found, "-c", str(conf), "-p", str(where)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
