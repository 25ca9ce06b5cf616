"""The escalations' pages through the Django test client: raising, the timeline, each move and its refusal,
the register (filters, CSV export as an audit event), and the partnership admin's procedure page."""

from __future__ import annotations

import pytest
from django.test import Client

from continuum.apps.accounts.actor import Role
from continuum.apps.audit.queries import access_log, recorded
from continuum.apps.audit.queries import events as audit_events
from continuum.apps.escalations import events, services
from continuum.apps.escalations.models import Escalation, PartnershipProcedure, RegisterExport, Status
from tests.fuzz.test_posts import stored
from tests.people import client_for

from .conftest import STAGED, UNSTAGED
from .factories import EscalationFactory, acting, stored_check

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def test_raising_from_a_decision_shows_the_documents_stages_then_the_timeline():
    worker = acting(Role.FRONT_DOOR_WORKER)
    check = stored_check(acting(Role.PRACTITIONER))
    url = f"/escalations/raise/check/{check.public_id}/"
    client = client_for(worker)
    page = client.get(url)
    assert page.status_code == 200
    body = text(page)
    assert "The partnership’s threshold document gives these stages." in body
    assert "The heads of service for each agency involved" in body and "Within 5 working days" in body

    refused = client.post(url, {"concern": "", "other_party": ""})
    assert refused.status_code == 400
    assert "Say what you disagree with and why" in text(refused) and "govuk-error-summary" in text(refused)
    assert not Escalation.objects.exists()

    sent = client.post(url, {"concern": "Level too low", "other_party": "The school's DSL"})
    escalation = Escalation.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"/escalations/{escalation.public_id}/"
    detail = client.get(sent["Location"])
    body = text(detail)
    assert "Stage 1 of 5" in body and "Your disagreement has been raised" in body
    assert body.count("Not reached") == 4 and "Current stage" in body
    assert access_log(escalation).filter(verb=events.VIEWED.name).count() == 1


def test_where_the_document_gives_no_stages_the_page_says_so_and_names_where_the_procedure_lives():
    worker = acting(Role.FRONT_DOOR_WORKER, UNSTAGED)
    check = stored_check(acting(Role.PRACTITIONER, UNSTAGED), UNSTAGED)
    body = text(client_for(worker).get(f"/escalations/raise/check/{check.public_id}/"))
    assert "The document gives no escalation stages" in body
    assert "safeguardingcambspeterborough.org.uk" in body  # the procedure's address, from the document
    services.set_procedure(
        acting(Role.PARTNERSHIP_ADMIN, UNSTAGED),
        name="Resolving Professional Difference",
        url="https://example.org/rpd",
        stages=[{"who": "The practitioners involved", "how": "", "within": "3 working days"}],
    )
    body = text(client_for(worker).get(f"/escalations/raise/check/{check.public_id}/"))
    assert "the partnership’s procedure (set by the partnership)" in body
    assert "They are not the document’s words." in body and "(the partnership’s timescale)" in body


def test_a_decision_the_actor_cannot_see_is_not_found_and_a_role_that_cannot_raise_is_refused():
    unsent = stored_check(acting(Role.PRACTITIONER), sent=False)
    assert (
        client_for(acting(Role.FRONT_DOOR_WORKER)).get(f"/escalations/raise/check/{unsent.public_id}/").status_code
        == 404
    )
    assert client_for(acting(Role.AUDITOR)).get(f"/escalations/raise/check/{unsent.public_id}/").status_code == 403
    assert client_for(acting(Role.FRONT_DOOR_WORKER)).get("/escalations/raise/nothing/x/").status_code == 404


def test_each_move_from_the_page_and_its_refusal():
    raiser = acting(Role.FRONT_DOOR_WORKER)
    escalation = EscalationFactory(actor=raiser)
    base = f"/escalations/{escalation.public_id}/"
    client = client_for(raiser)

    empty = client.post(base + "respond/", {"response": ""})
    assert empty.status_code == 400 and "Enter the response at this stage" in text(empty)
    assert client.post(base + "respond/", {"response": "We spoke; not agreed"}).status_code == 302
    early = client.post(base + "resolve/", {"outcome": ""})
    assert early.status_code == 400 and "Enter how the disagreement was resolved" in text(early)
    assert client.post(base + "escalate/", {"reason": "Not agreed"}).status_code == 302
    page = text(client.get(base))
    assert "Stage 2 of 5" in page and "The disagreement has moved to the next stage" in page
    assert client.post(base + "withdraw/", {"withdraw_reason": "Settled"}).status_code == 302
    assert Escalation.objects.get().status == Status.WITHDRAWN
    closed = client.post(base + "respond/", {"response": "Late"})
    assert closed.status_code == 400 and "already withdrawn" in text(closed)
    assert client.post(base + "explode/", {}).status_code == 404


def test_someone_else_cannot_withdraw_and_another_partnership_cannot_see_it():
    escalation = EscalationFactory()
    manager = client_for(acting(Role.FRONT_DOOR_MANAGER))
    assert "Withdraw the escalation" not in text(manager.get(f"/escalations/{escalation.public_id}/"))
    assert manager.post(f"/escalations/{escalation.public_id}/withdraw/", {"withdraw_reason": "x"}).status_code == 403
    stranger = client_for(acting(Role.FRONT_DOOR_MANAGER, UNSTAGED))
    assert stranger.get(f"/escalations/{escalation.public_id}/").status_code == 404


def test_the_register_filters_prints_and_exports_as_an_audit_event():
    open_one = EscalationFactory()
    closed = EscalationFactory()
    party = acting(Role.FRONT_DOOR_WORKER)
    services.respond(party, closed, response="Agreed")
    services.resolve(party, closed, outcome="Level raised to 3")
    manager = client_for(acting(Role.FRONT_DOOR_MANAGER))
    page = manager.get("/escalations/register/?status=resolved")
    assert page.status_code == 200
    assert closed.public_id in text(page) and open_one.public_id not in text(page)
    assert "Level raised to 3" in text(page)
    assert access_log(closed).filter(payload__purpose="register").count() == 1

    export = manager.get("/escalations/register/?status=open&format=csv")
    assert export["Content-Type"].startswith("text/csv")
    assert open_one.public_id in text(export) and closed.public_id not in text(export)
    made = RegisterExport.objects.get()
    assert (made.rows, made.filters) == (1, {"status": "open"})
    event = audit_events().get(verb=events.REGISTER_EXPORTED.name)
    assert recorded(event) == {"filters": {"status": "open"}, "rows": 1}


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.FRONT_DOOR_WORKER, Role.AUDITOR])
def test_the_register_is_for_front_door_managers_and_partnership_admins(role):
    assert client_for(acting(role)).get("/escalations/register/").status_code == 403


def test_the_partnership_admin_records_the_procedure_where_the_document_gives_none():
    admin = client_for(acting(Role.PARTNERSHIP_ADMIN, UNSTAGED))
    page = admin.get("/escalations/procedure/")
    assert page.status_code == 200 and "The document gives no escalation stages." in text(page)
    bad = admin.post("/escalations/procedure/", {"name": "RPD", "stage-1-who": "Managers", "stage-1-within": "soon"})
    assert bad.status_code == 400 and "cannot read" in text(bad)
    assert not PartnershipProcedure.objects.exists()
    saved = admin.post(
        "/escalations/procedure/",
        {
            "name": "Resolving Professional Difference",
            "url": "https://example.org/rpd",
            "stage-1-who": "The practitioners involved",
            "stage-1-within": "2 working days",
            "stage-2-who": "Their managers",
        },
    )
    assert saved.status_code == 302
    assert PartnershipProcedure.objects.get().stages == [
        {"who": "The practitioners involved", "how": "", "within": "2 working days"},
        {"who": "Their managers", "how": "", "within": ""},
    ]
    assert "The partnership’s procedure has been saved" in text(admin.get("/escalations/procedure/"))


def test_the_procedure_page_shows_the_documents_stages_as_written_where_it_gives_them():
    body = text(client_for(acting(Role.PARTNERSHIP_ADMIN, STAGED)).get("/escalations/procedure/"))
    assert "used as written" in body and "<form" not in body.split("<main")[1]


def test_only_the_partnership_admin_opens_the_procedure_page():
    assert client_for(acting(Role.FRONT_DOOR_MANAGER)).get("/escalations/procedure/").status_code == 403


def test_my_escalations_page_lists_mine_and_links_the_register_for_managers():
    manager = acting(Role.FRONT_DOOR_MANAGER)
    mine = EscalationFactory(actor=manager)
    body = text(client_for(manager).get("/escalations/"))
    assert mine.public_id in body and "escalation register" in body


def test_signed_out_people_are_sent_to_sign_in():
    response = Client().get("/escalations/register/")
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_the_raise_page_of_an_undecided_referral_says_there_is_nothing_yet_to_disagree_with():
    from tests.apps.referrals.factories import sent_referral

    referrer = acting(Role.PRACTITIONER)
    referral = sent_referral(referrer, STAGED, level=4)
    client = client_for(referrer)
    page = client.get(f"/escalations/raise/referral/{referral.public_id}/")
    assert page.status_code == 200 and "There is no decision yet to disagree with" in text(page)
    assert "Raise the disagreement" not in text(page)
    posted = client.post(f"/escalations/raise/referral/{referral.public_id}/", {"concern": "x", "other_party": "y"})
    assert posted.status_code == 400 and "no decision yet" in text(posted)
    assert not Escalation.objects.exists()


def test_the_partnership_admins_home_links_the_register_and_the_procedure():
    body = text(client_for(acting(Role.PARTNERSHIP_ADMIN)).get("/"))
    assert 'href="/escalations/register/"' in body and 'href="/escalations/procedure/"' in body


def test_an_escalation_is_not_shown_when_its_access_cannot_be_logged(monkeypatch):
    from continuum.apps.escalations import queries

    escalation = EscalationFactory()
    client = client_for(acting(Role.FRONT_DOOR_MANAGER))

    def fail(*args, **kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(queries, "record_access", fail)
    with pytest.raises(RuntimeError):
        client.get(f"/escalations/{escalation.public_id}/")
    with pytest.raises(RuntimeError):
        client.get("/escalations/register/")


# -- who may, before what was posted ---------------------------------------------------------------

TOO_LONG = "x" * 5001  # past every text field's length: the form refuses it


def _everything() -> tuple[dict[str, int], int]:
    """Every Continuum row and job, and every audit event, the access log included."""
    return stored(), audit_events().count()


@pytest.mark.parametrize(
    ("role", "action", "field"),
    [
        (Role.PARTNERSHIP_ADMIN, "respond", "response"),  # the admin sees an escalation but may not move it
        (Role.PARTNERSHIP_ADMIN, "escalate", "reason"),
        (Role.PARTNERSHIP_ADMIN, "resolve", "outcome"),
        (Role.FRONT_DOOR_MANAGER, "withdraw", "withdraw_reason"),  # only the person who raised it withdraws it
    ],
)
def test_a_move_by_someone_who_may_not_is_refused_before_its_text_is_read(role, action, field):
    """403 whatever was sent: text the form refuses (too long) or the service refuses (none), never a 400."""
    escalation = EscalationFactory()
    client = client_for(acting(role))
    before = _everything()
    for sent in (TOO_LONG, "", " "):
        response = client.post(f"/escalations/{escalation.public_id}/{action}/", {field: sent})
        assert response.status_code == 403, repr(sent[:10])
    assert _everything() == before


def test_a_change_of_outcome_by_someone_who_may_not_is_refused_before_the_form_is_read():
    raiser = acting(Role.FRONT_DOOR_WORKER)
    escalation = EscalationFactory(actor=raiser)
    services.respond(raiser, escalation, response="Spoke; agreed")
    services.resolve(raiser, escalation, outcome="Level kept")
    admin = client_for(acting(Role.PARTNERSHIP_ADMIN))  # sees it, may not change it
    before = _everything()
    response = admin.post(f"/escalations/{escalation.public_id}/outcome-change/", {"outcome": TOO_LONG, "reason": ""})
    assert response.status_code == 403
    assert _everything() == before


def test_raising_about_another_partnerships_decision_is_refused_before_the_form_is_read():
    owner = acting(Role.PRACTITIONER, STAGED)
    theirs = stored_check(owner, UNSTAGED)  # their own check, against the other partnership's framework
    before = _everything()
    response = client_for(owner).post(
        f"/escalations/raise/check/{theirs.public_id}/", {"concern": TOO_LONG, "other_party": ""}
    )
    assert response.status_code == 403
    assert _everything() == before
