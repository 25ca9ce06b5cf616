from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "continuum.apps.api"
    label = "api"
    verbose_name = "HTTP API"

    def ready(self) -> None:
        from continuum.apps.api import events  # noqa: F401  (registers the audit verbs)
