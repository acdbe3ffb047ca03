"""Coordinator appointments: consent first, one open per kind, handover without gap, hospital by the unit leader."""

import datetime as dt

import pytest
from django.utils import timezone

from helhet.cases import services
from helhet.cases.models import CoordinatorAppointment
from helhet.core.errors import Conflict, DomainError, NotFound

TODAY = timezone.localdate


def _appoint(users, world, person, **kw):
    args = dict(actor=users["ke"], person=person, kind="coordinator", coordinator_id=users["coordinator"].pk,
                unit_id=world.units["fjordvik_care"].pk, start=TODAY() - dt.timedelta(days=2), person_wish="Ønsker Ola.")
    args.update(kw)
    return services.coordinator_appoint(**args)


def test_no_appointment_without_consent(users, world, person):
    with pytest.raises(Conflict) as exc:
        _appoint(users, world, person)
    assert exc.value.code == "no_consent"
    assert not CoordinatorAppointment.objects.exists()


def test_appointment_with_consent_records_the_wish(users, world, person, consent_for):
    consent_for(person)
    a = _appoint(users, world, person)
    assert a.person_wish == "Ønsker Ola." and a.end is None


def test_a_second_open_coordinator_of_the_same_kind_is_a_conflict(users, world, person, consent_for):
    consent_for(person)
    _appoint(users, world, person)
    with pytest.raises(Conflict) as exc:
        _appoint(users, world, person, coordinator_id=users["coordinator2"].pk, unit_id=world.units["fjordvik_mh"].pk)
    assert "Bytt koordinator" in exc.value.message
    assert CoordinatorAppointment.objects.filter(person=person, end__isnull=True).count() == 1


def test_handover_leaves_no_gap_and_no_overlap(users, world, person, consent_for):
    consent_for(person, given_on=TODAY() - dt.timedelta(days=30))
    old = _appoint(users, world, person, start=TODAY() - dt.timedelta(days=20))
    on = TODAY() - dt.timedelta(days=1)
    new = services.coordinator_handover(actor=users["ke"], appointment_id=old.pk, coordinator_id=users["coordinator2"].pk,
                                        unit_id=world.units["fjordvik_mh"].pk, on=on, reason="Ola slutter.")
    old.refresh_from_db()
    assert old.end == new.start == on and new.replaces_id == old.pk
    for offset in range(-25, 5):
        day = TODAY() + dt.timedelta(days=offset)
        active = [a for a in CoordinatorAppointment.objects.filter(person=person) if a.active_on(day)]
        assert len(active) == (1 if day >= old.start else 0), day
    with pytest.raises(Conflict):
        services.coordinator_handover(actor=users["ke"], appointment_id=old.pk, coordinator_id=users["coordinator"].pk,
                                      unit_id=world.units["fjordvik_care"].pk, on=on, reason="Igjen.")


def test_the_coordinator_must_work_in_the_chosen_unit(users, world, person, consent_for):
    consent_for(person)
    with pytest.raises(DomainError) as exc:
        _appoint(users, world, person, unit_id=world.units["fjordvik_nav"].pk)
    assert exc.value.status == 400


def test_child_coordinator_only_for_children(users, world, make_person, consent_for):
    adult = make_person(birth=dt.date(1990, 1, 1))
    consent_for(adult)
    with pytest.raises(DomainError):
        _appoint(users, world, adult, kind="child_coordinator")
    child = make_person(birth=TODAY() - dt.timedelta(days=365 * 8))
    consent_for(child)
    assert _appoint(users, world, child, kind="child_coordinator").kind == "child_coordinator"


def test_the_hospital_coordinator_is_appointed_by_the_unit_leader(users, world, make_person, consent_for):
    patient = make_person(involve=(("trust_ward", "clinician"),))
    consent_for(patient)
    a = services.coordinator_appoint(actor=users["unit_leader"], person=patient, kind="hospital_coordinator",
                                     coordinator_id=users["hospital_coordinator"].pk, unit_id=world.units["trust_ward"].pk, start=TODAY())
    assert a.kind == "hospital_coordinator"
    # The unit leader may not appoint the municipal coordinator.
    with pytest.raises(NotFound):
        _appoint(users, world, patient, actor=users["unit_leader"])


def test_the_municipal_ke_cannot_appoint_from_another_tenants_unit(users, world, person, consent_for):
    consent_for(person)
    with pytest.raises(DomainError):
        _appoint(users, world, person, coordinator_id=users["hospital_coordinator"].pk, unit_id=world.units["trust_ward"].pk)


def test_ending_an_appointment(users, world, person, consent_for):
    consent_for(person, given_on=TODAY() - dt.timedelta(days=30))
    a = _appoint(users, world, person, start=TODAY() - dt.timedelta(days=10))
    services.coordinator_end(actor=users["ke"], appointment_id=a.pk, on=TODAY(), reason="Behovet er borte.")
    a.refresh_from_db()
    assert a.end == TODAY() and not a.active_on(TODAY())
