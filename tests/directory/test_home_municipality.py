"""The person's home municipality is chosen from the directory and validated against the date."""

from __future__ import annotations

import datetime as dt

import pytest

from helhet.core.errors import DomainError
from helhet.directory.selectors import resolve_municipality
from helhet.people import services
from helhet.people.models import Person
from tests.conftest import _unused_national_id

pytestmark = pytest.mark.django_db


def test_a_merged_municipality_resolves_to_its_successor_with_a_message():
    r = resolve_municipality("3001", dt.date(2024, 2, 1))
    assert r.municipality.number == "3101" and r.tenant is None
    assert "Halden (3001)" in r.note and "3101" in r.note
    assert resolve_municipality("3001", dt.date(2023, 6, 1)).note == ""  # still in force then
    assert resolve_municipality("1507", dt.date(2024, 2, 1)).municipality.number == "1508"


def test_an_unknown_number_is_a_field_error():
    with pytest.raises(DomainError) as exc:
        resolve_municipality("0000", dt.date(2024, 2, 1))
    assert exc.value.status == 400 and "finnes ikke" in exc.value.details["fields"]["home_municipality"][0]


def test_person_create_resolves_the_old_number_and_sets_the_tenant_when_there_is_one(world, users):
    p = services.person_create(actor=users["trust_ke"], national_id=_unused_national_id(dt.date(1990, 1, 2), 3001),
                               given_name="Hanne", family_name="Haldensen", home_municipality_number="3001")
    assert p.home_municipality_entry.number == "3101" and p.home_municipality is None
    assert "3101" in p.home_municipality_note
    # A synthetic tenant (9901, not in the directory) is still chosen by its number.
    q = services.person_create(actor=users["ke"], national_id=_unused_national_id(dt.date(1991, 1, 2), 9901),
                               given_name="Fia", family_name="Fjordvik", home_municipality_number="9901")
    assert q.home_municipality == world.orgs["fjordvik"] and q.home_municipality_entry is None


def test_the_form_offers_the_directory_and_refuses_free_text(client_for, world):
    c = client_for("trust_ke")
    page = c.get("/personer/ny/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="4601"' in body and "Bergen (4601)" in body and 'value="3001"' not in body
    data = {"national_id": _unused_national_id(dt.date(1985, 4, 4), 77), "given_name": "Bjørg", "family_name": "Bryggen",
            "preferred_language": "norsk"}
    bad = c.post("/personer/ny/", {**data, "home_municipality": "Bergen"})
    assert bad.status_code == 400 and not Person.objects.filter(family_name="Bryggen").exists()
    ok = c.post("/personer/ny/", {**data, "home_municipality": "4601"})
    assert ok.status_code == 302
    p = Person.objects.get(family_name="Bryggen")
    assert p.home_municipality_entry.number == "4601" and p.home_municipality is None
    assert "Bergen (4601)" in c.get(f"/personer/{p.pk}/").content.decode()
