from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    """No models yet: the frameworks offered, citations and vocabulary labels, used by every casework app."""

    name = "continuum.apps.partnerships"
    label = "partnerships"
    verbose_name = "Partnerships"
