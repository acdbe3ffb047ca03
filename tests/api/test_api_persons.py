"""The persons API: the same operations as the browser, through the same services."""

from __future__ import annotations

import pytest

from helhet.audit.models import AuditEvent
from helhet.core.world import synthetic_national_id

pytestmark = pytest.mark.django_db


def test_it_lists_and_searches_visible_persons(api_for, person, make_person):
    make_person(given_name="Other", family_name="Havbygding", home="havbygd", involve=())
    r = api_for("ke").get("/persons/", q="Fjell")
    assert r.status_code == 200
    assert [p["id"] for p in r.json()] == [person.pk]
    all_names = [p["family_name"] for p in api_for("ke").get("/persons/").json()]
    assert "Havbygding" not in all_names


def test_it_creates_a_person_and_returns_the_detail(api_for, world, snapshot):
    import datetime as dt

    before = snapshot()["Person"]
    r = api_for("ke").post(
        "/persons/",
        {
            "national_id": synthetic_national_id(dt.date(1990, 3, 4), 77),
            "given_name": "Ny",
            "family_name": "Person",
            "home_municipality_id": world.orgs["fjordvik"].pk,
            "phone": "12345678",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["birth_date"] == "1990-03-04"
    assert body["phone"] == "12345678"
    assert {item["key"] for item in body["checklist"]} >= {
        "informed",
        "consent",
        "coordinator_appointed",
    }
    assert len(body["involvements"]) == 1  # the creator's KE unit becomes involved
    assert snapshot()["Person"] == before + 1


def test_a_duplicate_national_id_is_a_conflict(api_for, person, snapshot):
    before = snapshot()
    r = api_for("ke").post(
        "/persons/",
        {
            "national_id": person.national_id,
            "given_name": "A",
            "family_name": "B",
            "home_municipality_id": person.home_municipality_id,
        },
    )
    assert r.status_code == 409
    assert r.json()["code"] == "person_exists"
    assert snapshot() == before


@pytest.mark.parametrize(
    "body",
    [
        {
            "national_id": "12345678901",
            "given_name": "A",
            "family_name": "B",
            "home_municipality_id": "FJORDVIK",
        },  # bad check digits
        {
            "national_id": "01019012345",
            "given_name": "A",
            "family_name": "B",
            "home_municipality_id": "TRUST",
        },  # not a municipality
        {"given_name": "A", "family_name": "B"},  # missing fields: pydantic
        {
            "national_id": 123,
            "given_name": "A",
            "family_name": "B",
            "home_municipality_id": "x",
        },  # wrong types
    ],
)
def test_bad_person_input_is_400_and_writes_nothing(api_for, world, snapshot, body):
    ids = {"FJORDVIK": world.orgs["fjordvik"].pk, "TRUST": world.orgs["trust"].pk}
    body = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    before = snapshot()
    r = api_for("ke").post("/persons/", body)
    assert r.status_code == 400, r.content
    assert set(r.json()) == {"code", "message", "details"}
    assert snapshot() == before


def test_malformed_json_is_400(api_for, snapshot):
    before = snapshot()
    r = api_for("ke").client.post(
        "/api/v1/persons/", data="{not json", content_type="application/json"
    )
    assert r.status_code == 400
    assert snapshot() == before


def test_get_person_returns_the_checklist_and_audits_the_view(api_for, person, users):
    r = api_for("coordinator").get(f"/persons/{person.pk}")
    assert r.status_code == 200
    body = r.json()
    assert body["national_id"] == person.national_id
    assert [i["key"] for i in body["checklist"]][:2] == ["informed", "wants"]
    assert AuditEvent.objects.filter(
        action="view", actor=users["coordinator"], person_id=person.pk
    ).exists()


def test_it_updates_only_the_contact_fields_sent(api_for, person):
    r = api_for("ke").patch(
        f"/persons/{person.pk}", {"phone": "99887766", "national_id": "00000000000"}
    )
    assert r.status_code == 200, r.content
    person.refresh_from_db()
    assert person.phone == "99887766"
    assert person.given_name == "Mari"


def test_a_bad_email_is_400_and_not_saved(api_for, person, snapshot):
    before = snapshot()
    r = api_for("ke").patch(f"/persons/{person.pk}", {"email": "not-an-email", "phone": "1"})
    assert r.status_code == 400
    assert "email" in r.json()["details"]["fields"]
    assert snapshot() == before


def test_relatives_are_added_and_listed_in_the_detail(api_for, person):
    api = api_for("ke")
    r = api.post(
        f"/persons/{person.pk}/relatives",
        {"name": "Guro Fjellheim", "relationship": "guardian", "may_consent": True},
    )
    assert r.status_code == 201, r.content
    assert [x["name"] for x in api.get(f"/persons/{person.pk}").json()["relatives"]] == [
        "Guro Fjellheim"
    ]


def test_a_sibling_cannot_be_registered_as_consenting(api_for, person, snapshot):
    before = snapshot()
    r = api_for("ke").post(
        f"/persons/{person.pk}/relatives",
        {"name": "Bror", "relationship": "sibling", "may_consent": True},
    )
    assert r.status_code == 400
    assert "may_consent" in r.json()["details"]["fields"]
    assert snapshot() == before


def test_involvements_are_added(api_for, person, world, users, ago):
    r = api_for("ke").post(
        f"/persons/{person.pk}/involvements",
        {
            "unit_id": world.units["fjordvik_gp"].pk,
            "staff_id": users["gp"].pk,
            "description": "Fastlege",
            "start": ago(1),
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["unit_name"] == world.units["fjordvik_gp"].name


def test_an_involvement_with_staff_from_another_unit_is_400(
    api_for, person, world, users, snapshot
):
    before = snapshot()
    r = api_for("ke").post(
        f"/persons/{person.pk}/involvements",
        {"unit_id": world.units["fjordvik_gp"].pk, "staff_id": users["nav"].pk},
    )
    assert r.status_code == 400
    assert snapshot() == before


def test_capacity_findings_are_recorded_with_reasons(api_for, person, ago, snapshot):
    api = api_for("coordinator")
    before = snapshot()
    r = api.post(
        f"/persons/{person.pk}/capacity-findings",
        {"capacity": "lacking", "reasons": " ", "found_on": ago(1)},
    )
    assert r.status_code == 400
    assert snapshot() == before
    r = api.post(
        f"/persons/{person.pk}/capacity-findings",
        {"capacity": "lacking", "reasons": "Demens, vurdert av lege.", "found_on": ago(1)},
    )
    assert r.status_code == 201, r.content
    person.refresh_from_db()
    assert person.capacity_to_consent == "lacking"


def test_information_records_are_created_and_future_dates_refused(api_for, person, ago, snapshot):
    api = api_for("coordinator")
    r = api.post(
        f"/persons/{person.pk}/information",
        {"informed_on": ago(2), "wants_ip": "wants", "wants_coordinator": "declines"},
    )
    assert r.status_code == 201, r.content
    assert r.json()["wants_ip"] == "wants"
    before = snapshot()
    r = api.post(f"/persons/{person.pk}/information", {"informed_on": ago(-3)})
    assert r.status_code == 400
    r = api.post(f"/persons/{person.pk}/information", {"informed_on": "17.05.2024"})
    assert r.status_code == 400
    assert snapshot() == before


def test_consent_is_recorded_and_withdrawn(api_for, person, ago):
    api = api_for("ke")
    r = api.post(
        f"/persons/{person.pk}/consents",
        {"kind": "coordinator", "given_by": "person", "method": "oral", "given_on": ago(3)},
    )
    assert r.status_code == 201, r.content
    consent = r.json()
    assert consent["given_by_name"] == person.full_name
    r = api.post(
        f"/persons/{person.pk}/consents/{consent['id']}/withdraw",
        {"on": ago(0), "note": "Ønsker ikke lenger."},
    )
    assert r.status_code == 200, r.content
    assert r.json()["withdrawn_on"] == ago(0)
    r = api.post(f"/persons/{person.pk}/consents/{consent['id']}/withdraw", {"on": ago(0)})
    assert r.status_code == 409
    assert r.json()["code"] == "already_withdrawn"


def test_consent_from_a_guardian_needs_a_registered_guardian(api_for, person, ago, snapshot):
    before = snapshot()
    r = api_for("ke").post(
        f"/persons/{person.pk}/consents",
        {"kind": "coordinator", "given_by": "guardian", "method": "paper", "given_on": ago(1)},
    )
    assert r.status_code == 400
    assert snapshot() == before


def test_withdrawing_another_persons_consent_through_this_person_is_404(
    api_for, person, make_person, consent_for, ago
):
    other = make_person()
    consent = consent_for(other)
    r = api_for("ke").post(f"/persons/{person.pk}/consents/{consent.pk}/withdraw", {"on": ago(0)})
    assert r.status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_on is None
