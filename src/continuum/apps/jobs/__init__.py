"""The job queue: Django's tasks framework (the ``django-tasks`` backport) on its database backend.

Jobs are enqueued inside the transaction of the change that needs them, so a job exists
exactly when its change was stored (the database is the outbox). ``continuum worker`` runs
them; ``continuum serve`` starts one beside the web server unless told not to. See ADR 0008.
"""
