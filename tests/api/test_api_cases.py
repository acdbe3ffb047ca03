"""The case API: request -> assessment -> decision -> appeal, and coordinator appointments, through the services."""

from __future__ import annotations

import pytest

from helhet.audit.models import AuditEvent
from helhet.cases.models import CoordinatorAppointment

pytestmark = pytest.mark.django_db


def test_the_whole_case_flow_through_the_api(api_for, person, ago):
    api = api_for("ke")
    r = api.post(
        "/cases/requests",
        {
            "person_id": person.pk,
            "received_on": ago(20),
            "channel": "written",
            "requester_kind": "person",
            "wants_ip": True,
            "wants_coordinator": True,
        },
    )
    assert r.status_code == 201, r.content
    req = r.json()
    assert req["status"] == "registered" and req["assessment"] is None and req["decision"] is None

    r = api.post(
        f"/cases/requests/{req['id']}/assessment",
        {
            "assessed_on": ago(15),
            "long_term": True,
            "services_involved": 2,
            "reasons": "Langvarige tjenester fra to etater.",
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["meets_ip"] is True

    r = api.post(
        f"/cases/requests/{req['id']}/decision",
        {"decided_on": ago(10), "grants_coordinator": True, "reasons": "IP avslått."},
    )
    assert r.status_code == 201, r.content
    decision = r.json()
    assert decision["outcome"] == "partly"
    assert decision["appeal_route"]
    assert decision["rules_applied"], "the decision names the rules it applied"
    rule = decision["rules_applied"][0]
    assert set(rule) == {"code", "title", "source", "valid_from", "valid_to"}
    assert rule["source"] and len(rule["valid_from"]) == 10

    r = api.post(
        f"/cases/decisions/{decision['id']}/appeals",
        {"received_on": ago(5), "grounds": "Ønsker individuell plan."},
    )
    assert r.status_code == 201, r.content
    appeal = r.json()
    assert appeal["status"] == "received" and len(appeal["events"]) == 1

    r = api.post(f"/cases/appeals/{appeal['id']}/advance", {"status": "under_review", "on": ago(4)})
    assert r.status_code == 200, r.content
    r = api.post(
        f"/cases/appeals/{appeal['id']}/advance",
        {"status": "reversed", "on": ago(3), "note": "Tatt til følge."},
    )
    assert r.status_code == 200
    assert r.json()["is_open"] is False

    r = api.get(f"/cases/requests/{req['id']}")
    assert r.status_code == 200
    body = r.json()
    # Reversed: the person was given right, so the case is not over: the KE decides again (issue 11).
    assert body["status"] == "new_decision"
    assert body["decision"]["appeals"][0]["status"] == "reversed"
    assert body["decision"]["appeals"][0]["follow_up_request_id"]
    assert [e["status"] for e in body["decision"]["appeals"][0]["events"]] == [
        "received",
        "under_review",
        "reversed",
    ]


def test_get_request_audits_the_view(api_for, case, users):
    r = api_for("coordinator").get(f"/cases/requests/{case['request'].pk}")
    assert r.status_code == 200
    assert AuditEvent.objects.filter(
        action="view",
        actor=users["coordinator"],
        object_type="request",
        object_id=str(case["request"].pk),
    ).exists()


def test_staff_without_a_case_role_cannot_read_a_request(api_for, case):
    assert api_for("nav").get(f"/cases/requests/{case['request'].pk}").status_code == 404


def test_ke_lists_requests_with_filters(api_for, case):
    api = api_for("ke")
    assert [r["id"] for r in api.get("/cases/requests").json()] == [case["request"].pk]
    assert api.get("/cases/requests", status="registered").json() == []
    assert [
        r["id"]
        for r in api.get("/cases/requests", status="appealed", kind="coordinator", q="Fjell").json()
    ] == [case["request"].pk]
    assert api.get("/cases/requests", q="Nobody").json() == []
    r = api.get("/cases/requests", status="nonsense")
    assert r.status_code == 400 and r.json()["code"] == "invalid"


def test_ke_overview_shows_counts_and_open_appeals(api_for, case):
    r = api_for("ke").get("/cases/ke-overview")
    assert r.status_code == 200
    body = r.json()
    assert body["counts"]["appealed"] == 1
    assert [a["id"] for a in body["appeals"]] == [case["appeal"].pk]
    assert [c["id"] for c in body["coordinators"]] == [case["appointment"].pk]


def test_only_ke_officers_have_an_overview(api_for, case):
    assert api_for("coordinator").get("/cases/requests").status_code == 404
    assert api_for("coordinator").get("/cases/ke-overview").status_code == 404


def test_bad_request_input_is_400_and_writes_nothing(api_for, person, ago, snapshot):
    api = api_for("ke")
    before = snapshot()
    base = {
        "person_id": person.pk,
        "received_on": ago(1),
        "channel": "written",
        "requester_kind": "person",
        "wants_ip": True,
    }
    for body in [
        {**base, "wants_ip": False},
        {**base, "received_on": ago(-1)},
        {**base, "channel": "pigeon"},
        {**base, "received_on": "i går"},
        {k: v for k, v in base.items() if k != "channel"},
    ]:
        r = api.post("/cases/requests", body)
        assert r.status_code == 400, (body, r.content)
        assert set(r.json()) == {"code", "message", "details"}
    assert snapshot() == before


def test_a_decision_before_assessment_is_a_conflict(api_for, person, ago, snapshot):
    api = api_for("ke")
    req = api.post(
        "/cases/requests",
        {
            "person_id": person.pk,
            "received_on": ago(3),
            "channel": "oral",
            "requester_kind": "relative",
            "wants_coordinator": True,
        },
    ).json()
    before = snapshot()
    r = api.post(
        f"/cases/requests/{req['id']}/decision",
        {"decided_on": ago(1), "grants_coordinator": True, "reasons": "x"},
    )
    assert r.status_code == 409 and r.json()["code"] == "not_assessed"
    r = api.post(
        f"/cases/requests/{req['id']}/assessment",
        {"assessed_on": ago(1), "long_term": True, "services_involved": -1, "reasons": "x"},
    )
    assert r.status_code == 400
    assert snapshot() == before


def test_a_fully_granted_decision_is_not_appealable(api_for, person, ago, snapshot):
    api = api_for("ke")
    req = api.post(
        "/cases/requests",
        {
            "person_id": person.pk,
            "received_on": ago(9),
            "channel": "written",
            "requester_kind": "person",
            "wants_coordinator": True,
        },
    ).json()
    api.post(
        f"/cases/requests/{req['id']}/assessment",
        {"assessed_on": ago(8), "long_term": True, "services_involved": 2, "reasons": "ok"},
    )
    decision = api.post(
        f"/cases/requests/{req['id']}/decision",
        {"decided_on": ago(7), "grants_coordinator": True, "reasons": "ok"},
    ).json()
    assert decision["outcome"] == "granted" and decision["appeal_route"] == ""
    before = snapshot()
    r = api.post(
        f"/cases/decisions/{decision['id']}/appeals", {"received_on": ago(2), "grounds": "Uenig."}
    )
    assert r.status_code == 409 and r.json()["code"] == "not_appealable"
    assert snapshot() == before


def test_an_appeal_cannot_skip_steps(api_for, case, ago, snapshot):
    before = snapshot()
    r = api_for("ke").post(
        f"/cases/appeals/{case['appeal'].pk}/advance", {"status": "upheld_by_sf", "on": ago(1)}
    )
    assert r.status_code == 409 and r.json()["code"] == "bad_transition"
    assert snapshot() == before


# --- coordinator appointments --------------------------------------------------------------------------------------


def test_appoint_and_read_a_coordinator(api_for, person, world, users, consent_for, ago):
    consent_for(person)
    api = api_for("ke")
    r = api.post(
        "/cases/appointments",
        {
            "person_id": person.pk,
            "kind": "coordinator",
            "coordinator_id": users["coordinator"].pk,
            "unit_id": world.units["fjordvik_care"].pk,
            "start": ago(1),
            "person_wish": "Ola",
        },
    )
    assert r.status_code == 201, r.content
    appointment = r.json()
    assert appointment["coordinator_name"] == "Ola Strand" and appointment["end"] is None
    r = api.get(f"/cases/appointments/{appointment['id']}")
    assert r.status_code == 200
    assert AuditEvent.objects.filter(
        action="view", actor=users["ke"], object_type="coordinatorappointment"
    ).exists()
    assert [a["id"] for a in api.get("/cases/appointments", person_id=person.pk).json()] == [
        appointment["id"]
    ]
    mine = api_for("coordinator").get("/cases/my-persons").json()
    assert [(m["id"], m["person"]["id"]) for m in mine] == [(appointment["id"], person.pk)]
    assert api_for("coordinator2").get("/cases/my-persons").json() == []


def test_a_second_open_coordinator_of_the_same_kind_is_a_conflict(
    api_for, case, world, users, ago, snapshot
):
    before = snapshot()
    r = api_for("ke").post(
        "/cases/appointments",
        {
            "person_id": case["person"].pk,
            "kind": "coordinator",
            "coordinator_id": users["coordinator2"].pk,
            "unit_id": world.units["fjordvik_mh"].pk,
            "start": ago(0),
        },
    )
    assert r.status_code == 409 and r.json()["code"] == "coordinator_exists"
    assert snapshot() == before


def test_appointing_without_consent_is_a_conflict(api_for, person, world, users, ago, snapshot):
    before = snapshot()
    r = api_for("ke").post(
        "/cases/appointments",
        {
            "person_id": person.pk,
            "kind": "coordinator",
            "coordinator_id": users["coordinator"].pk,
            "unit_id": world.units["fjordvik_care"].pk,
            "start": ago(0),
        },
    )
    assert r.status_code == 409 and r.json()["code"] == "no_consent"
    assert snapshot() == before


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "boss"},
        {"unit_id": "care"},
        {"start": "2024-02-30"},
        {"unit_key": "havbygd_care"},
        {"coordinator": "nav"},
        {"kind": "child_coordinator"},
    ],
)
def test_bad_appointment_input_is_400_and_writes_nothing(
    api_for, person, world, users, consent_for, ago, snapshot, change
):
    consent_for(person)
    body = {
        "person_id": person.pk,
        "kind": "coordinator",
        "coordinator_id": users[change.pop("coordinator", "coordinator")].pk,
        "unit_id": world.units[change.pop("unit_key", "fjordvik_care")].pk,
        "start": ago(0),
        **change,
    }
    before = snapshot()
    r = api_for("ke").post("/cases/appointments", body)
    assert r.status_code == 400, r.content
    assert snapshot() == before


def test_handover_leaves_no_gap_and_a_stale_handover_is_a_conflict(
    api_for, case, world, users, ago, snapshot
):
    api = api_for("ke")
    old = case["appointment"]
    body = {
        "coordinator_id": users["coordinator2"].pk,
        "unit_id": world.units["fjordvik_mh"].pk,
        "on": ago(0),
        "reason": "Ny jobb",
    }
    r = api.post(f"/cases/appointments/{old.pk}/handover", body)
    assert r.status_code == 201, r.content
    new = r.json()
    assert new["replaces_id"] == old.pk and new["start"] == ago(0)
    old.refresh_from_db()
    assert old.end.isoformat() == new["start"]
    before = snapshot()
    r = api.post(
        f"/cases/appointments/{old.pk}/handover",
        {
            **body,
            "coordinator_id": users["coordinator"].pk,
            "unit_id": world.units["fjordvik_care"].pk,
        },
    )
    assert r.status_code == 409 and r.json()["code"] == "appointment_ended"
    assert snapshot() == before
    assert (
        CoordinatorAppointment.objects.filter(person=case["person"], end__isnull=True).count() == 1
    )


def test_a_handover_without_reason_is_400(api_for, case, world, users, ago, snapshot):
    before = snapshot()
    r = api_for("ke").post(
        f"/cases/appointments/{case['appointment'].pk}/handover",
        {
            "coordinator_id": users["coordinator2"].pk,
            "unit_id": world.units["fjordvik_mh"].pk,
            "on": ago(0),
            "reason": " ",
        },
    )
    assert r.status_code == 400
    assert snapshot() == before


def test_ending_an_appointment(api_for, case, ago, snapshot):
    api = api_for("ke")
    pk = case["appointment"].pk
    before = snapshot()
    assert (
        api.post(f"/cases/appointments/{pk}/end", {"on": ago(10), "reason": "x"}).status_code == 400
    )  # before start
    assert snapshot() == before
    r = api.post(f"/cases/appointments/{pk}/end", {"on": ago(0), "reason": "Flyttet"})
    assert r.status_code == 200 and r.json()["end"] == ago(0)
    assert (
        api.post(f"/cases/appointments/{pk}/end", {"on": ago(0), "reason": "Flyttet"}).status_code
        == 409
    )
