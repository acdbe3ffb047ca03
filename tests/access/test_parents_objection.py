"""The representing block of helhet.access.facts with a young person's objection to the parents being informed
(consent.ParentsInformationObjection): which ages it reaches comes from the rules (consent.parents-information), only
a respected objection in force counts, and only a parent is narrowed (a guardian who is not a parent keeps acting)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from helhet.access import facts
from helhet.access.queries import relationships_to
from helhet.consent.models import ParentsInformationObjection as Objection

pytestmark = pytest.mark.django_db


def _born(years: int, days_after_birthday: int = 30) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=1) - dt.timedelta(days=days_after_birthday)


@pytest.fixture
def family(make_person, users):
    from helhet.organizations.models import User
    from helhet.people.models import Relative

    def make(years: int, relationship: str = Relative.Relationship.PARENT, *, birth: dt.date | None = None):
        person = make_person(birth=birth or _born(years))
        user = User.objects.create_user(f"rel-{person.pk}", password="x" * 16)
        Relative.objects.create(person=person, name="Forelder", relationship=relationship, may_consent=True, user=user)
        return person, user

    return make


def _object(person, users, *, respected=True, assessed=True, withdrawn_on=None):
    today = timezone.localdate()
    return Objection.objects.create(person=person, recorded_on=today, recorded_by=users["coordinator"], how="told_staff",
                                    respected=respected if assessed else None, assessed_on=today if assessed else None,
                                    assessed_by=users["coordinator"] if assessed else None, withdrawn_on=withdrawn_on)


def _rels(user, person):
    return relationships_to(user, person) & {"representative", "parent_limited"}


@pytest.mark.parametrize(("years", "objection", "expected"), [
    (11, True, {"representative"}),       # 'full' at 11: the objection does nothing
    (12, False, {"representative"}),
    (12, True, {"parent_limited"}),       # from the age the rules let the child object
    (15, True, {"parent_limited"}),
    (16, False, {"parent_limited"}),      # narrowed by age anyway
    (16, True, {"parent_limited"}),
    (18, True, set()),                    # an adult: no relationship as a parent
])
def test_the_band_comes_from_the_rules(family, users, years, objection, expected):
    person, parent = family(years)
    if objection:
        _object(person, users)
    assert _rels(parent, person) == expected


def test_only_a_respected_objection_in_force_counts(family, users):
    person, parent = family(14)
    objection = _object(person, users, assessed=False)
    assert _rels(parent, person) == {"representative"}
    Objection.objects.filter(pk=objection.pk).update(respected=False, assessed_on=timezone.localdate(), assessed_by=users["coordinator"])
    assert _rels(parent, person) == {"representative"}
    Objection.objects.filter(pk=objection.pk).update(respected=True)
    assert _rels(parent, person) == {"parent_limited"}
    Objection.objects.filter(pk=objection.pk).update(withdrawn_on=timezone.localdate())
    assert _rels(parent, person) == {"representative"}


def test_a_guardian_who_is_not_a_parent_keeps_acting_for_the_child(family, users):
    person, guardian = family(14, "guardian")
    _object(person, users)
    assert _rels(guardian, person) == {"representative"}


def test_the_lists_agree_with_the_single_check(family, users):
    from helhet.access.policy import Action
    from helhet.access.queries import visible_persons_q
    from helhet.people.models import Person

    person, parent = family(14)
    _object(person, users)
    assert Person.objects.filter(visible_persons_q(parent, action=Action.PORTAL_VIEW), pk=person.pk).exists()
    assert not Person.objects.filter(visible_persons_q(parent, action=Action.PLAN_OWN_WRITE), pk=person.pk).exists()


def test_a_changed_rule_moves_the_band(family, users):
    from helhet.rules.models import Rule

    person, parent = family(12)
    _object(person, users)
    facts._PARENTS_INFO_CACHE.clear()
    assert _rels(parent, person) == {"parent_limited"}  # compiles (and caches) the relationship query
    rule = Rule.objects.get(code="consent.parents-information", organization__isnull=True)
    rule.parameters = {"consent": {"parents_information": {"child_may_object_from_age": 13, "narrowed_from_age": 16, "ends_at_age": 18}}}
    rule.save()
    facts._PARENTS_INFO_CACHE.clear()  # as when its few minutes have passed; the compiled query follows by its key
    try:
        assert facts.child_objection_ages(timezone.localdate()) == (13, 16)
        assert _rels(parent, person) == {"representative"}
    finally:
        facts._PARENTS_INFO_CACHE.clear()
        facts._COMPILED.clear()


def test_the_ages_in_force_are_derived_from_the_shipped_rule():
    facts._PARENTS_INFO_CACHE.clear()
    day = timezone.localdate()
    assert facts.child_objection_ages(day) == (12, 16)
    assert facts.parents_information_ages(day) == (16, 18)
