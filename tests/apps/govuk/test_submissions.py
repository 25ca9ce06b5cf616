"""One record per form submission (ADR 0018): ``submissions.once`` runs a service call once per token."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import Group
from django.template import Context, Template

from continuum.apps.govuk import submissions
from continuum.apps.govuk.models import Submission

pytestmark = pytest.mark.django_db


def make(name: str):
    return lambda: Group.objects.create(name=name)


def test_the_same_token_runs_the_call_once_and_returns_the_first_record():
    token = str(uuid.uuid4())
    first = submissions.once(token, make("first"))
    second = submissions.once(token, make("second"))
    assert first.pk == second.pk and list(Group.objects.values_list("name", flat=True)) == ["first"]
    assert submissions.stored(token) == first


def test_without_a_token_or_with_a_malformed_one_every_call_runs():
    submissions.once(None, make("a"))
    submissions.once("", make("b"))
    submissions.once("not-a-token", make("c"))
    assert Group.objects.count() == 3 and not Submission.objects.exists()


def test_a_refused_call_stores_nothing_and_the_token_stays_usable():
    token = uuid.uuid4()

    def refused():
        Group.objects.create(name="half-written")
        raise ValueError("refused")

    with pytest.raises(ValueError):
        submissions.once(token, refused)
    assert not Group.objects.exists() and not Submission.objects.exists()
    assert submissions.once(token, make("then")).name == "then"


def test_a_submission_that_loses_the_race_returns_the_winners_record(monkeypatch):
    """Both submissions find no earlier record, then both store: the unique token lets one win."""
    token = uuid.uuid4()
    winner = submissions.once(token, make("winner"))
    real = submissions.stored
    calls = []

    def not_yet(key, *scoped):
        calls.append(key)
        return None if len(calls) == 1 else real(key, *scoped)

    monkeypatch.setattr(submissions, "stored", not_yet)
    loser = submissions.once(token, make("loser"))
    assert loser.pk == winner.pk and list(Group.objects.values_list("name", flat=True)) == ["winner"]


def test_each_form_shown_gets_its_own_token():
    template = Template("{% load govuk %}{% submission_field %}{% submission_field %}")
    html = template.render(Context())
    tokens = [part.split('"')[0] for part in html.split('value="')[1:]]
    assert len(tokens) == 2 and tokens[0] != tokens[1] and all(uuid.UUID(t) for t in tokens)


def test_a_token_is_once_per_scope_and_a_scope_never_finds_anothers_record():
    token = uuid.uuid4()
    page = submissions.once(token, make("page"))
    ann = submissions.once(token, make("ann"), scope="api:ann")
    bob = submissions.once(token, make("bob"), scope="api:bob")
    assert len({page.pk, ann.pk, bob.pk}) == 3
    assert submissions.once(token, make("ann again"), scope="api:ann").pk == ann.pk
    assert submissions.stored(token) == page and submissions.stored(token, "api:bob") == bob
    assert Group.objects.count() == 3 and Submission.objects.count() == 3


def test_the_same_token_with_another_request_is_refused_and_runs_nothing():
    token = uuid.uuid4()
    first = submissions.once(token, make("first"), scope="api:ann", fingerprint="a" * 64)
    with pytest.raises(submissions.Reused):
        submissions.once(token, make("second"), scope="api:ann", fingerprint="b" * 64)
    assert list(Group.objects.values_list("pk", flat=True)) == [first.pk]


def test_a_forms_fingerprint_is_its_answers_not_its_tokens():
    from django.test import RequestFactory

    def fingerprint(data: dict[str, object]) -> str:
        return submissions.form_fingerprint(RequestFactory().post("/", data))

    answers = {"reason": "Seen at school", "needs": ["a", "b"]}
    same = fingerprint(answers | {"submission": str(uuid.uuid4()), "csrfmiddlewaretoken": "x"})
    assert same == fingerprint({"needs": ["a", "b"], "reason": "Seen at school"})
    assert fingerprint(answers | {"reason": "Seen at home"}) != same
    assert fingerprint(answers | {"needs": ["b", "a"]}) != same  # a list's order is part of what was sent
    assert len(same) == submissions.FINGERPRINT_MAX
