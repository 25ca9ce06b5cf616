from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "continuum.apps.retention"
    label = "retention"
    verbose_name = "Retention"

    def ready(self) -> None:
        from continuum.apps.retention import events  # noqa: F401  (registers the audit verbs)
