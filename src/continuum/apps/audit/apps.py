from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "continuum.apps.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from continuum.apps.audit import events  # noqa: F401  (registers the audit's own verbs)
