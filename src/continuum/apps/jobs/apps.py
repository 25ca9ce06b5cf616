from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "continuum.apps.jobs"
    label = "jobs"
    verbose_name = "Job queue"
