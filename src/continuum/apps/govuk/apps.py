from django.apps import AppConfig


class GovukConfig(AppConfig):
    """No models: GOV.UK Frontend component includes, the question-page base, error summaries and PDF rendering."""

    name = "continuum.apps.govuk"
    label = "govuk"
    verbose_name = "GOV.UK Design System"
