"""Pages of the web project itself (the home page). The check's pages are tested in tests/apps/checks/test_views.py."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_start_page_says_999_first(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("call 999") < html.index("<h1")
    assert 'href="/checks/new/partnership"' in html
