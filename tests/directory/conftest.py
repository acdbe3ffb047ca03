from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

TODAY = timezone.localdate  # called per use: a constant taken at import goes stale when a run passes midnight


@pytest.fixture(autouse=True)
def directory(db):
    """The shipped directory (its data migration loads it; a transactional test elsewhere may have flushed it)."""
    from helhet.directory.loader import load
    from helhet.directory.models import CoordinatingUnitContact, Municipality

    if not Municipality.objects.exists():
        load(Municipality, CoordinatingUnitContact)


@pytest.fixture
def bergen_resident(world, users):
    """A person whose home municipality (Bergen, 4601) does not use Helhet, in hospital with a hospital coordinator."""
    from helhet.cases.models import CoordinatorAppointment
    from helhet.directory.models import Municipality
    from helhet.people.models import Involvement, Person
    from tests.conftest import _unused_national_id

    person = Person(given_name="Sunniva", family_name="Vestbø", national_id=_unused_national_id(dt.date(1975, 3, 9), 4601),
                    home_municipality=None, home_municipality_entry=Municipality.objects.get(number="4601"))
    person.full_clean()
    person.save()
    start = TODAY() - dt.timedelta(days=5)
    Involvement.objects.create(person=person, unit=world.units["trust_ward"], staff=users["clinician"], start=start)
    CoordinatorAppointment.objects.create(person=person, kind=CoordinatorAppointment.Kind.HOSPITAL_COORDINATOR,
                                          coordinator=users["hospital_coordinator"], unit=world.units["trust_ward"],
                                          appointed_by=users["unit_leader"], start=start)
    return person


@pytest.fixture
def real_bergen_address():
    """The shipped contact is an example (nothing is mailed to it, nor to any .example address); as an administrator
    would, enter a checked one (.test is reserved too, RFC 2606)."""
    from helhet.directory.models import CoordinatingUnitContact

    c = CoordinatingUnitContact.objects.get(municipality__number="4601")
    c.email, c.is_example = "koordinerende.enhet@bergen.test", False
    c.save()
    return c


@pytest.fixture
def join_bergen(world):
    """Bergen joins Helhet: a tenant with kommunenummer 4601 and a KE officer."""
    from helhet.core.validators import make_org_number
    from helhet.organizations.models import Organization, Role, User
    from helhet.organizations.services import coordinating_unit, membership_add, organization_create

    def join():
        org = organization_create(name="Bergen kommune", kind=Organization.Kind.MUNICIPALITY, org_number=make_org_number(93004601),
                                  municipality_number="4601")
        user = User.objects.create(username="bergen-ke", first_name="Berit", last_name="Bergen")
        membership_add(user=user, unit=coordinating_unit(org), role=Role.KE_OFFICER)
        return org, user

    return join
