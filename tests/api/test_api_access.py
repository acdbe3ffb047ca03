"""Every API endpoint needs a login; what you may not see does not exist (404), and a refused call writes nothing."""

from __future__ import annotations

import re

import pytest

from helhet.api import api as ninja_api

pytestmark = pytest.mark.django_db


def _operations():
    schema = ninja_api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method in methods:
            yield method, re.sub(r"\{[^}]+\}", "1", path)


OPERATIONS = sorted(_operations())


def test_the_operation_list_is_not_empty():
    assert len(OPERATIONS) >= 20


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_endpoint_requires_login(client, snapshot, method, path):
    before = snapshot()
    r = (
        getattr(client, method)(path, data="{}", content_type="application/json")
        if method != "get"
        else client.get(path)
    )
    assert r.status_code == 401, (method, path, r.content)
    assert r["Content-Type"].startswith("application/json")
    assert r.json()["code"] == "unauthenticated"
    assert snapshot() == before


def _outsider_calls(case, world, users, ago):
    """(method, path, body) for every person-scoped endpoint, with bodies that would succeed for the KE."""
    from helhet.access.models import HealthSharingObjection

    p, req, dec, appeal, consent, appt = (
        case[k].pk for k in ("person", "request", "decision", "appeal", "consent", "appointment")
    )
    objection = HealthSharingObjection.objects.create(person=case["person"], objected_on=ago(3), given_by_name="Personen", how="oral",
                                                      recorded_by=users["ke"]).pk
    return [
        # (in this order: the KE withdraws the objection, then records a new one)
        ("post", f"/persons/health-sharing-objections/{objection}/withdraw", {}),
        ("post", f"/persons/{p}/health-sharing-objections", {"objected_on": ago(1), "given_by_name": "X", "how": "oral"}),
        ("get", f"/persons/{p}", None),
        ("patch", f"/persons/{p}", {"phone": "11111111"}),
        ("post", f"/persons/{p}/relatives", {"name": "X", "relationship": "sibling"}),
        ("post", f"/persons/{p}/involvements", {"unit_id": world.units["havbygd_care"].pk}),
        (
            "post",
            f"/persons/{p}/capacity-findings",
            {"capacity": "partial", "reasons": "x", "found_on": ago(1)},
        ),
        ("post", f"/persons/{p}/information", {"informed_on": ago(1)}),
        (
            "post",
            f"/persons/{p}/consents",
            {"kind": "coordinator", "given_by": "person", "method": "oral", "given_on": ago(1)},
        ),
        ("post", f"/persons/{p}/consents/{consent}/withdraw", {"on": ago(0)}),
        (
            "post",
            "/cases/requests",
            {
                "person_id": p,
                "received_on": ago(1),
                "channel": "written",
                "requester_kind": "person",
                "wants_ip": True,
            },
        ),
        ("get", f"/cases/requests/{req}", None),
        (
            "post",
            f"/cases/requests/{req}/assessment",
            {"assessed_on": ago(1), "long_term": True, "services_involved": 2, "reasons": "x"},
        ),
        ("post", f"/cases/requests/{req}/decision", {"decided_on": ago(1), "reasons": "x"}),
        ("post", f"/cases/decisions/{dec}/appeals", {"received_on": ago(1), "grounds": "x"}),
        ("post", f"/cases/appeals/{appeal}/advance", {"status": "under_review", "on": ago(1)}),
        (
            "post",
            "/cases/appointments",
            {
                "person_id": p,
                "kind": "child_coordinator",
                "coordinator_id": users["outsider"].pk,
                "unit_id": world.units["havbygd_ke"].pk,
                "start": ago(0),
            },
        ),
        ("get", f"/cases/appointments?person_id={p}", None),
        ("get", f"/cases/appointments/{appt}", None),
        (
            "post",
            f"/cases/appointments/{appt}/handover",
            {
                "coordinator_id": users["outsider"].pk,
                "unit_id": world.units["havbygd_ke"].pk,
                "on": ago(0),
                "reason": "x",
            },
        ),
        ("post", f"/cases/appointments/{appt}/end", {"on": ago(0), "reason": "x"}),
    ]


def test_an_outsider_gets_404_for_every_person_scoped_endpoint_and_writes_nothing(
    api_for, case, world, users, ago, snapshot
):
    outsider = api_for("outsider")
    calls = _outsider_calls(case, world, users, ago)
    # Every person-scoped persons/cases operation in the spec is covered here (only lists of one's own work are not person-scoped).
    covered = {(m, re.sub(r"\d+", "1", path.split("?")[0])) for m, path, _b in calls}
    own_lists = {
        ("get", "/api/v1/persons/"),
        ("post", "/api/v1/persons/"),
        ("get", "/api/v1/cases/requests"),
        ("get", "/api/v1/cases/ke-overview"),
        ("get", "/api/v1/cases/my-persons"),
    }
    mine = {
        (m, path) for m, path in OPERATIONS if path.startswith(("/api/v1/persons", "/api/v1/cases"))
    }  # plans has its own tests
    assert mine - own_lists == {(m, "/api/v1" + path) for m, path in covered}
    before = snapshot()
    for method, path, body in calls:
        if method == "get":
            base, _sep, query = path.partition("?")
            r = outsider.get(base, **dict(kv.split("=") for kv in query.split("&") if kv))
        else:
            r = getattr(outsider, method)(path, body)
        assert r.status_code == 404, (method, path, r.content)
        assert r.json()["code"] == "not_found"
    assert snapshot() == before


def test_an_outsider_sees_none_of_the_persons_in_lists(api_for, case):
    outsider = api_for("outsider")
    assert outsider.get("/persons/").json() == []
    assert outsider.get("/persons/", q=case["person"].national_id[:6]).json() == []
    assert outsider.get("/cases/requests").json() == []
    assert outsider.get("/cases/ke-overview").json()["coordinators"] == []
    assert outsider.get("/cases/my-persons").json() == []


def test_the_person_calls_succeed_for_the_ke(api_for, case, world, users, ago):
    """Guards the outsider test: its person bodies are valid, so those 404s are about access, not input."""
    ke = api_for("ke")
    calls = _outsider_calls(case, world, users, ago)
    for method, path, body in (
        calls[:3] + calls[4:10]
    ):  # [3]: a Havbygd unit is not the KE's to involve
        r = ke.get(path) if method == "get" else getattr(ke, method)(path, body)
        assert r.status_code in (200, 201), (method, path, r.content)
