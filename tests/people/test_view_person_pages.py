"""Browser pages for persons: register, person page, relatives, involvements, capacity findings.

Login required, outsiders get 404, bad input is a clear 400 that writes nothing, happy paths write the row
and an audit event, and the person page's query count does not grow with the number of requests/appointments.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from helhet.audit.models import AuditEvent
from helhet.core.world import synthetic_national_id
from helhet.people.models import CapacityFinding, Involvement, Person, Relative

TODAY = timezone.localdate  # called per use: a constant taken at import goes stale when a run passes midnight


def counts():
    return {m.__name__: m.objects.count() for m in (Person, Relative, Involvement, CapacityFinding)}


def _writes():
    return AuditEvent.objects.filter(action__in=["create", "update"]).count()


def _person_endpoints(world, person):
    return {
        "relative_add": (reverse("relative_add", args=[person.pk]),
                         {"name": "Per Fjellheim", "relationship": "parent", "may_consent": "on", "is_closest_relative": "on"},
                         {"name": "Søster", "relationship": "sibling", "may_consent": "on"}),  # only guardians/parents may consent
        "involvement_add": (reverse("involvement_add", args=[person.pk]),
                            {"unit": world.units["fjordvik_mh"].pk, "staff": world.users["coordinator2"].pk, "description": "Oppfølging", "start": TODAY().isoformat()},
                            {"unit": world.units["fjordvik_mh"].pk, "staff": world.users["nav"].pk, "start": TODAY().isoformat()}),  # not staff in that unit
        "capacity_finding_record": (reverse("capacity_finding_record", args=[person.pk]),
                                    {"capacity": "lacking", "reasons": "Alvorlig demens; kan ikke forstå hva samtykket gjelder.", "found_on": TODAY().isoformat()},
                                    {"capacity": "lacking", "reasons": "  ", "found_on": TODAY().isoformat()}),
    }


def _new_person_data(world, **extra):
    return {"national_id": synthetic_national_id(dt.date(1990, 3, 4), 77), "given_name": "Nora", "family_name": "Nyland",
            "home_municipality": world.orgs["fjordvik"].municipality_number, "preferred_language": "norsk", **extra}


def test_pages_require_login(world, person, client):
    urls = [reverse("person_list"), reverse("person_create"), reverse("person_detail", args=[person.pk])]
    urls += [url for url, _good, _bad in _person_endpoints(world, person).values()]
    for url in urls:
        for response in (client.get(url), client.post(url, {})):
            assert response.status_code in (302, 405) and (response.status_code == 405 or response["Location"].startswith("/login/")), url


def test_an_outsider_gets_404_and_nothing_is_written(world, person, client_for):
    client, before, writes = client_for("outsider"), counts(), _writes()
    assert client.get(reverse("person_detail", args=[person.pk])).status_code == 404
    for name, (url, good, _bad) in _person_endpoints(world, person).items():
        assert client.get(url).status_code == 404, name
        assert client.post(url, good).status_code == 404, name
    assert counts() == before and _writes() == writes


def test_staff_without_the_role_cannot_register_persons(world, client_for):
    client, before = client_for("coordinator"), counts()
    assert client.get(reverse("person_create")).status_code == 404
    assert client.post(reverse("person_create"), _new_person_data(world)).status_code == 404
    assert counts() == before


def test_the_form_pages_show(world, person, client_for):
    client = client_for("ke")
    assert client.get(reverse("person_create")).status_code == 200
    for name, (url, _good, _bad) in _person_endpoints(world, person).items():
        assert client.get(url).status_code == 200, name


def test_bad_input_is_a_clear_400_and_writes_nothing(world, person, client_for):
    client, before, writes = client_for("ke"), counts(), _writes()
    for name, (url, _good, bad) in _person_endpoints(world, person).items():
        response = client.post(url, bad)
        assert response.status_code == 400, name
        assert b'role="alert"' in response.content, name
    assert counts() == before and _writes() == writes


@pytest.mark.parametrize("name", ["relative_add", "involvement_add", "capacity_finding_record"])
def test_the_happy_path_writes_the_row_and_an_audit_event(name, world, person, client_for):
    url, good, _bad = _person_endpoints(world, person)[name]
    before, writes = counts(), _writes()
    response = client_for("ke").post(url, good)
    assert response.status_code == 302 and response["Location"] == reverse("person_detail", args=[person.pk])
    model = {"relative_add": "Relative", "involvement_add": "Involvement", "capacity_finding_record": "CapacityFinding"}[name]
    assert counts()[model] == before[model] + 1
    assert _writes() == writes + 1


def test_capacity_finding_updates_the_person(world, person, client_for):
    url, good, _bad = _person_endpoints(world, person)["capacity_finding_record"]
    client_for("ke").post(url, good)
    person.refresh_from_db()
    assert person.capacity_to_consent == "lacking"


# --- Register a person ---------------------------------------------------------------------------------------------


def test_register_a_person(world, client_for):
    writes = _writes()
    response = client_for("ke").post(reverse("person_create"), _new_person_data(world))
    assert response.status_code == 302
    person = Person.objects.get(family_name="Nyland")
    assert response["Location"] == reverse("person_detail", args=[person.pk])
    assert _writes() >= writes + 1
    assert AuditEvent.objects.filter(person=person, action="create").exists()


@pytest.mark.parametrize("national_id, message", [
    ("123", "11 siffer"),
    ("01019012345", "Kontrollsifrene"),
])
def test_register_shows_the_national_id_message_next_to_the_field(national_id, message, world, client_for):
    before = counts()
    response = client_for("ke").post(reverse("person_create"), _new_person_data(world, national_id=national_id))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'aria-describedby="id_national_id_helptext id_national_id_error"' in page
    assert 'id="id_national_id_error"' in page and 'aria-invalid="true"' in page
    assert counts() == before


def test_register_a_person_twice_is_a_409(world, person, client_for):
    before = counts()
    response = client_for("ke").post(reverse("person_create"), _new_person_data(world, national_id=person.national_id))
    assert response.status_code == 409 and "finnes allerede" in response.content.decode()
    assert counts() == before


# --- Person page ---------------------------------------------------------------------------------------------------


def test_person_page_shows_buttons_only_when_allowed(world, person, client_for):
    ke_page = client_for("ke").get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "Registrer henvendelse" in ke_page and "Oppnevn koordinator" in ke_page and "Legg til pårørende" in ke_page
    nav_page = client_for("nav").get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "Registrer henvendelse" not in nav_page and "Oppnevn koordinator" not in nav_page and "Legg til pårørende" not in nav_page
    assert "Registrer at personen er informert" in nav_page  # any working staff informs and records it


def _grow(world, person, consent_for, n):
    from helhet.cases import services
    from helhet.cases.models import CoordinatorAppointment

    ke = world.users["ke"]
    day = TODAY() - dt.timedelta(days=60)
    consent_for(person, given_on=day)
    for _i in range(n):
        r = services.request_create(actor=ke, person=person, received_on=day, channel="oral", requester_kind="person", wants_coordinator=True)
        services.assessment_create(actor=ke, request_id=r.pk, assessed_on=day, long_term=False, services_involved=1, reasons="x")
        d = services.decision_create(actor=ke, request_id=r.pk, decided_on=day, reasons="x")
        services.appeal_create(actor=ke, decision_id=d.pk, received_on=day, grounds="x")
    # A chain of appointments: one open, the rest handed over.
    open_ = CoordinatorAppointment.objects.filter(person=person, end__isnull=True).first()
    if open_ is None:
        open_ = services.coordinator_appoint(actor=ke, person=person, kind="coordinator", coordinator_id=world.users["coordinator"].pk,
                                             unit_id=world.units["fjordvik_care"].pk, start=day)
    for _i in range(n):
        swap = open_.coordinator_id == world.users["coordinator"].pk
        who = world.users["coordinator2"] if swap else world.users["coordinator"]
        unit = world.units["fjordvik_mh"] if swap else world.units["fjordvik_care"]
        open_ = services.coordinator_handover(actor=ke, appointment_id=open_.pk, coordinator_id=who.pk, unit_id=unit.pk,
                                              on=open_.start + dt.timedelta(days=1), reason="bytte")
    from helhet.people.services import relative_add

    relative_add(actor=ke, person=person, name=f"Pårørende {n}", relationship="sibling")


def test_person_page_query_count_does_not_grow(world, person, consent_for, client_for, django_assert_max_num_queries):
    client = client_for("ke")
    url = reverse("person_detail", args=[person.pk])
    client.get(url)
    _grow(world, person, consent_for, 1)
    # 27 on PostgreSQL: the audit chain takes an advisory lock there (one query SQLite does not run); one more than
    # before for the person's objections to sharing with health personnel.
    with django_assert_max_num_queries(27) as small:
        client.get(url)
    _grow(world, person, consent_for, 4)
    with django_assert_max_num_queries(27) as large:
        response = client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries), len(small.captured_queries)
    assert response.content.decode().count("<article") == 5


def test_ke_sees_the_coordinator_history(world, person, consent_for, client_for):
    _grow(world, person, consent_for, 2)
    page = client_for("ke").get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "Siri Berg" in page and "Ola Strand" in page and "bytte" in page
