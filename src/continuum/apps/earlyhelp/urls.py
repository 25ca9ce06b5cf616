"""Early help under /early-help/."""

from django.urls import path

from continuum.apps.earlyhelp.views import assessment, family, lead

app_name = "earlyhelp"
urlpatterns = [
    path("", lead.caseload, name="caseload"),
    path("reviews-due/", lead.reviews_due, name="reviews_due"),
    path("step-downs/", lead.step_downs, name="step_downs"),
    path("step-downs/new/", lead.new_step_down, name="new_step_down"),
    path("step-downs/<str:public_id>/", lead.step_down, name="step_down"),
    path("settings/", lead.settings_page, name="settings"),
    path("front-door/", lead.front_door, name="front_door"),
    path("start/<str:check_id>/", assessment.start, name="start"),
    path("<str:public_id>/assessment/", assessment.tasks, name="tasks"),
    path("<str:public_id>/assessment/family/", assessment.family, name="family"),
    path("<str:public_id>/assessment/needs/", assessment.needs, name="needs"),
    path("<str:public_id>/assessment/voice/", assessment.voice, name="voice"),
    path("<str:public_id>/assessment/consent/", assessment.consent, name="consent"),
    path("<str:public_id>/assessment/check-answers/", assessment.check_answers, name="check_answers"),
    path("<str:public_id>/", family.record, name="record"),
    path("<str:public_id>/plan/", family.plan, name="plan"),
    path("<str:public_id>/consent/", family.open_consent, name="open_consent"),
    path("<str:public_id>/print/<str:what>/", family.printable, name="print"),
    path("<str:public_id>/pdf/<str:what>/", family.pdf, name="pdf"),
    path("<str:public_id>/reviews/<int:number>/", family.review, name="review"),
    path("<str:public_id>/close/", family.close, name="close"),
    path("<str:public_id>/step-up/", family.step_up, name="step_up"),
]
