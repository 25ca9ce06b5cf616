"""URLs: the start page, the checks app under /checks/, the health check."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from continuum.apps.accounts.oidc import sso_urlpatterns
from continuum.web import home, views

urlpatterns = [
    path("", home.home, name="start"),
    path("accounts/", include("continuum.apps.accounts.urls")),
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:sign_in", query_string=True)),
    path("admin/", admin.site.urls),
    path("checks/", include("continuum.apps.checks.urls")),
    path("referrals/", include("continuum.apps.referrals.urls")),
    path("front-door/", include("continuum.apps.frontdoor.urls")),
    path("api/v1/", include("continuum.apps.api.urls")),
    path("early-help/", include("continuum.apps.earlyhelp.urls")),
    path("escalations/", include("continuum.apps.escalations.urls")),
    path("reports/", include("continuum.apps.reports.urls")),
    path("audit/", include("continuum.apps.audit.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/live", views.live, name="healthz-live"),
    path("healthz/ready", views.ready, name="healthz-ready"),
]
urlpatterns += sso_urlpatterns()  # /oidc/..., only when single sign-on is configured

handler400 = "continuum.web.views.bad_request"
handler404 = "continuum.web.views.page_not_found"
handler500 = "continuum.web.views.server_error"
