"""item_update keeps a relative who may not take part out of the plan group, as item_add does
(helhet.plans.services._participant_may_join)."""

from __future__ import annotations

import pytest

from helhet.core.errors import DomainError
from helhet.people.models import Relative
from helhet.plans import services
from helhet.plans.models import Participant


@pytest.fixture
def group(plan, users):
    """The plan with one relative who may take part (in the group) and one who may not (registered only)."""
    person = plan.person
    allowed = Relative.objects.create(person=person, name="Per Fjellheim", relationship="sibling", may_take_part=True)
    barred = Relative.objects.create(person=person, name="Tone Fjellheim", relationship="other", may_take_part=False)
    p = services.participant_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=plan.version, kind="relative",
                                 relative_id=allowed.pk, role="Støtteperson")
    return {"plan": p.plan, "participant": p, "allowed": allowed, "barred": barred}


def _update(users, group, **fields):
    plan = group["plan"]
    plan.refresh_from_db()
    return services.participant_update(actor=users["coordinator"], plan_id=plan.pk, based_on_version=plan.version,
                                       item_id=group["participant"].pk, **fields)


def test_it_refuses_to_point_a_participant_at_a_relative_who_may_not_take_part(users, group):
    version = group["plan"].version
    with pytest.raises(DomainError) as exc:
        _update(users, group, relative_id=group["barred"].pk)
    assert "relative_id" in exc.value.details["fields"] and "Tone Fjellheim" in exc.value.message
    p = Participant.objects.get(pk=group["participant"].pk)
    assert p.relative_id == group["allowed"].pk
    group["plan"].refresh_from_db()
    assert group["plan"].version == version  # nothing written


def test_it_refuses_to_reactivate_a_relative_who_may_no_longer_take_part(users, group):
    _update(users, group, active=False)
    Relative.objects.filter(pk=group["allowed"].pk).update(may_take_part=False)
    with pytest.raises(DomainError) as exc:
        _update(users, group, active=True)
    assert "relative_id" in exc.value.details["fields"]
    assert Participant.objects.get(pk=group["participant"].pk).active is False


def test_a_relative_who_may_not_take_part_can_still_be_taken_out_of_the_group(users, group):
    Relative.objects.filter(pk=group["allowed"].pk).update(may_take_part=False)
    p = _update(users, group, active=False)
    assert p.active is False


def test_other_changes_and_a_relative_who_may_take_part_are_accepted(users, group):
    p = _update(users, group, role="Bror og støtteperson")
    assert p.role == "Bror og støtteperson"
    other = Relative.objects.create(person=group["plan"].person, name="Eva Fjellheim", relationship="parent", may_take_part=True)
    p = _update(users, group, relative_id=other.pk)
    assert Participant.objects.get(pk=p.pk).relative_id == other.pk
