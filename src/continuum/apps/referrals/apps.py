from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "continuum.apps.referrals"
    label = "referrals"
    verbose_name = "Referrals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from continuum.apps.referrals import events  # noqa: F401  (registers the audit verbs)
