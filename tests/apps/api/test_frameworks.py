"""GET /frameworks and /frameworks/{id}: the shapes of `continuum frameworks list/show --json`."""

from __future__ import annotations

import pytest

from continuum.apps.accounts.actor import Role
from continuum.apps.partnerships.catalogue import catalogue

from .conftest import OTHER, OWN, error_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_every_role_lists_the_frameworks_offered(caller, role: Role):
    response = caller(role).get("/api/v1/frameworks")
    assert response.status_code == 200
    rows = response.json()
    assert [row["id"] for row in rows] == sorted([OWN, OTHER, "tiny"])
    tiny = catalogue().get("tiny")
    assert rows[-1] == {
        "id": "tiny",
        "name": tiny.framework.name,
        "version": tiny.framework.version,
        "hash": tiny.content_hash,
        "levels": len(tiny.framework.levels),
        "indicators": len(tiny.framework.indicators),
    }


def test_show_is_the_whole_framework_with_its_hash(caller):
    response = caller().get("/api/v1/frameworks/tiny")
    assert response.status_code == 200
    tiny = catalogue().get("tiny")
    expected = tiny.framework.model_dump(mode="json", by_alias=True, exclude_none=True)
    expected["hash"] = tiny.content_hash
    assert response.json() == expected


def test_an_unknown_framework_is_404_naming_it(caller):
    response = caller().get("/api/v1/frameworks/nowhere")
    assert response.status_code == 404
    error = error_of(response)
    assert error["code"] == "not_found"
    assert "nowhere" in error["message"]
    assert error["field"] == "framework_id"
