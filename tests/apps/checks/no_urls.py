"""A URL configuration for tests in which no other app has a page."""

urlpatterns: list = []  # no app has a start page
