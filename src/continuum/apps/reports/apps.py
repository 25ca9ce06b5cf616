from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "continuum.apps.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from continuum.apps.reports import events  # noqa: F401  (registers the audit verbs)
