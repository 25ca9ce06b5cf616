from django.apps import AppConfig


class FrontDoorConfig(AppConfig):
    name = "continuum.apps.frontdoor"
    label = "frontdoor"
    verbose_name = "Front door"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from continuum.apps.frontdoor import events  # noqa: F401  (registers the audit verbs)
