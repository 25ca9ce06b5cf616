from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "continuum.apps.escalations"
    label = "escalations"
    verbose_name = "Escalations"

    def ready(self) -> None:
        from continuum.apps.escalations import events  # noqa: F401  (registers the audit verbs)
