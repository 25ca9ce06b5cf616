"""Sign-in, two-factor codes, choosing a role, sign-out, password reset and change (GOV.UK patterns).

Every page works without JavaScript. Lockout after repeated failures is django-axes'
(its middleware answers with ``accounts/locked_out.html``).
"""

from __future__ import annotations

from typing import Any

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from continuum.apps.accounts import demo, services
from continuum.apps.accounts.middleware import build_actor, choose, memberships_of
from continuum.apps.accounts.partnerships import partnership_name

TOKEN_ERROR = "Enter the 6-digit code shown in your authenticator app"
WAIT_ERROR = "Too many wrong codes. Wait a few seconds, then enter the newest code"


def error_summary(form: forms.Form, anchors: dict[str, str] | None = None) -> list[dict[str, str]]:
    """The GOV.UK error summary's list: each message links to its field (a form-wide one to ``__all__``'s anchor)."""
    anchors = anchors or {}
    return [
        {"href": f"#{anchors.get(name, name)}", "text": str(message)}
        for name, errors in form.errors.items()
        for message in errors
    ]


def field_errors(form: forms.Form) -> dict[str, str]:
    return {name: str(errors[0]) for name, errors in form.errors.items()}


def _form_context(form: forms.Form, anchors: dict[str, str] | None = None) -> dict[str, Any]:
    return {"form": form, "errors": error_summary(form, anchors), "field_errors": field_errors(form)}


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return "/"


def _continue(request: HttpRequest) -> HttpResponse:
    """Where a person goes after a sign-in step: the next step still due, else where they were going."""
    _, pending = build_actor(request)
    target = _next_url(request)
    if pending is not None:
        return redirect(f"{pending}?{urlencode({'next': target})}")
    return redirect(target)


class SignInForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.error_messages = {
            **self.error_messages,
            "invalid_login": "Enter a correct username and password",
            "inactive": "This account has been deactivated. Ask your partnership admin.",
        }
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        auth_login(request, form.get_user())
        return _continue(request)
    context = _form_context(form, {"__all__": "username"}) | {
        "next": _next_url(request),
        "demo_accounts": demo.sign_in_listing() if settings.CONTINUUM_LOCAL else [],
    }
    return render(request, "accounts/sign_in.html", context, status=400 if form.errors else 200)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    return render(request, "accounts/signed_out.html")


class TokenForm(forms.Form):
    token = forms.CharField(
        max_length=12, error_messages={"required": TOKEN_ERROR, "max_length": TOKEN_ERROR}, strip=True
    )

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if not (token.isdecimal() and len(token) == 6):
            raise forms.ValidationError(TOKEN_ERROR)
        return token


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def _grouped(key: str) -> str:
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), then enter a code to confirm."""
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:sign_in")
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect(reverse("accounts:two_factor_verify") + "?" + urlencode({"next": _next_url(request)}))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not device.verify_is_allowed()[0]:
            form.add_error("token", WAIT_ERROR)
        elif device.verify_token(form.cleaned_data["token"]):
            services.confirm_two_factor(request.actor, device)  # type: ignore[attr-defined]
            otp_login(request, device)
            return _continue(request)
        else:
            form.add_error("token", "The code is not right. Check the time on your phone and enter the newest code.")
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode("ascii")
    context = _form_context(form) | {
        "qr_svg": _qr_svg(device.config_url),
        "secret": _grouped(secret),
        "next": _next_url(request),
    }
    return render(request, "accounts/two_factor_setup.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """After the password: the current code from the person's authenticator app."""
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:sign_in")
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return _continue(request)
        if devices and not any(d.verify_is_allowed()[0] for d in devices):
            form.add_error("token", WAIT_ERROR)
        else:
            form.add_error("token", "The code is not right or has been used. Enter the newest code.")
    context = _form_context(form) | {"next": _next_url(request)}
    return render(request, "accounts/two_factor_verify.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def choose_role(request: HttpRequest) -> HttpResponse:
    """A person with several roles chooses which partnership and role to act in (kept for the session)."""
    if not request.user.is_authenticated:
        return redirect("accounts:sign_in")
    memberships = memberships_of(request.user)
    options = {f"{m.partnership}:{m.role}": m for m in memberships}
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        chosen = options.get(request.POST.get("membership", ""))
        if chosen is not None:
            choose(request, chosen)
            return redirect(_next_url(request) if request.POST.get("next") else "/")
        errors = [{"href": f"#membership-{next(iter(options), '')}", "text": "Select the role you are acting in"}]
    items = [
        {"value": value, "label": m.role_label, "hint": partnership_name(m.partnership)} for value, m in options.items()
    ]
    context = {
        "items": items,
        "errors": errors,
        "field_errors": {"membership": errors[0]["text"]} if errors else {},
        "next": _next_url(request),
    }
    return render(request, "accounts/choose_role.html", context, status=400 if errors else 200)


class GovukFormMixin:
    """Django's auth views with the error summary and field errors our templates use."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        form = context.get("form")
        if form is not None and form.is_bound:
            context.update(errors=error_summary(form), field_errors=field_errors(form))
        return context


class PasswordResetView(GovukFormMixin, auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(GovukFormMixin, auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(GovukFormMixin, auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"
