from django.urls import path

from continuum.apps.referrals.views import front_door, journey, referrer

app_name = "referrals"

urlpatterns = [
    path("", referrer.mine, name="mine"),
    path("export/", front_door.export, name="export"),
    path("phoned/", front_door.phoned, name="phoned"),
    path("from-check/<str:check_id>/", journey.start, name="start"),
    path("from-check/<str:check_id>/child/", journey.ChildPage.as_view(), name="child"),
    path("from-check/<str:check_id>/children/", journey.ChildrenPage.as_view(), name="children"),
    path("from-check/<str:check_id>/family/", journey.FamilyPage.as_view(), name="family"),
    path("from-check/<str:check_id>/referrer/", journey.ReferrerPage.as_view(), name="referrer"),
    path("from-check/<str:check_id>/what-has-been-done/", journey.DonePage.as_view(), name="done"),
    path("from-check/<str:check_id>/consent/", journey.ConsentPage.as_view(), name="consent"),
    path("from-check/<str:check_id>/check-your-answers/", journey.CheckAnswersPage.as_view(), name="check"),
    path("<str:public_id>/sent/", referrer.sent, name="sent"),
    path("<str:public_id>/follow-up/", front_door.follow_up, name="follow_up"),
    path("<str:public_id>/", referrer.detail, name="detail"),
]
