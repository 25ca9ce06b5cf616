from django.urls import path

from continuum.apps.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("calibration/", views.calibration, name="calibration"),
    path("exports/", views.exports, name="exports"),
    path("exports/<slug:kind>.csv", views.export, name="export"),
]
