"""One error shape for every status; never a traceback."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from continuum.apps.api import api as api_module

from .conftest import error_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_path_under_the_api_is_404_in_the_shape(method: str):
    response = getattr(Client(), method)("/api/v1/no/such/thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert error_of(response)["code"] == "not_found"


def test_an_unexpected_failure_is_500_in_the_shape_without_a_traceback(caller, monkeypatch, caplog):
    def broken() -> None:
        raise RuntimeError("secret internals /srv/app/thing.py line 3")

    monkeypatch.setattr(api_module, "catalogue", broken)
    response = caller().get("/api/v1/frameworks")
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "server_error"
    assert "secret internals" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert "secret internals" in caplog.text  # logged for the operators


def test_a_database_that_cannot_be_reached_is_503_in_the_shape_with_retry_after(caller, monkeypatch):
    from django.db import OperationalError

    def unreachable() -> None:
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(api_module, "catalogue", unreachable)
    response = caller().get("/api/v1/frameworks")
    assert response.status_code == 503
    assert error_of(response)["code"] == "unavailable"
    assert response["Retry-After"] == "30"


def test_the_openapi_document_describes_the_error_shape_for_every_operation():
    document = Client().get("/api/v1/openapi.json").json()
    error_ref = "#/components/schemas/ErrorOut"
    assert document["components"]["schemas"]["ErrorOut"]["required"] == ["error"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = operation["responses"]
            for status in ("401", "403", "404", "422", "503"):
                schema = statuses[status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": error_ref}, (path, method, status)
            if method == "post":
                assert {"400", "429"} <= set(statuses), (path, method)


def test_the_document_names_the_api_and_bearer_authentication():
    document = json.loads(Client().get("/api/v1/openapi.json").content)
    assert document["info"]["version"] == "1"
    assert document["components"]["securitySchemes"]["BearerToken"] == {"type": "http", "scheme": "bearer"}
    assert {p for p in document["paths"]} >= {
        "/api/v1/frameworks",
        "/api/v1/frameworks/{framework_id}",
        "/api/v1/assess",
        "/api/v1/match",
        "/api/v1/checks",
        "/api/v1/checks/{check_id}",
    }


def test_a_method_a_path_does_not_have_is_405_in_the_shape_with_allow(caller):
    response = caller().client.delete("/api/v1/frameworks", HTTP_AUTHORIZATION=f"Bearer {caller().token}")
    assert response.status_code == 405
    assert "GET" in response["Allow"]
    assert error_of(response)["code"] == "method_not_allowed"
