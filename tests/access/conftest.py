"""A plan with one item per information category, each marked with a unique token, and helpers to give consent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from helhet.consent.categories import CATEGORY_VALUES


def token(category: str) -> str:
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
        services.need_add(actor=c, plan_id=plan.pk, based_on_version=v, text=token(category), category=category)
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


def visible_tokens(text: str) -> set[str]:
    return {c for c in CATEGORY_VALUES if token(c) in text}
