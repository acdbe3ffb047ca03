"""The coordination API: thin over the same services. Anonymous 401, outsider 404, bad input 400 writing nothing, and a happy flow."""

from __future__ import annotations

import json

import pytest

from helhet.coordination.models import NeedNotification

from .conftest import TODAY, snapshot

API = "/api/v1/coordination"


def post(client, path, body):
    return client.post(API + path, data=json.dumps(body), content_type="application/json")


# name -> (path, actor, bad body, bad status)
def endpoints(world, c):
    pid = c["patient"].pk
    return {
        "send": ("/need-notifications", "clinician", {"person_id": pid, "direction": "to_municipality", "sent_on": TODAY().isoformat(), "summary": "", "contact_name": "x",
                                                      "needs_ip": True}, 400),
        "acknowledge": (f"/need-notifications/{c['n'].pk}/acknowledge", "ke", {"on": "ikke-dato"}, 400),
        "register": (f"/need-notifications/{c['n'].pk}/register-request", "ke", {"on": "2999-01-01"}, 400),
        "respond": (f"/need-notifications/{c['rev'].pk}/respond", "unit_leader", {"on": TODAY().isoformat()}, 400),
        "transfer": ("/transfers", "ke", {"person_id": pid, "kind": "move", "effective_on": TODAY().isoformat()}, 400),
        "item": (f"/transfers/{c['t'].pk}/items/gp_informed", "ke", {"state": "kanskje"}, 400),
        "complete": (f"/transfers/{c['t'].pk}/complete", "ke", {"coordinator_id": world.users["coordinator2"].pk,
                                                              "unit_id": world.units["fjordvik_mh"].pk, "on": TODAY().isoformat()}, 409),
        "cancel": (f"/transfers/{c['t'].pk}/cancel", "ke", {"reason": ""}, 400),
        "inform": ("/partner-information", "ke", {"person_id": pid, "event": "noe"}, 400),
        "objection": ("/partner-objections", "ke", {"person_id": pid, "objected_on": TODAY().isoformat(), "given_by_name": "", "how": "oral"}, 400),
        "withdraw": (f"/partner-objections/{c['o'].pk}/withdraw", "ke", {"on": "2999-01-01"}, 400),
        "disagreement": ("/disagreements", "ke", {"person_id": pid, "kind": "needs_or_rights", "description": "x", "raised_on": TODAY().isoformat()}, 400),
        "resolve": (f"/disagreements/{c['d'].pk}/resolve", "trust_ke", {"resolved_on": TODAY().isoformat(), "outcome": ""}, 400),
    }


NAMES = ["send", "acknowledge", "register", "respond", "transfer", "item", "complete", "cancel", "inform", "objection", "withdraw",
         "disagreement", "resolve"]


@pytest.mark.parametrize("name", NAMES)
def test_anonymous_outsider_and_bad_input(client, client_for, world, loop, name):
    path, actor, bad, status = endpoints(world, loop)[name]
    before = snapshot()
    assert post(client, path, bad).status_code == 401
    # An outsider never gets past the schema or the access check: 400 for a malformed body, else 404.
    assert post(client_for("outsider"), path, bad).status_code in (400, 404)
    r = post(client_for(actor), path, bad)
    assert r.status_code == status, r.content
    assert set(r.json()) == {"code", "message", "details"}
    assert snapshot() == before


@pytest.mark.parametrize("path", ["/inbox", "/outbox", "/turning-18"])
def test_lists_need_login(client, path):
    assert client.get(API + path).status_code == 401


def test_outsider_gets_404_for_well_formed_writes(client_for, world, loop):
    c = client_for("outsider")
    for path, body in [(f"/need-notifications/{loop['n'].pk}/acknowledge", {"on": TODAY().isoformat()}), (f"/transfers/{loop['t'].pk}/items/gp_informed", {"state": "done"}),
                       (f"/disagreements/{loop['d'].pk}/resolve", {"resolved_on": TODAY().isoformat(), "outcome": "x"}),
                       ("/partner-information", {"person_id": loop["patient"].pk, "event": "coordinator_appointed"})]:
        before = snapshot()
        assert post(c, path, body).status_code == 404
        assert snapshot() == before


def test_outsider_cannot_read_items(client_for, loop):
    c = client_for("outsider")
    for path in [f"/need-notifications/{loop['n'].pk}", f"/transfers/{loop['t'].pk}", f"/disagreements/{loop['d'].pk}"]:
        assert c.get(API + path).status_code == 404


def test_the_flow_through_the_api(client_for, world, make_person, consent_for, loop):
    patient = make_person(involve=(("trust_ward", "clinician"),))
    r = post(client_for("clinician"), "/need-notifications", {
        "person_id": patient.pk, "direction": "to_municipality", "sent_on": TODAY().isoformat(), "summary": "Trenger koordinator.", "contact_name": "Jonas",
        "needs_coordinator": True})
    assert r.status_code == 400 and "consent" in r.json()["details"]["fields"]
    r = post(client_for("clinician"), "/need-notifications", {
        "person_id": patient.pk, "direction": "to_municipality", "sent_on": TODAY().isoformat(), "summary": "Trenger koordinator.", "contact_name": "Jonas",
        "needs_coordinator": True, "consent_given_by": "person", "consent_given_by_name": "Pasienten", "consent_method": "oral", "consent_given_on": TODAY().isoformat()})
    assert r.status_code == 201, r.content
    nid = r.json()["id"]
    assert nid in [n["id"] for n in client_for("ke").get(API + "/inbox").json()["notifications"]]
    assert nid not in [n["id"] for n in client_for("outsider").get(API + "/inbox").json()["notifications"]]
    assert post(client_for("ke"), f"/need-notifications/{nid}/acknowledge", {"on": TODAY().isoformat()}).json()["status"] == "acknowledged"
    r = post(client_for("ke"), f"/need-notifications/{nid}/register-request", {})
    assert r.status_code == 200 and r.json()["status"] == "handled" and r.json()["request_id"]
    out = client_for("clinician").get(API + "/outbox").json()
    assert [n["status"] for n in out if n["id"] == nid] == ["handled"]
    assert NeedNotification.objects.get(pk=nid).request.channel == "need_notification"

    t = loop["t"]
    for item in ["plan_handed_over", "person_informed", "new_coordinator_introduced", "gp_informed", "consent_renewed"]:
        assert post(client_for("ke"), f"/transfers/{t.pk}/items/{item}", {"state": "done"}).status_code == 200
    r = post(client_for("ke"), f"/transfers/{t.pk}/complete", {"coordinator_id": world.users["coordinator2"].pk,
                                                              "unit_id": world.units["fjordvik_mh"].pk, "on": TODAY().isoformat()})
    assert r.status_code == 200 and r.json()["status"] == "completed" and r.json()["to_appointment_id"]

    r = post(client_for("ke"), "/partner-information", {"person_id": loop["other"].pk, "event": "coordinator_appointed"})
    assert r.status_code == 409 and r.json()["code"] == "objected"
    r = post(client_for("ke"), "/partner-information", {"person_id": loop["patient"].pk, "event": "coordinator_appointed"})
    assert r.status_code == 201 and r.json()

    r = post(client_for("ke"), f"/disagreements/{loop['d'].pk}/resolve", {"resolved_on": TODAY().isoformat(), "outcome": "Enige."})
    assert r.status_code == 200 and r.json()["status"] == "resolved"


def test_the_api_names_the_consent_and_gets_the_services_verdict(client_for, world, make_person, share):
    patient = make_person(involve=(("trust_ward", "clinician"),))
    body = {"person_id": patient.pk, "direction": "to_municipality", "sent_on": TODAY().isoformat(), "summary": "Trenger koordinator.", "contact_name": "Jonas",
            "needs_coordinator": True}
    school = share(patient, ["school"], units=[world.units["fjordvik_school"]])
    before = snapshot()
    r = post(client_for("clinician"), "/need-notifications", {**body, "consent_id": school.pk})
    assert r.status_code == 400 and "helse og funksjon" in r.json()["details"]["fields"]["consent"][0]
    r = post(client_for("clinician"), "/need-notifications", body)
    assert r.status_code == 400
    assert r.json()["details"]["fields"]["consent"][0].startswith("Velg samtykket som dekker å sende meldingen til Koordinerende enhet")
    assert snapshot() == before and not NeedNotification.objects.filter(person=patient).exists()
    ke = share(patient, ["health_function"], units=[world.units["fjordvik_ke"]])
    r = post(client_for("clinician"), "/need-notifications", {**body, "consent_id": ke.pk})
    assert r.status_code == 201, r.content
    assert r.json()["consent_id"] == ke.pk and r.json()["consent_given_on"] is None
