from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "continuum.apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"
