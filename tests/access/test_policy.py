"""The policy table, written out again here as the specification: role/relationship x action.

X = allowed. The table in helhet/access/policy.py must match it exactly, for
every single relationship and every combination (allowing is monotone: more
relationships never take a right away).
"""

import itertools

import pytest

from helhet.access.policy import ROLE_ONLY, TABLE, Action, Rel, permits, reason

COLUMNS = ["ke", "coordinator", "involved_staff", "unit_leader", "plan_participant", "self", "representative", "grant", "plan_ke"]
SPEC = """
action                          ke  coord  invol  leader  partic  self  repr  grant  plan_ke
person.view                     X   X      X      X       X       X     X     X      .
person.update                   X   X      .      .       .       .     .     .      .
relative.manage                 X   X      .      .       .       .     .     .      .
involvement.manage              X   X      .      X       .       .     .     .      .
information.record              X   X      X      X       .       .     .     .      .
request.create                  X   .      .      .       .       .     .     .      .
request.view                    X   X      .      .       .       .     .     .      .
assessment.create               X   .      .      .       .       .     .     .      .
decision.create                 X   .      .      .       .       .     .     .      .
appeal.manage                   X   .      .      .       .       .     .     .      .
consent.record                  X   X      .      .       .       .     .     .      .
coordinator.appoint             X   .      .      .       .       .     .     .      .
hospital_coordinator.appoint    X   .      .      X       .       .     .     .      .
capacity.record                 X   X      X      .       .       .     .     .      .
audit.view_person               X   .      .      .       .       X     X     .      .
plan.view                       X   X      X      X       X       X     X     X      .
plan.edit                       X   X      .      .       .       .     .     .      .
plan.create                     X   X      .      .       .       .     .     .      .
plan.publish                    X   X      .      .       .       .     .     .      .
plan.close                      X   X      .      .       .       .     .     .      .
plan.reopen                     X   .      .      .       .       .     .     .      .
plan.main_responsibility        X   .      .      .       .       .     .     .      .
meeting.manage                  X   X      .      .       .       .     .     .      .
message.post                    X   X      X      X       X       X     X     .      .
need_notification.send          X   X      X      X       .       .     .     .      .
need_notification.receive       X   .      .      X       .       .     .     .      .
transfer.manage                 X   X      .      .       .       .     .     .      .
partners.inform                 X   X      .      .       .       .     .     .      .
disagreement.manage             X   .      .      .       .       .     .     .      .
grant.manage                    X   X      .      .       .       .     .     .      .
"""


def _spec():
    rows = {}
    for line in SPEC.strip().splitlines()[1:]:
        action, *marks = line.split()
        rows[action] = {col for col, mark in zip(COLUMNS, marks, strict=True) if mark == "X"}
    return rows


SPEC_ROWS = _spec()


def test_the_spec_names_every_relationship_action():
    assert set(SPEC_ROWS) == {a.value for a in TABLE}
    assert set(COLUMNS) == {r.value for r in Rel}


@pytest.mark.parametrize("action", sorted(SPEC_ROWS))
@pytest.mark.parametrize("rel", COLUMNS)
def test_each_single_relationship(action, rel):
    assert permits(frozenset(), {rel}, action) is (rel in SPEC_ROWS[action])


@pytest.mark.parametrize("action", sorted(SPEC_ROWS))
def test_every_combination_allows_exactly_when_one_member_does(action):
    for n in range(len(COLUMNS) + 1):
        for combo in itertools.combinations(COLUMNS, n):
            expected = bool(set(combo) & SPEC_ROWS[action])
            assert permits(frozenset({"clinician"}), set(combo), action) is expected, (action, combo)


@pytest.mark.parametrize("action", [a for a in Action])
def test_an_outsider_with_no_relationship_and_no_role_may_do_nothing(action):
    assert permits(frozenset(), frozenset(), action) is False


def test_creating_a_person_is_decided_by_role():
    assert set(ROLE_ONLY[Action.PERSON_CREATE]) == {"ke_officer", "unit_leader"}
    assert permits({"ke_officer"}, set(), Action.PERSON_CREATE)
    assert permits({"unit_leader"}, set(), Action.PERSON_CREATE)
    for role in ["coordinator", "clinician", "gp", "nav_adviser", "welfare_staff", "administrator"]:
        assert not permits({role}, set(), Action.PERSON_CREATE)


def test_the_reason_names_the_strongest_relationship_that_allowed_it():
    assert reason({"involved_staff", "coordinator"}, Action.PERSON_VIEW) == "coordinator"
    assert reason({"involved_staff"}, Action.PERSON_VIEW) == "involved_staff"
    assert reason({"involved_staff"}, Action.DECISION_CREATE) == ""
