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
    path("new/partnership", views.partnership, name="partnership"),
    path("new/concern", views.concern, name="concern"),
    path("new/suggestions", views.suggestions, name="suggestions"),
    path("new/indicators", views.indicators, name="indicators"),
    path("new/strengths", views.strengths, name="strengths"),
    path("new/child", views.child, name="child"),
    path("new/answers", views.answers_page, name="answers"),
    path("<public_id:public_id>/", views.detail, name="detail"),
    path("<public_id:public_id>/report", views.report_page, name="report"),
    path("<public_id:public_id>/report.pdf", views.report_pdf, name="report_pdf"),
]
