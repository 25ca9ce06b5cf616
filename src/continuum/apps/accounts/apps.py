from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "continuum.apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from continuum.apps.accounts import events  # noqa: F401  (registers the audit verbs)
