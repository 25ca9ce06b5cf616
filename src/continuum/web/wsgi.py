"""WSGI entry point (``continuum serve`` runs it with waitress)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "continuum.web.settings.base")

application = get_wsgi_application()
