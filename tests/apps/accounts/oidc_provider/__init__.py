"""A real OpenID provider for the single sign-on tests: django-oauth-toolkit, in its own process.

``serve.py`` runs it (own settings, own SQLite file); :mod:`tests.apps.accounts.test_oidc`
starts it and signs in to Continuum through it. Nothing here is part of Continuum.
"""
