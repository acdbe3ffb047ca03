"""The personas every test uses, built on the same synthetic world as the demo (helhet/core/world.py).

Personas: ke (Fjordvik KE officer), coordinator, clinician (hospital), unit_leader (hospital),
nav, gp, teacher, outsider (KE officer in another municipality: must see nothing of Fjordvik's people),
plus `person` (a Fjordvik resident the coordinator and NAV are involved with) and `guardian` of a child.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from helhet.audit.testing import pytest_runtest_teardown  # noqa: F401  (lets transactional tests flush the append-only audit table on SQLite)
from helhet.core.world import DEMO_PASSWORD, World, build_world, synthetic_national_id


def pytest_configure(config):
    # Fast hashing in tests only; production uses Argon2 (settings.PASSWORD_HASHERS).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Two-factor is off for the personas (client_for, the e2e login); tests/accounts turns it on per test.
    settings.HELHET_REQUIRE_2FA = False


@pytest.fixture(autouse=True)
def _national_rules(request):
    """Transactional tests (browser, concurrency) flush every table, including the national rules a data
    migration loaded; put them back so every database test sees the law as shipped."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if not ({"db", "transactional_db"} & names or marker):
        return
    transactional = "transactional_db" in names or (marker is not None and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    from helhet.rules.models import Rule
    from helhet.rules.national import sync

    if not Rule.objects.filter(organization__isnull=True).exists():
        sync(Rule)


@pytest.fixture
def world(db) -> World:
    return build_world(password=DEMO_PASSWORD)


@pytest.fixture
def users(world):
    return world.users


_seq = iter(range(10_000))


@pytest.fixture
def make_person(world):
    """Create a Fjordvik resident (or elsewhere), optionally with involvements: make_person(involve=[(unit_key, user_key)])."""
    from helhet.people.models import Involvement, Person

    def make(*, birth: dt.date = dt.date(1980, 5, 17), home: str = "fjordvik", involve=(("fjordvik_care", "coordinator"),), **fields) -> Person:
        n = next(_seq)
        person = Person(
            given_name=fields.pop("given_name", f"Test{n}"), family_name=fields.pop("family_name", "Testesen"),
            national_id=fields.pop("national_id", synthetic_national_id(birth, 11 + n * 3)),
            home_municipality=world.orgs[home], **fields,
        )
        person.full_clean()
        person.save()
        start = timezone.localdate() - dt.timedelta(days=30)
        for unit_key, user_key in involve:
            Involvement.objects.create(person=person, unit=world.units[unit_key], staff=world.users.get(user_key) if user_key else None, start=start)
        return person

    return make


@pytest.fixture
def person(make_person):
    return make_person(given_name="Mari", family_name="Fjellheim", involve=(("fjordvik_care", "coordinator"), ("fjordvik_nav", "nav")))


@pytest.fixture
def client_for(world):
    """client_for("ke") -> a logged-in Django test Client for that persona."""

    def make(key: str) -> Client:
        client = Client()
        client.force_login(world.users[key])
        return client

    return make


@pytest.fixture
def consent_for(users):
    """Record a consent to coordinator / plan work for a person (what appointments and plans require)."""
    from helhet.consent.models import Consent

    def make(person, kind: str = "coordinator", given_on: dt.date | None = None):
        return Consent.objects.create(person=person, kind=kind, given_by="person", given_by_name=person.full_name, method="oral",
                                      given_on=given_on or timezone.localdate() - dt.timedelta(days=10), recorded_by=users["ke"])

    return make
