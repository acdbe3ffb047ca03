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
from helhet.consent.categories import CATEGORY_VALUES
from helhet.core.world import DEMO_PASSWORD, World, build_world, synthetic_national_id


def pytest_configure(config):
    # Fast hashing in tests only; production uses Argon2 (settings.PASSWORD_HASHERS).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Two-factor is off for the personas (client_for, the e2e login); tests/accounts turns it on per test.
    settings.HELHET_REQUIRE_2FA = False
    settings.HELHET_ALLOW_SYNTHETIC_IDS = True  # the personas have synthetic national ids (month + 80)


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


def _unused_national_id(birth: dt.date, seed: int) -> str:
    """A synthetic national id no person in this test has yet (several seeds can reach the same valid number)."""
    from helhet.people.models import Person

    for step in range(0, 5000, 7):
        value = synthetic_national_id(birth, seed + step)
        if not Person.objects.filter(national_id=value).exists():
            return value
    raise ValueError("no unused synthetic national id")


@pytest.fixture
def make_person(world):
    """Create a Fjordvik resident (or elsewhere), optionally with involvements: make_person(involve=[(unit_key, user_key)])."""
    from helhet.people.models import Involvement, Person

    def make(*, birth: dt.date = dt.date(1980, 5, 17), home: str = "fjordvik", involve=(("fjordvik_care", "coordinator"),), **fields) -> Person:
        n = next(_seq)
        person = Person(
            given_name=fields.pop("given_name", f"Test{n}"), family_name=fields.pop("family_name", "Testesen"),
            national_id=fields.pop("national_id", None) or _unused_national_id(birth, 11 + n * 3),
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


# ---- a plan with one item per information category (tests/access, tests/consent) ----


def category_token(category: str) -> str:
    """A unique marker per information category: a response contains it only if that category was shown."""
    return f"TOKEN-{category.upper()}-Q7"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture
def shared_plan(world, users, person):
    """The person's plan (coordinator appointed, plan-work consent) with NAV and the teacher in the plan group and one
    need per category whose text is that category's token."""
    from helhet.cases.models import CoordinatorAppointment
    from helhet.consent.models import Consent
    from helhet.plans import services

    today = timezone.localdate()
    CoordinatorAppointment.objects.create(person=person, kind="coordinator", coordinator=users["coordinator"], unit=world.units["fjordvik_care"],
                                          appointed_by=users["ke"], start=today - dt.timedelta(days=5))
    Consent.objects.create(person=person, kind="plan_work", given_by="person", given_by_name=person.full_name, method="oral",
                           given_on=today - dt.timedelta(days=10), recorded_by=users["ke"])
    c = users["coordinator"]
    plan = services.plan_create(actor=c, person_id=person.pk, main_sector="health_care", main_unit_id=world.units["fjordvik_care"].pk)
    v = plan.version
    for key, unit in (("nav", "fjordvik_nav"), ("teacher", "fjordvik_school")):
        services.participant_add(actor=c, plan_id=plan.pk, based_on_version=v, kind="staff", user_id=users[key].pk, unit_id=world.units[unit].pk,
                                 role="Deltaker")
        v += 1
    for category in CATEGORY_VALUES:
        services.need_add(actor=c, plan_id=plan.pk, based_on_version=v, text=category_token(category), category=category)
        v += 1
    plan.refresh_from_db()
    return plan


@pytest.fixture
def share(users):
    """share(person, categories, users=[...keys], units=[...], valid_to=..., given_on=...) -> a sharing consent recorded by the KE."""
    from helhet.consent.services import sharing_consent_record

    def make(person, categories, *, to_users=(), units=(), valid_from=None, valid_to=None, given_on=None):
        today = timezone.localdate()
        return sharing_consent_record(actor=users["ke"], person=person, given_by="person", method="oral", given_on=given_on or today,
                                      categories=list(categories), purpose="Samarbeid i plangruppen", valid_from=valid_from,
                                      valid_to=valid_to or today + dt.timedelta(days=180),
                                      recipient_user_ids=[users[k].pk for k in to_users], recipient_unit_ids=[u.pk for u in units])

    return make


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On PostgreSQL the tests run as the app role (issue 9): pytest-django created and migrated the test database
    over DATABASE_URL (a superuser or the owner); then the roles are made sure of, the grants applied and the
    default connection switched to the app role, which may only SELECT and INSERT the audit tables
    (helhet.audit.testing.use_app_role). Transactional tests flush over the owner (helhet.audit.testing.as_owner).
    At the end it switches back so the test database can be dropped. A no-op on SQLite."""
    from django.db import connection

    from helhet.audit.testing import use_app_role, use_owner_role

    with django_db_blocker.unblock():
        use_app_role(connection)
    yield
    with django_db_blocker.unblock():
        use_owner_role(connection)
