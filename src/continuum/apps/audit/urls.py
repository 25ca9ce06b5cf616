from django.urls import path

from continuum.apps.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.events_page, name="events"),
    path("verify/", views.verify_now, name="verify"),
    path("<int:sequence>/", views.event_page, name="event"),
]
