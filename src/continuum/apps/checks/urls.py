"""URLs of the checks app, under /checks/. Stored checks are addressed by their random public id."""

from __future__ import annotations

from django.urls import path, register_converter

from continuum.apps.checks import views


class PublicIdConverter:
    regex = r"[A-Za-z0-9_-]{16,32}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PublicIdConverter, "public_id")

app_name = "checks"

urlpatterns = [
    path("new/partnership", views.PartnershipPage.as_view(), name="partnership"),
    path("new/concern", views.ConcernPage.as_view(), name="concern"),
    path("new/suggestions", views.SuggestionsPage.as_view(), name="suggestions"),
    path("new/indicators", views.IndicatorsPage.as_view(), name="indicators"),
    path("new/strengths", views.StrengthsPage.as_view(), name="strengths"),
    path("new/child", views.ChildPage.as_view(), name="child"),
    path("new/answers", views.AnswersPage.as_view(), name="answers"),
    path("<public_id:public_id>/", views.detail, name="detail"),
    path("<public_id:public_id>/lower-view", views.lower_view, name="lower_view"),
    path("<public_id:public_id>/report", views.report_page, name="report"),
    path("<public_id:public_id>/report.pdf", views.report_pdf, name="report_pdf"),
]
