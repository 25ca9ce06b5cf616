"""Behind the trusted proxy with several server processes (gunicorn, ``continuum serve --workers``):
the client's address and scheme come from the proxy's headers, and from nobody else's."""

from __future__ import annotations

from typing import Any

from continuum.web.serve import proxy_headers


def seen(environ: dict[str, Any], trusted: str | None) -> dict[str, Any]:
    """The environ the application receives."""
    received: dict[str, Any] = {}

    def application(env: dict[str, Any], start_response: Any) -> list[bytes]:
        received.update(env)
        return []

    proxy_headers(application, trusted)(dict(environ), lambda *args: None)
    return received


def test_the_trusted_proxy_gives_the_client_address_and_scheme():
    environ = seen(
        {
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_X_FORWARDED_FOR": "203.0.113.9, 198.51.100.4",
            "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_X_FORWARDED_HOST": "evil.example",
        },
        trusted="127.0.0.1",
    )
    assert environ["REMOTE_ADDR"] == "198.51.100.4"  # the address the proxy saw, not what the client claimed
    assert environ["HTTP_X_FORWARDED_PROTO"] == "https"  # for Django's SECURE_PROXY_SSL_HEADER
    assert "HTTP_X_FORWARDED_HOST" not in environ


def test_the_proxy_without_a_forwarded_address_leaves_its_own():
    environ = seen({"REMOTE_ADDR": "127.0.0.1"}, trusted="127.0.0.1")
    assert environ["REMOTE_ADDR"] == "127.0.0.1"


def test_anyone_else_cannot_pose_as_the_proxy():
    claimed = {
        "REMOTE_ADDR": "192.0.2.7",
        "HTTP_X_FORWARDED_FOR": "10.0.0.1",
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_FORWARDED": "for=10.0.0.1;proto=https",
    }
    for trusted in ("127.0.0.1", None):
        environ = seen(claimed, trusted=trusted)
        assert environ["REMOTE_ADDR"] == "192.0.2.7"
        assert not {"HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_FORWARDED"} & set(environ)


def test_with_no_proxy_even_loopback_is_not_believed():
    environ = seen(
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9", "HTTP_X_FORWARDED_PROTO": "https"},
        trusted=None,
    )
    assert environ["REMOTE_ADDR"] == "127.0.0.1"
    assert "HTTP_X_FORWARDED_PROTO" not in environ
