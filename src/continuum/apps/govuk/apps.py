from django.apps import AppConfig


class GovukConfig(AppConfig):
    """GOV.UK Frontend component includes, the question-page base, error summaries, PDF rendering, and the
    form submissions ledger that makes every create idempotent (its one model)."""

    name = "continuum.apps.govuk"
    label = "govuk"
    verbose_name = "GOV.UK Design System"
