"""Meeting fixtures: a person with an appointed coordinator, consent to the plan work, a plan whose group has
the person, a relative, NAV and the teacher as participants, and a helper to convene a meeting."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone


@pytest.fixture(autouse=True)
def _mail(settings, monkeypatch):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # These tests read the messages the services queue; the test transaction never commits, so the outbox's
    # after-commit send runs at once here. After-commit, failure and retry: tests/core/test_outbox.py.
    from helhet.core import outbox

    monkeypatch.setattr(outbox, "_on_commit", lambda func: func())


@pytest.fixture
def appoint(world, users):
    from helhet.cases.models import CoordinatorAppointment

    def make(person, user_key: str = "coordinator", unit_key: str = "fjordvik_care"):
        return CoordinatorAppointment.objects.create(person=person, kind="coordinator", coordinator=users[user_key], unit=world.units[unit_key],
                                                     appointed_by=users["ke"], start=timezone.localdate() - dt.timedelta(days=5))

    return make


@pytest.fixture
def plan(person, appoint, consent_for, world, users):
    """Mari's plan; participants: Mari herself, her mother (relative), NAV (staff) and the teacher (staff)."""
    from helhet.people.models import Relative
    from helhet.plans import services

    appoint(person)
    consent_for(person, kind="plan_work")
    person.email = "mari@example.invalid"
    person.save(update_fields=["email"])
    c = users["coordinator"]
    plan = services.plan_create(actor=c, person_id=person.pk, main_sector="health_care", main_unit_id=world.units["fjordvik_care"].pk)
    mother = Relative.objects.create(person=person, name="Eva Fjellheim", relationship="parent", email="eva@example.invalid", may_take_part=True)
    v = plan.version
    for fields in ({"kind": "person"}, {"kind": "relative", "relative_id": mother.pk},
                   {"kind": "staff", "user_id": users["nav"].pk, "unit_id": world.units["fjordvik_nav"].pk, "role": "NAV-veileder"},
                   {"kind": "staff", "user_id": users["teacher"].pk, "unit_id": world.units["fjordvik_school"].pk, "role": "Kontaktlærer"}):
        v = services.participant_add(actor=c, plan_id=plan.pk, based_on_version=v, **fields).plan.version
    plan.refresh_from_db()
    return plan


@pytest.fixture
def convene(users):
    """convene(plan, start=..., **kw) -> a Meeting (invitations sent) by the coordinator."""
    from helhet.meetings import services

    def make(plan, *, start: dt.datetime | None = None, actor_key: str = "coordinator", **kw):
        start = start or (timezone.now() + dt.timedelta(days=2)).replace(microsecond=0)
        kw.setdefault("title", "Møte i ansvarsgruppen")
        kw.setdefault("agenda", "1. Status\n2. Tiltak, ansvar; frister")
        kw.setdefault("place", "Fjordvik rådhus, møterom 2")
        return services.meeting_create(actor=users[actor_key], plan_id=plan.pk, start=start, end=start + dt.timedelta(hours=1), **kw)

    return make


@pytest.fixture
def held(plan, convene):
    """A meeting that started an hour ago (created in the future, then moved back in time in the database)."""
    from helhet.meetings.models import Meeting

    meeting = convene(plan)
    start = timezone.now() - dt.timedelta(hours=2)
    Meeting.objects.filter(pk=meeting.pk).update(start=start, end=start + dt.timedelta(hours=1))
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def share(person, users):
    """share(["general", ...], "nav", "teacher") -> a valid sharing consent naming those users (helhet.consent's sharing
    consent). Where that model has no categories yet, returns None: helhet.meetings.scopes' fallback then lets
    everyone with plan.view see "general" and only the person, coordinator and KE see the rest."""
    from helhet.consent.models import Consent

    def make(categories, *user_keys):
        if not any(f.name == "categories" for f in Consent._meta.get_fields()):
            return None
        today = timezone.localdate()
        consent = Consent.objects.create(person=person, kind="sharing", given_by="person", given_by_name=person.full_name, method="oral",
                                         given_on=today - dt.timedelta(days=10), valid_to=today + dt.timedelta(days=365),
                                         categories=list(categories), purpose="Samarbeid i plangruppen", recorded_by=users["ke"])
        consent.recipient_users.set([users[k] for k in user_keys])
        return consent

    return make
