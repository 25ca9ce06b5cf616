from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "continuum.apps.audit"
    label = "audit"
    verbose_name = "Audit"
