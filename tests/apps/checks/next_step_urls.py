"""A URL configuration for tests in which the referrals and early help apps have their start pages."""

from django.http import HttpResponse
from django.urls import include, path


def _page(request, check_id):  # pragma: no cover - never requested, only reversed
    return HttpResponse(check_id)


urlpatterns = [
    path("refer/", include(([path("<str:check_id>/", _page, name="start")], "referrals"))),
    path("help/", include(([path("<str:check_id>/", _page, name="start")], "earlyhelp"))),
]
