"""A measure assigned to someone who cannot see it under the consent is saved, with a warning (issue 11): the page shows
it, the API answers `warnings`. The question goes to helhet/access (plan_access of the responsible person)."""

from __future__ import annotations

import pytest

from helhet.plans.models import Measure

API = "/api/v1/plans"


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


@pytest.mark.parametrize("key", ["teacher", "gp"])
def test_the_api_saves_and_warns_when_the_responsible_person_cannot_see_the_measure(client_for, plan, users, key):
    r = _post(client_for("coordinator"), f"{API}/{plan.pk}/measures",
              {"based_on_version": plan.version, "title": "Tilrettelegging", "responsible_person_id": users[key].pk})
    assert r.status_code == 201, r.content
    body = r.json()
    assert Measure.objects.get(pk=body["id"]).responsible_person == users[key]
    name = users[key].get_full_name() or users[key].username
    assert len(body["warnings"]) == 1 and body["warnings"][0].startswith(f"{name} kan ikke se dette tiltaket med samtykket som gjelder nå")


def test_no_warning_when_the_responsible_person_sees_the_plan(client_for, plan, users):
    r = _post(client_for("coordinator"), f"{API}/{plan.pk}/measures",
              {"based_on_version": plan.version, "title": "Oppfølging", "responsible_person_id": users["coordinator"].pk})
    assert r.status_code == 201 and r.json()["warnings"] == []


def test_no_warning_without_a_responsible_person(client_for, plan):
    r = _post(client_for("coordinator"), f"{API}/{plan.pk}/measures", {"based_on_version": plan.version, "title": "Oppfølging"})
    assert r.status_code == 201 and r.json()["warnings"] == []


def test_a_sharing_consent_that_covers_the_measure_removes_the_warning(client_for, plan, users, share, world):
    from helhet.consent.categories import SECTION_DEFAULTS
    from helhet.plans import services

    services.participant_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=plan.version, kind="staff",
                             user_id=users["teacher"].pk, unit_id=world.units["fjordvik_school"].pk, role="Lærer")
    share(plan.person, [SECTION_DEFAULTS["measures"]], to_users=["teacher"])
    plan.refresh_from_db()
    r = _post(client_for("coordinator"), f"{API}/{plan.pk}/measures",
              {"based_on_version": plan.version, "title": "Tilrettelegging", "responsible_person_id": users["teacher"].pk})
    assert r.status_code == 201 and r.json()["warnings"] == []


def test_the_patch_warns_too(client_for, plan, users):
    c = client_for("coordinator")
    made = _post(c, f"{API}/{plan.pk}/measures", {"based_on_version": plan.version, "title": "Tilrettelegging"}).json()
    r = c.patch(f"{API}/{plan.pk}/measures/{made['id']}", {"based_on_version": made["version"], "responsible_person_id": users["gp"].pk},
                content_type="application/json")
    assert r.status_code == 200, r.content
    assert len(r.json()["warnings"]) == 1


def test_the_page_shows_the_warning_after_saving(client_for, plan, users, world):
    c = client_for("coordinator")
    r = c.post(f"/planer/{plan.pk}/tiltak/ny/", {"based_on_version": plan.version, "title": "Tilrettelegging i klassen",
                                                "responsible_unit": world.units["fjordvik_school"].pk,
                                                "responsible_person": users["teacher"].pk, "status": "planned"}, follow=True)
    assert r.status_code == 200, r.content.decode()[:2000]
    assert Measure.objects.filter(plan=plan, responsible_person=users["teacher"]).exists()
    assert "kan ikke se dette tiltaket med samtykket som gjelder nå" in r.content.decode()


def test_the_htmx_section_shows_the_warning(client_for, plan, users, world):
    c = client_for("coordinator")
    r = c.post(f"/planer/{plan.pk}/tiltak/ny/", {"based_on_version": plan.version, "title": "Tilrettelegging i klassen",
                                                "responsible_unit": world.units["fjordvik_school"].pk,
                                                "responsible_person": users["teacher"].pk, "status": "planned"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-color="warning"' in html and "kan ikke se dette tiltaket" in html
