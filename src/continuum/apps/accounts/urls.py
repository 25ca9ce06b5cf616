"""URLs of the accounts app, under /accounts/."""

from __future__ import annotations

from django.urls import path

from continuum.apps.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in", views.sign_in, name="sign_in"),
    path("sign-out", views.sign_out, name="sign_out"),
    path("two-factor/set-up", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor", views.two_factor_verify, name="two_factor_verify"),
    path("role", views.choose_role, name="choose_role"),
    path("password-reset", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("password", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/changed", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
