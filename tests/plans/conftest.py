"""Plan fixtures: a person with an appointed coordinator and consent to the plan work, and their plan."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    # Sub-plan files go to a throwaway directory.
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture
def appoint(world, users):
    """appoint(person, user_key='coordinator') -> an open CoordinatorAppointment (gives Rel.COORDINATOR)."""
    from helhet.cases.models import CoordinatorAppointment

    def make(person, user_key: str = "coordinator", unit_key: str = "fjordvik_care"):
        return CoordinatorAppointment.objects.create(person=person, kind="coordinator", coordinator=users[user_key], unit=world.units[unit_key],
                                                     appointed_by=users["ke"], start=timezone.localdate() - dt.timedelta(days=5))

    return make


@pytest.fixture
def plan_person(person, appoint, consent_for):
    appoint(person)
    consent_for(person, kind="plan_work")
    return person


@pytest.fixture
def make_plan(world, users):
    from helhet.plans import services

    def make(person, actor_key: str = "coordinator", **kw):
        kw.setdefault("main_sector", "health_care")
        kw.setdefault("main_unit_id", world.units["fjordvik_care"].pk)
        return services.plan_create(actor=users[actor_key], person_id=person.pk, **kw)

    return make


@pytest.fixture
def plan(plan_person, make_plan):
    return make_plan(plan_person)
