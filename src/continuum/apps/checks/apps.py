from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "continuum.apps.checks"
    label = "checks"
    verbose_name = "Checks"

    def ready(self) -> None:
        from continuum.apps.checks import events  # noqa: F401  (registers the audit verbs)
