"""The KE's training register, and each KE editing its own directory entry."""

from __future__ import annotations

import pytest
from django.test import Client

from helhet.core.errors import DomainError, NotFound
from helhet.directory import selectors, services
from helhet.directory.models import CoordinatingUnitContact, CoordinatorTraining, Municipality

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def _without(actor, org):
    [tenant] = [t for t in selectors.training_overview(actor=actor) if t["organization"] == org]
    return {u.username for u in tenant["without"]}


def test_the_training_list_shows_active_coordinators_without_training(world, users, client_for):
    fjordvik = world.orgs["fjordvik"]
    assert _without(users["ke"], fjordvik) == {"koordinator", "koordinator2"}
    services.training_record(actor=users["ke"], organization_id=fjordvik.pk, coordinator_id=users["coordinator"].pk, kind="course",
                             held_on=TODAY(), given_by="KE Fjordvik", topic="Individuell plan")
    assert _without(users["ke"], fjordvik) == {"koordinator2"}
    page = client_for("ke").get("/ke/opplaering/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Siri Berg" in body and "KE Fjordvik" in body and "data-without-training" in body
    assert client_for("coordinator").get("/ke/opplaering/").status_code == 404


def test_training_is_validated_and_only_the_tenants_ke_records_it(world, users, client_for):
    fjordvik = world.orgs["fjordvik"]
    with pytest.raises(DomainError) as exc:
        services.training_record(actor=users["ke"], organization_id=fjordvik.pk, coordinator_id=users["nav"].pk, kind="course",
                                 held_on=TODAY(), given_by="KE")
    assert "coordinator" in exc.value.details["fields"]
    with pytest.raises(NotFound):
        services.training_record(actor=users["outsider"], organization_id=fjordvik.pk, coordinator_id=users["coordinator"].pk,
                                 kind="guidance", held_on=TODAY(), given_by="x")
    c = client_for("ke")
    url = f"/ke/opplaering/{fjordvik.pk}/ny/"
    assert c.post(url, {"coordinator": users["coordinator2"].pk, "kind": "guidance", "held_on": TODAY().isoformat(), "given_by": ""}).status_code == 400
    assert c.post(url, {"coordinator": users["coordinator2"].pk, "kind": "guidance", "held_on": TODAY().isoformat(),
                        "given_by": "Kari Nordvik"}).status_code == 302
    assert CoordinatorTraining.objects.filter(coordinator=users["coordinator2"], kind="guidance").exists()
    assert client_for("outsider").get(url).status_code == 404


def test_the_directory_page_needs_a_login_and_lists_the_examples(client_for):
    assert Client().get("/kommuneregister/").status_code == 302
    page = client_for("clinician").get("/kommuneregister/?q=Bergen")
    assert page.status_code == 200 and "Bergen" in page.content.decode() and "Eksempel" in page.content.decode()


def test_a_ke_edits_its_own_entry_only(world, users, join_bergen):
    org, bergen_ke = join_bergen()
    bergen = Municipality.objects.get(number="4601")
    with pytest.raises(NotFound):
        services.contact_update(actor=users["ke"], municipality_id=bergen.pk, name="Fjordvik tar over")
    browser = Client()
    browser.force_login(bergen_ke)
    assert f"/kommuneregister/{bergen.pk}/endre/" in browser.get("/kommuneregister/?q=4601").content.decode()
    form = {"name": "Koordinerende enhet Bergen", "postal_address": "Postboks 1, 5020 Bergen", "email": "ke@bergen.example",
            "phone": "55 00 00 00", "org_number": "964338532"}
    bad = browser.post(f"/kommuneregister/{bergen.pk}/endre/", form)
    assert bad.status_code == 400 and "Kontrollsifferet" in bad.content.decode()
    assert browser.post(f"/kommuneregister/{bergen.pk}/endre/", {**form, "org_number": "964338531"}).status_code == 302
    c = CoordinatingUnitContact.objects.get(municipality=bergen)
    assert (c.email, c.is_example, c.updated_by) == ("ke@bergen.example", False, bergen_ke)
