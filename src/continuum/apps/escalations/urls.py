from django.urls import path

from continuum.apps.escalations.views import casework, procedure, register

app_name = "escalations"

urlpatterns = [
    path("", casework.mine, name="mine"),
    path("register/", register.register, name="register"),
    path("procedure/", procedure.edit, name="procedure"),
    path("raise/<slug:kind>/<str:reference>/", casework.raise_page, name="raise"),
    path("<str:public_id>/", casework.detail, name="detail"),
    path("<str:public_id>/outcome-change/", casework.revise_outcome, name="revise_outcome"),
    path("<str:public_id>/<slug:action>/", casework.move, name="move"),
]
