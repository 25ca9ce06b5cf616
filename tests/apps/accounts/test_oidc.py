"""Single sign-on, end to end, against a real OpenID provider (django-oauth-toolkit) in its own process.

The provider (``oidc_provider/``) runs with its own settings and SQLite file, signs ID
tokens with an RSA key made here, and knows Continuum's live test server as a confidential
client. Continuum is configured for it through the same settings the environment gives
(``continuum.web.settings.base``); a subprocess test checks that wiring itself. The flows
are real HTTP: headless Chromium, or a ``requests`` session that fills the provider's forms.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import types
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.sessions.models import Session

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.accounts.models import Membership, SingleSignOnIdentity, User
from continuum.apps.accounts.oidc import SignInRefused, SingleSignOnBackend, account_for
from continuum.apps.audit import queries
from continuum.web.serve import free_port
from tests.web.conftest import assert_accessible

REPO = Path(__file__).resolve().parents[3]
CLIENT_ID = "continuum-test-client"
CLIENT_SECRET = "continuum-test-client-secret-not-secret"
PROVIDER_PASSWORD = "provider password for tests"
SSO_NAME = "Test Identity Provider"
PEOPLE = {
    "sam": {"email": "sam@example.org"},  # has a Continuum account, linked by subject
    "kim": {"email": "kim@example.org"},  # has a Continuum account with this email, not linked
    "nia": {"email": "nia@example.org"},  # no Continuum account
    "cat": {"email": "cat@example.org", "claims": {"continuum_partnership": "tiny", "continuum_role": "practitioner"}},
    "fay": {"email": "fay@example.org", "claims": {"continuum_partnership": "tiny", "continuum_role": "auditor"}},
}


def _private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return pem.decode("ascii")


@dataclass(frozen=True)
class Provider:
    base: str
    discovery: dict[str, Any]
    subjects: dict[str, str]  # provider username -> `sub`
    private_key: str  # the provider's signing key (PEM), to make tokens it would sign

    @property
    def issuer(self) -> str:
        return str(self.discovery["issuer"])


def _wait_for(url: str, server: subprocess.Popen[bytes], log: Path, seconds: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return dict(json.load(response))
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(f"the OpenID provider stopped: {log.read_text(errors='replace')}") from None
            time.sleep(0.3)
    raise RuntimeError(f"the OpenID provider did not answer within {seconds:g} seconds")


@pytest.fixture(scope="session")
def provider(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    """django-oauth-toolkit's OpenID provider on a free port, Continuum's live server its registered client."""
    directory = tmp_path_factory.mktemp("oidc-provider")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    config = {
        "port": port,
        "users": [{"username": name, "password": PROVIDER_PASSWORD, "email": p["email"]} for name, p in PEOPLE.items()],
        "client": {"id": CLIENT_ID, "secret": CLIENT_SECRET, "redirect_uri": f"{live_server.url}/oidc/callback/"},
        "subjects_file": str(directory / "subjects.json"),
    }
    (directory / "config.json").write_text(json.dumps(config), encoding="utf-8")
    private_key = _private_key_pem()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.apps.accounts.oidc_provider.settings",
        "OP_DATABASE": str(directory / "provider.sqlite3"),
        "OP_RSA_PRIVATE_KEY": private_key,
        "OP_ISSUER": f"{base}/o",
        "OP_CLAIMS": json.dumps({name: p.get("claims", {}) for name, p in PEOPLE.items()}),
    }
    env.pop("DATABASE_URL", None)
    log = directory / "provider.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "tests.apps.accounts.oidc_provider.serve", str(directory / "config.json")],
            cwd=REPO,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        discovery = _wait_for(f"{base}/o/.well-known/openid-configuration", server, log)
        subjects = json.loads((directory / "subjects.json").read_text(encoding="utf-8"))
        yield Provider(base, discovery, subjects, private_key)
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context; the Content-Security-Policy is bypassed only so that axe can be injected."""
    context = browser.new_context(bypass_csp=True)
    yield context.new_page()
    context.close()


URLCONF = "tests.apps.accounts._sso_urls"


@pytest.fixture
def sso(settings: Any, provider: Provider) -> Iterator[Provider]:
    """Continuum configured for the provider, as the settings block does when the environment names it."""
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = provider.discovery["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = provider.discovery["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = provider.discovery["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = provider.discovery["jwks_uri"]
    settings.OIDC_OP_ISSUER = provider.issuer
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_RP_SCOPES = "openid email profile"
    settings.OIDC_USE_PKCE = True
    settings.OIDC_TIMEOUT = 10
    settings.OIDC_CALLBACK_CLASS = "continuum.apps.accounts.oidc.CallbackView"
    settings.CONTINUUM_SSO_NAME = SSO_NAME
    settings.CONTINUUM_SSO_MATCH_EMAIL = False
    settings.CONTINUUM_SSO_CREATE_USERS = False
    settings.CONTINUUM_SSO_PARTNERSHIPS = []
    settings.CONTINUUM_SSO_PARTNERSHIP_CLAIM = "continuum_partnership"
    settings.CONTINUUM_SSO_ROLE_CLAIM = "continuum_role"
    settings.CONTINUUM_SSO_CREATE_ROLES = ["practitioner"]
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "continuum.apps.accounts.oidc.SingleSignOnBackend",
    ]
    # The project's URLs plus /oidc/, built now that single sign-on is configured (urls.py does
    # this at import time, which in this process happened without it).
    import continuum.web.urls as project_urls
    from continuum.apps.accounts.oidc import sso_urlpatterns

    module = types.ModuleType(URLCONF)
    module.urlpatterns = [*project_urls.urlpatterns, *sso_urlpatterns()]  # type: ignore[attr-defined]
    for code in (400, 404, 500):
        setattr(module, f"handler{code}", getattr(project_urls, f"handler{code}"))
    sys.modules[URLCONF] = module
    settings.ROOT_URLCONF = URLCONF
    yield provider
    settings.ROOT_URLCONF = "continuum.web.urls"
    del sys.modules[URLCONF]


def continuum_user(username: str, email: str, *roles: tuple[str, Role]) -> User:
    user = User.objects.create_user(username, email=email, password=None)
    for partnership, role in roles:
        Membership.objects.create(user=user, partnership=partnership, role=role)
    return user


def signed_in_user_id(session_key: str | None) -> str | None:
    if not session_key:
        return None
    session = Session.objects.filter(session_key=session_key).first()
    return session.get_decoded().get("_auth_user_id") if session else None


class _Forms(HTMLParser):
    """The inputs of the page's first form (hidden ones with their values)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._forms = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self._forms += 1
        elif tag == "input" and self._forms == 1 and values.get("name") and values.get("type") == "hidden":
            self.fields[str(values["name"])] = values.get("value") or ""


def hidden_fields(html: str) -> dict[str, str]:
    parser = _Forms()
    parser.feed(html)
    return parser.fields


def sign_in_over_http(live_url: str, provider: Provider, username: str) -> tuple[requests.Session, requests.Response]:
    """Continuum → the provider's login form → its consent form → back to Continuum, with plain HTTP."""
    http = requests.Session()
    login = http.get(f"{live_url}/oidc/authenticate/?next=/", timeout=30)
    assert login.url.startswith(f"{provider.base}/accounts/login/"), login.url
    consent = http.post(
        login.url,
        data={**hidden_fields(login.text), "username": username, "password": PROVIDER_PASSWORD},
        timeout=30,
    )
    assert consent.url.startswith(f"{provider.base}/o/authorize/"), consent.url
    assert "Authorize Continuum?" in consent.text
    back = http.post(consent.url, data={**hidden_fields(consent.text), "allow": "Authorize"}, timeout=30)
    return http, back


# ---------------------------------------------------------------- end to end, in Chromium


@pytest.mark.slow
@pytest.mark.browser
def test_a_linked_person_signs_in_through_the_provider(sso: Provider, live_server: Any, page: Any) -> None:
    sam = continuum_user("sam.smith", "sam.smith@partnership.example", ("tiny", Role.PRACTITIONER))
    SingleSignOnIdentity.objects.create(user=sam, issuer=sso.issuer, subject=sso.subjects["sam"])

    page.goto(f"{live_server.url}/accounts/sign-in")
    assert_accessible(page)  # with the single sign-on button
    page.get_by_role("button", name=f"Sign in with {SSO_NAME}").click()
    page.wait_for_load_state()
    assert page.url.startswith(f"{sso.base}/accounts/login/")
    page.get_by_label("Provider username").fill("sam")
    page.get_by_label("Provider password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Log in to the provider").click()
    page.wait_for_load_state()
    assert page.url.startswith(f"{sso.base}/o/authorize/")  # the provider's consent page
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_load_state()

    assert page.url == f"{live_server.url}/"
    assert "Signed in as sam.smith" in page.locator("#signed-in-as").inner_text()
    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    assert signed_in_user_id(cookie["value"]) == str(sam.pk)
    session = Session.objects.get(session_key=cookie["value"]).get_decoded()
    assert session["_auth_user_backend"] == "continuum.apps.accounts.oidc.SingleSignOnBackend"
    assert SingleSignOnIdentity.objects.count() == 1  # nothing new was linked


@pytest.mark.slow
@pytest.mark.browser
def test_a_provider_user_without_an_account_is_refused_with_a_clear_page(
    sso: Provider, live_server: Any, page: Any
) -> None:
    continuum_user("someone", "nia@example.org", ("tiny", Role.PRACTITIONER))  # same email: not matched (off)

    page.goto(f"{live_server.url}/oidc/authenticate/?next=/")
    page.get_by_label("Provider username").fill("nia")
    page.get_by_label("Provider password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Log in to the provider").click()
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_load_state()

    assert page.url.startswith(f"{live_server.url}/oidc/callback/")
    assert page.locator("h1").inner_text() == "There is no Continuum account for you"
    body = page.locator("main").inner_text()
    assert f"You signed in with {SSO_NAME}, but no Continuum account is linked to it" in body
    assert "Traceback" not in page.content()
    assert_accessible(page)
    cookie = next((c for c in page.context.cookies() if c["name"] == "sessionid"), None)
    assert signed_in_user_id(cookie["value"] if cookie else None) is None
    assert not SingleSignOnIdentity.objects.exists()


# ---------------------------------------------------------------- end to end, over HTTP


@pytest.mark.slow
def test_the_refusal_page_is_a_403_and_nobody_is_signed_in(sso: Provider, live_server: Any) -> None:
    http, response = sign_in_over_http(live_server.url, sso, "nia")
    assert response.status_code == 403
    assert "There is no Continuum account for you" in response.text
    assert signed_in_user_id(http.cookies.get("sessionid")) is None


@pytest.mark.slow
def test_a_verified_email_links_the_account_when_matching_by_email_is_on(
    sso: Provider, live_server: Any, settings: Any
) -> None:
    settings.CONTINUUM_SSO_MATCH_EMAIL = True
    kim = continuum_user("kim.jones", "KIM@example.org", ("tiny", Role.PRACTITIONER))

    http, response = sign_in_over_http(live_server.url, sso, "kim")

    assert response.status_code == 200, response.text
    assert signed_in_user_id(http.cookies.get("sessionid")) == str(kim.pk)
    identity = SingleSignOnIdentity.objects.get(user=kim)
    assert (identity.issuer, identity.subject) == (sso.issuer, sso.subjects["kim"])
    [event] = [e for e in queries.for_target(kim) if e.verb == "accounts.sso_linked"]
    assert event.payload["matched_by"] == "email"
    assert event.actor == "system:single-sign-on"


@pytest.mark.slow
def test_the_same_email_is_not_enough_when_matching_by_email_is_off(sso: Provider, live_server: Any) -> None:
    continuum_user("kim.jones", "kim@example.org", ("tiny", Role.PRACTITIONER))
    http, response = sign_in_over_http(live_server.url, sso, "kim")
    assert response.status_code == 403
    assert signed_in_user_id(http.cookies.get("sessionid")) is None
    assert not SingleSignOnIdentity.objects.exists()


@pytest.mark.slow
def test_an_account_is_made_from_the_claims_only_when_allowed(sso: Provider, live_server: Any, settings: Any) -> None:
    settings.CONTINUUM_SSO_CREATE_USERS = True
    settings.CONTINUUM_SSO_PARTNERSHIPS = ["tiny"]

    http, response = sign_in_over_http(live_server.url, sso, "cat")
    assert response.status_code == 200, response.text
    cat = User.objects.get(sso_identities__issuer=sso.issuer, sso_identities__subject=sso.subjects["cat"])
    assert signed_in_user_id(http.cookies.get("sessionid")) == str(cat.pk)
    assert [(m.partnership, m.role) for m in cat.memberships.all()] == [("tiny", "practitioner")]
    assert not cat.has_usable_password()
    verbs = {e.verb for e in queries.for_target(cat)}
    assert {"accounts.sso_user_created", "accounts.sso_linked"} <= verbs

    # fay's claims ask for the auditor role: not one a provider may give
    http, response = sign_in_over_http(live_server.url, sso, "fay")
    assert response.status_code == 403
    assert not User.objects.filter(email="fay@example.org").exists()


@pytest.mark.slow
def test_single_sign_on_is_the_first_step_only_a_front_door_worker_still_sets_up_a_code(
    sso: Provider, live_server: Any
) -> None:
    sam = continuum_user("sam.smith", "sam@example.org", ("tiny", Role.FRONT_DOOR_WORKER))
    SingleSignOnIdentity.objects.create(user=sam, issuer=sso.issuer, subject=sso.subjects["sam"])
    http, response = sign_in_over_http(live_server.url, sso, "sam")
    assert response.url.startswith(f"{live_server.url}/accounts/two-factor/set-up?next=")
    assert signed_in_user_id(http.cookies.get("sessionid")) == str(sam.pk)
    assert http.get(f"{live_server.url}/", timeout=30).url.startswith(f"{live_server.url}/accounts/two-factor")


@pytest.mark.slow
def test_cancelling_at_the_provider_says_so(sso: Provider, live_server: Any) -> None:
    http = requests.Session()
    login = http.get(f"{live_server.url}/oidc/authenticate/?next=/", timeout=30)
    fields = {**hidden_fields(login.text), "username": "sam", "password": PROVIDER_PASSWORD}
    consent = http.post(login.url, data=fields, timeout=30)
    back = http.post(consent.url, data=hidden_fields(consent.text), timeout=30)  # "Cancel": no `allow`
    assert back.url.startswith(f"{live_server.url}/oidc/callback/?error=access_denied")
    assert back.status_code == 400
    assert "You have not been signed in" in back.text


@pytest.mark.slow
def test_a_callback_this_session_did_not_start_is_refused(sso: Provider, live_server: Any) -> None:
    response = requests.get(f"{live_server.url}/oidc/callback/?code=abc&state=not-ours", timeout=30)
    assert response.status_code == 400
    assert "Your sign-in timed out" in response.text


@pytest.mark.slow
def test_a_provider_that_does_not_answer_is_said_to_be_unavailable(
    sso: Provider, live_server: Any, settings: Any
) -> None:
    sam = continuum_user("sam.smith", "sam@example.org", ("tiny", Role.PRACTITIONER))
    SingleSignOnIdentity.objects.create(user=sam, issuer=sso.issuer, subject=sso.subjects["sam"])
    settings.OIDC_OP_TOKEN_ENDPOINT = f"http://127.0.0.1:{free_port()}/o/token/"  # nothing listens there
    http, response = sign_in_over_http(live_server.url, sso, "sam")
    assert response.status_code == 503
    assert f"Signing in with {SSO_NAME} is not available at the moment" in response.text
    assert signed_in_user_id(http.cookies.get("sessionid")) is None


# ---------------------------------------------------------------- tampered tokens


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _parts(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return (
        json.loads(base64.urlsafe_b64decode(pad(header))),
        json.loads(base64.urlsafe_b64decode(pad(payload))),
        signature,
    )


def _claims_changed(token: str, subject: str) -> str:
    """The provider's token with its payload changed (another subject, a year longer), its signature kept."""
    header, payload, signature = _parts(token)
    payload["sub"], payload["exp"] = subject, payload["exp"] + 365 * 24 * 3600
    return ".".join([_b64(json.dumps(header).encode()), _b64(json.dumps(payload).encode()), signature])


def _unsigned(token: str, subject: str) -> str:
    _, payload, _ = _parts(token)
    payload["sub"] = subject
    return ".".join([_b64(b'{"alg":"none","typ":"JWT"}'), _b64(json.dumps(payload).encode()), ""])


def _signed_by_another_key(token: str, subject: str) -> str:
    header, payload, _ = _parts(token)
    payload["sub"] = subject
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": header["kid"]})


def _signed_with_the_client_secret(token: str, subject: str) -> str:
    header, payload, _ = _parts(token)
    payload["sub"] = subject
    return jwt.encode(payload, CLIENT_SECRET, algorithm="HS256", headers={"kid": header["kid"]})


def _resigned(provider: Provider, token: str, **changes: Any) -> str:
    """The token re-signed with the provider's own key, with ``changes`` to its payload."""
    header, payload, _ = _parts(token)
    key = serialization.load_pem_private_key(provider.private_key.encode("ascii"), password=None)
    return jwt.encode({**payload, **changes}, key, algorithm="RS256", headers={"kid": header["kid"]})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "changes",
    [{"aud": "another-client"}, {"iss": "http://127.0.0.1:1/o"}, {"exp": 1_000_000_000}],
    ids=["audience", "issuer", "expired"],
)
@pytest.mark.slow
def test_a_properly_signed_token_for_another_client_issuer_or_time_is_refused(
    sso: Provider, live_server: Any, monkeypatch: pytest.MonkeyPatch, changes: dict[str, Any]
) -> None:
    sam = continuum_user("sam.smith", "sam@example.org", ("tiny", Role.PRACTITIONER))
    SingleSignOnIdentity.objects.create(user=sam, issuer=sso.issuer, subject=sso.subjects["sam"])
    real_get_token = SingleSignOnBackend.get_token

    def get_token(self: SingleSignOnBackend, payload: dict[str, Any]) -> dict[str, Any]:
        answer = dict(real_get_token(self, payload))
        answer["id_token"] = _resigned(sso, answer["id_token"], **changes)
        return answer

    monkeypatch.setattr(SingleSignOnBackend, "get_token", get_token)
    http, response = sign_in_over_http(live_server.url, sso, "sam")
    assert response.status_code == 400
    assert "We could not confirm who you are" in response.text
    assert signed_in_user_id(http.cookies.get("sessionid")) is None


@pytest.mark.slow
def test_a_token_re_signed_with_the_providers_key_and_nothing_changed_is_accepted(
    sso: Provider, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control of the test above: re-signing itself is not what refuses."""
    sam = continuum_user("sam.smith", "sam@example.org", ("tiny", Role.PRACTITIONER))
    SingleSignOnIdentity.objects.create(user=sam, issuer=sso.issuer, subject=sso.subjects["sam"])
    real_get_token = SingleSignOnBackend.get_token

    def get_token(self: SingleSignOnBackend, payload: dict[str, Any]) -> dict[str, Any]:
        answer = dict(real_get_token(self, payload))
        answer["id_token"] = _resigned(sso, answer["id_token"])
        return answer

    monkeypatch.setattr(SingleSignOnBackend, "get_token", get_token)
    http, response = sign_in_over_http(live_server.url, sso, "sam")
    assert response.status_code == 200
    assert signed_in_user_id(http.cookies.get("sessionid")) == str(sam.pk)


@pytest.mark.parametrize("tamper", [_claims_changed, _unsigned, _signed_by_another_key, _signed_with_the_client_secret])
@pytest.mark.parametrize(
    "who",
    [
        "sam",  # sam's own token, altered: only the signature check can refuse it
        "nia",  # nia's token, altered to claim sam's subject (the userinfo check would refuse it too)
    ],
)
@pytest.mark.slow
def test_a_tampered_or_unsigned_id_token_is_refused(
    sso: Provider, live_server: Any, monkeypatch: pytest.MonkeyPatch, tamper: Callable[[str, str], str], who: str
) -> None:
    """A real token from the provider, altered between its token endpoint and Continuum's check."""
    sam = continuum_user("sam.smith", "sam@example.org", ("tiny", Role.PRACTITIONER))
    SingleSignOnIdentity.objects.create(user=sam, issuer=sso.issuer, subject=sso.subjects["sam"])
    real_get_token = SingleSignOnBackend.get_token
    tampered: list[str] = []

    def get_token(self: SingleSignOnBackend, payload: dict[str, Any]) -> dict[str, Any]:
        answer = real_get_token(self, payload)
        answer["id_token"] = tamper(answer["id_token"], sso.subjects["sam"])
        tampered.append(answer["id_token"])
        return dict(answer)

    monkeypatch.setattr(SingleSignOnBackend, "get_token", get_token)
    http, response = sign_in_over_http(live_server.url, sso, who)

    assert tampered, "the token exchange did not happen"
    assert response.status_code == 400
    assert "We could not confirm who you are" in response.text
    assert "Traceback" not in response.text
    assert signed_in_user_id(http.cookies.get("sessionid")) is None


@pytest.mark.slow
def test_the_untampered_token_of_the_same_flow_signs_sam_in(sso: Provider, live_server: Any) -> None:
    """The control for the test above: the same flow, the provider's own token, is accepted."""
    sam = continuum_user("sam.smith", "sam@example.org", ("tiny", Role.PRACTITIONER))
    SingleSignOnIdentity.objects.create(user=sam, issuer=sso.issuer, subject=sso.subjects["sam"])
    http, response = sign_in_over_http(live_server.url, sso, "sam")
    assert response.status_code == 200
    assert signed_in_user_id(http.cookies.get("sessionid")) == str(sam.pk)


# ---------------------------------------------------------------- the account rule, without a provider


ISSUER = "https://idp.example.org"


@pytest.fixture
def rule_settings(settings: Any) -> Any:
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.CONTINUUM_SSO_MATCH_EMAIL = False
    settings.CONTINUUM_SSO_CREATE_USERS = False
    settings.CONTINUUM_SSO_PARTNERSHIPS = ["tiny"]
    settings.CONTINUUM_SSO_PARTNERSHIP_CLAIM = "continuum_partnership"
    settings.CONTINUUM_SSO_ROLE_CLAIM = "continuum_role"
    settings.CONTINUUM_SSO_CREATE_ROLES = ["practitioner"]
    return settings


def _claims(subject: str, **more: Any) -> dict[str, Any]:
    return {"iss": ISSUER, "sub": subject, **more}


@pytest.mark.django_db
def test_the_link_wins_over_the_email(rule_settings: Any) -> None:
    rule_settings.CONTINUUM_SSO_MATCH_EMAIL = True
    linked = continuum_user("linked", "old@example.org")
    continuum_user("other", "new@example.org")
    SingleSignOnIdentity.objects.create(user=linked, issuer=ISSUER, subject="s-1")
    assert account_for(Actor.for_system("test"), _claims("s-1", email="new@example.org", email_verified=True)) == linked


@pytest.mark.django_db
def test_the_same_subject_at_another_issuer_is_someone_else(rule_settings: Any) -> None:
    linked = continuum_user("linked", "a@example.org")
    SingleSignOnIdentity.objects.create(user=linked, issuer=ISSUER, subject="s-1")
    with pytest.raises(SignInRefused) as refused:
        account_for(Actor.for_system("test"), {"iss": "https://other.example.org", "sub": "s-1"})
    assert refused.value.reason == "no-account"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("verified", "accounts", "reason"),
    [(False, 1, "no-account"), ("false", 1, "no-account"), (True, 2, "several-accounts")],
)
def test_email_matching_needs_a_verified_email_and_one_account(
    rule_settings: Any, verified: Any, accounts: int, reason: str
) -> None:
    rule_settings.CONTINUUM_SSO_MATCH_EMAIL = True
    for n in range(accounts):
        continuum_user(f"person{n}", "shared@example.org")
    with pytest.raises(SignInRefused) as refused:
        account_for(Actor.for_system("test"), _claims("s-2", email="shared@example.org", email_verified=verified))
    assert refused.value.reason == reason
    assert not SingleSignOnIdentity.objects.exists()


@pytest.mark.django_db
def test_an_account_already_linked_at_the_provider_is_not_taken_by_email(rule_settings: Any) -> None:
    rule_settings.CONTINUUM_SSO_MATCH_EMAIL = True
    owner = continuum_user("owner", "owner@example.org")
    SingleSignOnIdentity.objects.create(user=owner, issuer=ISSUER, subject="s-owner")
    with pytest.raises(SignInRefused):
        account_for(Actor.for_system("test"), _claims("s-intruder", email="owner@example.org", email_verified=True))


@pytest.mark.django_db
def test_a_deactivated_account_is_refused(rule_settings: Any) -> None:
    gone = continuum_user("gone", "gone@example.org")
    gone.is_active = False
    gone.save()
    SingleSignOnIdentity.objects.create(user=gone, issuer=ISSUER, subject="s-3")
    with pytest.raises(SignInRefused) as refused:
        account_for(Actor.for_system("test"), _claims("s-3"))
    assert refused.value.reason == "inactive"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("create", "partnership", "role", "made"),
    [
        (True, "tiny", "practitioner", True),
        (False, "tiny", "practitioner", False),  # the setting is off
        (True, "north", "practitioner", False),  # a partnership this provider does not speak for
        (True, "tiny", "partnership-admin", False),  # a role a provider may not give
        (True, "tiny", "no-such-role", False),
        (True, None, None, False),  # the claims say nothing
    ],
)
def test_accounts_are_made_from_claims_only_when_everything_allows_it(
    rule_settings: Any, create: bool, partnership: str | None, role: str | None, made: bool
) -> None:
    rule_settings.CONTINUUM_SSO_CREATE_USERS = create
    claims = _claims("s-4", email="new@example.org", continuum_partnership=partnership, continuum_role=role)
    if made:
        user = account_for(Actor.for_system("test"), claims)
        assert [(m.partnership, m.role) for m in user.memberships.all()] == [(partnership, role)]
        assert user.username == "new@example.org"
    else:
        with pytest.raises(SignInRefused):
            account_for(Actor.for_system("test"), claims)
        assert not User.objects.exists()
        assert not Membership.objects.exists()


@pytest.mark.django_db
def test_no_second_account_is_made_for_an_email_that_has_one(rule_settings: Any) -> None:
    rule_settings.CONTINUUM_SSO_CREATE_USERS = True
    continuum_user("existing", "New@example.org")
    claims = _claims("s-5", email="new@example.org", continuum_partnership="tiny", continuum_role="practitioner")
    with pytest.raises(SignInRefused):
        account_for(Actor.for_system("test"), claims)
    assert User.objects.count() == 1
    assert not SingleSignOnIdentity.objects.exists()


# ---------------------------------------------------------------- configured from the environment


def _settings_in_subprocess(extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = (
        "import json, django\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        "from django.urls import NoReverseMatch, reverse\n"
        "try:\n    callback = reverse('oidc_authentication_callback')\n"
        "except NoReverseMatch:\n    callback = None\n"
        "print(json.dumps({'backends': settings.AUTHENTICATION_BACKENDS, 'callback': callback,\n"
        "  'algo': getattr(settings, 'OIDC_RP_SIGN_ALGO', None), 'name': getattr(settings, 'CONTINUUM_SSO_NAME', None)}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OIDC_", "CONTINUUM_SSO_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "continuum.web.settings.test", "CONTINUUM_ENV_FILE": "/nonexistent"}
    return subprocess.run(
        [sys.executable, "-c", code], env=env | extra_env, cwd=REPO, capture_output=True, text=True, timeout=120
    )


ENDPOINTS = {
    "OIDC_RP_CLIENT_ID": "client",
    "OIDC_RP_CLIENT_SECRET": "secret",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.example.org/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://idp.example.org/token",
    "OIDC_OP_USER_ENDPOINT": "https://idp.example.org/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://idp.example.org/jwks",
}


@pytest.mark.slow
def test_the_environment_switches_single_sign_on_on_and_off() -> None:
    off = _settings_in_subprocess({})
    assert off.returncode == 0, off.stderr
    result = json.loads(off.stdout.strip().splitlines()[-1])
    assert "continuum.apps.accounts.oidc.SingleSignOnBackend" not in result["backends"]
    assert result["callback"] is None

    on = _settings_in_subprocess(ENDPOINTS | {"CONTINUUM_SSO_NAME": "Council account"})
    assert on.returncode == 0, on.stderr
    result = json.loads(on.stdout.strip().splitlines()[-1])
    assert result["backends"][-1] == "continuum.apps.accounts.oidc.SingleSignOnBackend"
    assert result["callback"] == "/oidc/callback/"
    assert (result["algo"], result["name"]) == ("RS256", "Council account")

    missing = _settings_in_subprocess({"OIDC_RP_CLIENT_ID": "client"})  # the rest is required
    assert missing.returncode != 0
    assert "OIDC_RP_CLIENT_SECRET" in missing.stderr
