from django.apps import AppConfig


class EarlyHelpConfig(AppConfig):
    name = "continuum.apps.earlyhelp"
    label = "earlyhelp"
    verbose_name = "Early help"

    def ready(self) -> None:
        from continuum.apps.earlyhelp import events  # noqa: F401  (registers the audit verbs)
