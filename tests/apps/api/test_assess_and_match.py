"""POST /assess and /match: the engine's and the matcher's shapes, errors as 400/422, roles as on the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from continuum.apps.accounts.actor import Role
from continuum.apps.audit.queries import events
from continuum.apps.partnerships.catalogue import catalogue
from continuum.engine import assess
from continuum.matching import match

from .conftest import error_of

pytestmark = pytest.mark.django_db

CHECKERS = {Role.PRACTITIONER, Role.FRONT_DOOR_WORKER, Role.FRONT_DOOR_MANAGER, Role.EARLY_HELP}


def test_assess_gives_the_engines_result_and_stores_nothing(caller):
    ann = caller()
    before = events().count()
    selection = {"indicators": ["edu-l2-1", "edu-l3-1"], "protective": [], "facts": {}, "age_years": 8}
    response = ann.post("/api/v1/assess", {"framework": "tiny", **selection})
    assert response.status_code == 200, response.content
    assert response.json() == assess(catalogue().get("tiny"), selection)
    assert events().count() == before


def test_assess_from_words_marks_the_matched_drivers(caller):
    response = caller().post(
        "/api/v1/assess", {"framework": "tiny", "text": "the child is missing education for weeks"}
    )
    assert response.status_code == 200, response.content
    result = response.json()
    assert result["text"]["query"] == "the child is missing education for weeks"
    matched = [d["indicator"] for d in result["drivers"] if d.get("matched_from_text")]
    assert "edu-l3-1" in matched
    assert result["recommended_level"]["number"] == 3


def test_words_that_set_no_level_say_not_enough_in_assess_and_match(caller):
    text = "Lovely sunny day, we went to the park and fed the ducks."
    result = caller().post("/api/v1/assess", {"framework": "tiny", "text": text}).json()
    short = result["text"]["not_enough"]
    assert short["message"].startswith("Not enough in these words to set a level — tell us more about:")
    assert short["ask_about"] and all(a["name"] in short["message"] for a in short["ask_about"])
    found = caller().post("/api/v1/match", {"framework": "tiny", "text": text}).json()
    assert found["not_enough"] == short
    stated = caller().post("/api/v1/assess", {"framework": "tiny", "text": "the child is missing education for weeks"})
    assert stated.json()["text"]["not_enough"] is None


def test_an_unknown_indicator_is_400_with_the_engines_message(caller):
    response = caller().post("/api/v1/assess", {"framework": "tiny", "indicators": ["no-such-indicator"]})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "bad_request"
    assert "no-such-indicator" in error["message"]


def test_an_unknown_framework_in_the_body_is_400_on_that_field(caller):
    response = caller().post("/api/v1/assess", {"framework": "nowhere", "indicators": []})
    assert response.status_code == 400
    assert error_of(response)["field"] == "framework"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"framework": "tiny", "age_years": -1}, "age_years"),
        ({"framework": "tiny", "indicators": "edu-l2-1"}, "indicators"),
        ({"indicators": []}, "framework"),
        ({"framework": "tiny", "facts": {"non_mobile": "perhaps"}}, "facts.non_mobile"),
    ],
)
def test_a_request_not_matching_the_schema_is_422_naming_the_field(caller, body, field):
    response = caller().post("/api/v1/assess", body)
    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["field"]) == ("invalid", field)


def test_a_body_that_is_not_json_is_400(caller):
    ann = caller()
    response = ann.client.post(
        "/api/v1/assess", "{not json", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {ann.token}"
    )
    assert response.status_code == 400
    assert error_of(response)["message"] == "the request body is not valid JSON"


def test_match_gives_the_matchers_shape(caller):
    response = caller().post("/api/v1/match", {"framework": "tiny", "text": "often late for school", "top": 2})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == match(catalogue().get("tiny"), "often late for school", top=2)
    assert body["results"][0]["indicator"] == "edu-l2-1"
    assert len(body["results"]) == 2


@pytest.mark.parametrize("text", ["", "   "])
def test_match_needs_words(caller, text):
    response = caller().post("/api/v1/match", {"framework": "tiny", "text": text})
    assert response.status_code in {400, 422}
    assert error_of(response)["field"] == "text"


@pytest.mark.parametrize("path", ["/api/v1/assess", "/api/v1/match"])
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_the_roles_that_check_a_level_may_assess_and_match(caller, role: Role, path: str):
    """Role matrix rows for the API: as `checks.create` on the pages (partnership admins and auditors may not)."""
    response = caller(role).post(path, {"framework": "tiny", "text": "often late for school"})
    if role in CHECKERS:
        assert response.status_code == 200, response.content
    else:
        assert response.status_code == 403
        assert error_of(response)["code"] == "forbidden"


def test_assess_without_a_token_is_401():
    response = Client().post("/api/v1/assess", {"framework": "tiny"}, content_type="application/json")
    assert response.status_code == 401
