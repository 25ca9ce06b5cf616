"""URLs of the front door, under /front-door/. Contacts are addressed by their referral's reference."""

from __future__ import annotations

from django.urls import path

from continuum.apps.frontdoor.views import front_door as views

app_name = "frontdoor"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("claim-next", views.claim_next, name="claim_next"),
    path("<str:public_id>/", views.contact, name="contact"),
    path("<str:public_id>/claim", views.claim, name="claim"),
    path("<str:public_id>/reassign", views.reassign, name="reassign"),
    path("<str:public_id>/grade", views.grade, name="grade"),
    path("<str:public_id>/checks", views.request_check, name="request_check"),
    path("<str:public_id>/checks/<slug:agency>", views.answer_check, name="answer_check"),
    path("<str:public_id>/match", views.confirm_match, name="match"),
    path("<str:public_id>/decide", views.decide, name="decide"),
    path("<str:public_id>/feedback", views.feedback, name="feedback"),
    path("<str:public_id>/decision-change", views.revise, name="revise"),
]
