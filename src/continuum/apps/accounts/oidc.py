"""Single sign-on through OpenID Connect, for partnerships that have an identity provider.

mozilla-django-oidc runs the authorization code flow (with PKCE) and verifies the ID token's
RS256 signature against the provider's published keys (JWKS). This module adds what
Continuum needs around it: the audience and issuer checks the client leaves out, which
Continuum account the provider's person is, and a GOV.UK page that says why a sign-in was
refused instead of a bare redirect. It is switched on by ``OIDC_RP_CLIENT_ID`` in the
environment (the block in ``continuum.web.settings.base``; docs/single-sign-on.md).

Who the provider's person is in Continuum, in this order:

1. The link ``(issuer, subject)`` (:class:`SingleSignOnIdentity`) names the account.
2. Else, only when ``CONTINUUM_SSO_MATCH_EMAIL`` is on and the provider says the email is
   verified (``email_verified`` true): the one account with that email, which has no link
   to this provider yet. The link is made (audited) and used from then on, so a later change
   of email at either end does not move the sign-in to someone else. Two accounts with the
   email: refused.
3. Else, only when ``CONTINUUM_SSO_CREATE_USERS`` is on: a new account, if the claims name
   a partnership this provider speaks for (``CONTINUUM_SSO_PARTNERSHIPS``) and a role that
   may be given this way (``CONTINUUM_SSO_CREATE_ROLES``, practitioner only unless widened).
   The account gets that one membership and the link, all audited. Not when an account already
   has the claimed email (an admin links it instead: one person, one account). Nothing else
   ever makes a membership from a provider's word.
4. Else refused: nothing is made or linked, and the person is told to ask their partnership
   admin.

A provider's sign-in is the first step only: Continuum's own rules still apply afterwards
(a second factor for every role but practitioner, choosing a role when there are several).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, include, path, reverse
from django.urls.exceptions import NoReverseMatch
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

from continuum.apps.accounts import services
from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.accounts.models import SingleSignOnIdentity, User
from continuum.apps.audit.registry import register
from continuum.apps.audit.services import record

log = logging.getLogger(__name__)

# Audit verbs of single sign-on (registered here, beside their only writer).
SSO_LINKED = register("accounts.sso_linked", "A person's account was linked to their identity at an OpenID provider.")
SSO_USER_CREATED = register(
    "accounts.sso_user_created",
    "A person's account was made at their first single sign-on, from the provider's claims (no password).",
)

SYSTEM = "single-sign-on"


@dataclass(frozen=True)
class Refusal:
    title: str
    body: str
    status: int = 403


REFUSALS: dict[str, Refusal] = {
    "no-account": Refusal(
        "There is no Continuum account for you",
        "You signed in with {name}, but no Continuum account is linked to it. Ask your partnership admin to set up "
        "your account, then sign in again.",
    ),
    "several-accounts": Refusal(
        "We could not tell which account is yours",
        "More than one Continuum account has the email address {name} gave us. Ask your partnership admin to "
        "link your account.",
    ),
    "inactive": Refusal(
        "Your account has been deactivated",
        "Your Continuum account can no longer be used to sign in. Ask your partnership admin.",
    ),
    "not-verified": Refusal(
        "We could not confirm who you are",
        "The answer from {name} could not be verified, so you have not been signed in. Try again. If this keeps "
        "happening, tell your partnership admin.",
        400,
    ),
    "cancelled": Refusal(
        "You have not been signed in",
        "Signing in with {name} was cancelled or did not finish. Try again.",
        400,
    ),
    "expired": Refusal(
        "Your sign-in timed out",
        "Signing in took too long, or was started in another window. Start again.",
        400,
    ),
    "unavailable": Refusal(
        "Signing in with {name} is not available at the moment",
        "Try again later, or sign in with your Continuum username and password if you have them.",
        503,
    ),
}


class SignInRefused(Exception):
    """The provider's person may not sign in; ``reason`` is a key of :data:`REFUSALS`."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def sso_enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def sso_name() -> str:
    return str(getattr(settings, "CONTINUUM_SSO_NAME", "") or "your organisation's account")


def sso_urlpatterns() -> list[URLPattern | URLResolver]:
    """``/oidc/authenticate/``, ``/oidc/callback/`` and ``/oidc/logout/``, when single sign-on is configured."""
    return [path("oidc/", include("mozilla_django_oidc.urls"))] if sso_enabled() else []


def sso(request: HttpRequest) -> dict[str, Any]:
    """Context processor: ``sso_enabled``, ``sso_name`` and ``sso_url`` for the sign-in page's button."""
    if not sso_enabled():
        return {"sso_enabled": False}
    try:
        url = reverse("oidc_authentication_init")
    except NoReverseMatch:  # configured, but the URLs were loaded without it
        return {"sso_enabled": False}
    return {"sso_enabled": True, "sso_name": sso_name(), "sso_url": url}


def _actor(request: HttpRequest | None) -> Actor:
    request_id = getattr(getattr(request, "actor", None), "request_id", None)
    return Actor(system=SYSTEM, request_id=request_id) if request_id else Actor(system=SYSTEM)


def _true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


@transaction.atomic
def link_identity(actor: Actor, user: User, *, issuer: str, subject: str, matched_by: str) -> SingleSignOnIdentity:
    """From now on, ``subject`` at ``issuer`` signs in as ``user``."""
    identity = SingleSignOnIdentity.objects.create(user=user, issuer=issuer, subject=subject)
    record(
        SSO_LINKED,
        target=user,
        actor=actor,
        payload={"user": user.get_username(), "issuer": issuer, "subject": subject, "matched_by": matched_by},
    )
    return identity


def _new_username(claims: dict[str, Any], issuer: str, subject: str) -> str:
    for candidate in (claims.get("email"), claims.get("preferred_username")):
        if isinstance(candidate, str) and candidate and not User.objects.filter(username=candidate).exists():
            return candidate[:150]
    return "sso-" + hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:16]


@transaction.atomic
def create_from_claims(
    actor: Actor, claims: dict[str, Any], *, issuer: str, subject: str, partnership: str, role: Role
) -> User:
    """A new account (no password) with one membership, linked to the provider: rule 3 of the module."""
    user = User(
        username=_new_username(claims, issuer, subject),
        email=str(claims.get("email") or ""),
        first_name=str(claims.get("given_name") or "")[:150],
        last_name=str(claims.get("family_name") or "")[:150],
    )
    user.set_unusable_password()
    user.save()
    record(
        SSO_USER_CREATED,
        target=user,
        actor=actor,
        payload={"user": user.get_username(), "issuer": issuer, "partnership": partnership, "role": role.value},
    )
    services.add_membership(actor, user, partnership, role)
    link_identity(actor, user, issuer=issuer, subject=subject, matched_by="created")
    return user


def _by_email(actor: Actor, claims: dict[str, Any], issuer: str, subject: str) -> User | None:
    email = claims.get("email")
    if not (getattr(settings, "CONTINUUM_SSO_MATCH_EMAIL", False) and email and _true(claims.get("email_verified"))):
        return None
    users = list(User.objects.filter(email__iexact=email)[:2])
    if len(users) > 1:
        raise SignInRefused("several-accounts", f"{len(users)} accounts have the provider's email")
    if not users:
        return None
    user = users[0]
    if SingleSignOnIdentity.objects.filter(user=user, issuer=issuer).exists():
        raise SignInRefused("no-account", "the account with that email is linked to another person at this provider")
    if not user.is_active:
        raise SignInRefused("inactive", user.get_username())
    link_identity(actor, user, issuer=issuer, subject=subject, matched_by="email")
    return user


def _by_claims(actor: Actor, claims: dict[str, Any], issuer: str, subject: str) -> User | None:
    if not getattr(settings, "CONTINUUM_SSO_CREATE_USERS", False):
        return None
    partnership = claims.get(settings.CONTINUUM_SSO_PARTNERSHIP_CLAIM)
    role = claims.get(settings.CONTINUUM_SSO_ROLE_CLAIM)
    allowed_roles = set(settings.CONTINUUM_SSO_CREATE_ROLES)
    if not isinstance(partnership, str) or partnership not in settings.CONTINUUM_SSO_PARTNERSHIPS:
        log.info("single sign-on: the claims name partnership %r, which this provider may not speak for", partnership)
        return None
    if not isinstance(role, str) or role not in allowed_roles:
        log.info("single sign-on: the claims name role %r, which a provider may not give", role)
        return None
    email = claims.get("email")
    if email and User.objects.filter(email__iexact=email).exists():  # never a second account for one person
        raise SignInRefused("no-account", "an account has the provider's email but is not linked: an admin links it")
    try:
        return create_from_claims(
            actor, claims, issuer=issuer, subject=subject, partnership=partnership, role=Role(role)
        )
    except (ValueError, services.AccountError) as exc:
        raise SignInRefused("no-account", str(exc)) from None


def account_for(actor: Actor, claims: dict[str, Any]) -> User:
    """The account the provider's (verified) claims sign in as, by the rule of this module; else refused."""
    issuer, subject = str(claims.get("iss") or ""), str(claims.get("sub") or "")
    if not issuer or not subject:
        raise SignInRefused("not-verified", "the claims have no issuer or subject")
    identity = SingleSignOnIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    user = identity.user if identity else None
    try:
        user = user or _by_email(actor, claims, issuer, subject) or _by_claims(actor, claims, issuer, subject)
    except IntegrityError:  # a first sign-in of the same person at the same moment made the link first
        identity = SingleSignOnIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
        user = identity.user if identity else None
    if user is None:
        raise SignInRefused("no-account", f"no account for subject {subject!r} at {issuer}")
    if not user.is_active:
        raise SignInRefused("inactive", user.get_username())
    return user


class SingleSignOnBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with Continuum's checks and account rule.

    Never raises: a refusal is left on the request (``request.sso_refusal``) for the callback
    page to explain, and ``None`` is returned.
    """

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if request is None or "code" not in request.GET:
            return None  # not an OpenID callback: the password backends' business
        try:
            user: User | None = super().authenticate(request, **kwargs)
        except SignInRefused as refused:
            return self._refuse(request, refused.reason, str(refused))
        except SuspiciousOperation as exc:  # the signature, algorithm or nonce did not verify
            return self._refuse(request, "not-verified", str(exc))
        except requests.HTTPError as exc:  # the provider answered, and said no (e.g. a code used twice)
            status = exc.response.status_code if exc.response is not None else 0
            return self._refuse(request, "not-verified" if 400 <= status < 500 else "unavailable", str(status))
        except requests.RequestException as exc:  # the provider did not answer
            return self._refuse(request, "unavailable", type(exc).__name__)
        return user

    @staticmethod
    def _refuse(request: HttpRequest, reason: str, detail: str) -> None:
        log.warning("single sign-on refused (%s): %s", reason, detail)
        request.sso_refusal = reason  # type: ignore[attr-defined]
        return None

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The client's checks (signature by the provider's JWKS key, algorithm, nonce), then audience and issuer."""
        import jwt

        try:
            payload: dict[str, Any] = super().verify_token(token, **kwargs)
        except (jwt.PyJWTError, KeyError, ValueError) as exc:  # e.g. expired, no key id, malformed
            raise SignInRefused("not-verified", f"{type(exc).__name__}: {exc}") from None
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SignInRefused("not-verified", "the ID token is not for this client")
        expected = getattr(settings, "OIDC_OP_ISSUER", "")
        if expected and payload.get("iss") != expected:
            raise SignInRefused("not-verified", f"the ID token's issuer is {payload.get('iss')!r}")
        if not payload.get("sub") or not payload.get("iss"):
            raise SignInRefused("not-verified", "the ID token has no subject or issuer")
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User:
        claims = dict(self.get_userinfo(access_token, id_token, payload))
        if str(claims.get("sub")) != str(payload["sub"]):  # OpenID Connect Core 5.3.2
            raise SignInRefused("not-verified", "the userinfo subject differs from the ID token's")
        claims["iss"] = payload["iss"]  # the verified token's issuer, never the userinfo's word
        return account_for(_actor(self.request), claims)

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get("sub"))


class CallbackView(OIDCAuthenticationCallbackView):
    """The provider sends the person back here: signed in, or a page that says why not."""

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            response: HttpResponse = super().get(request)
        except SuspiciousOperation as exc:  # the state is not this session's: a replayed or stale callback
            log.warning("single sign-on refused (expired): %s", exc)
            request.sso_refusal = "expired"  # type: ignore[attr-defined]
            return self.login_failure()
        return response

    def login_failure(self) -> HttpResponse:
        request = self.request
        reason = getattr(request, "sso_refusal", None)
        if reason is None:
            if request.GET.get("error"):
                reason = "cancelled"
            elif "code" not in request.GET or "oidc_states" not in request.session:
                reason = "expired"
            else:
                reason = "not-verified"
        if request.user.is_authenticated:
            logout(request)
        refusal = REFUSALS[reason]
        context = {
            "title": refusal.title.format(name=sso_name()),
            "body": refusal.body.format(name=sso_name()),
            "reason": reason,
        }
        return render(request, "accounts/sso_refused.html", context, status=refusal.status)
