"""The interactive docs page: ninja's Swagger UI from our own static files, under the site's CSP unchanged."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from continuum.web.middleware import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.django_db


def test_the_docs_page_loads_its_assets_from_this_site_under_the_sites_policy():
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    assert all(s.startswith("/static/ninja/") for s in sources), sources
    # no inline script: the only <script> without src is a JSON data block, which CSP does not run
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline == [' type="application/json" id="swagger-settings"']
    assert '"url": "/api/v1/openapi.json"' in html


@pytest.mark.parametrize("asset", ["swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"])
def test_the_docs_assets_are_served_locally(asset: str):
    response = Client().get(f"/static/ninja/{asset}")
    assert response.status_code == 200
