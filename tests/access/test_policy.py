"""The policy table, written out again here as the specification: role/relationship x action.

X = allowed. The table in helhet/access/policy.py must match it exactly, for
every single relationship and every combination (allowing is monotone: more
relationships never take a right away).
"""

import itertools

import pytest

from helhet.access.policy import ROLE_ONLY, TABLE, Action, Rel, permits, reason

# Relationships to a PERSON (facts.branches, plus the derived health_carer and plan_ke) ...
SPEC_COLUMNS = ["ke", "coordinator", "hospital_coordinator", "involved_staff", "unit_leader", "health_carer", "plan_participant",
                "self", "representative", "grant", "plan_ke", "welfare_service"]
# A parent whose right to information the rules have narrowed (16-18, Rel.PARENT_LIMITED): only these actions.
PARENT_LIMITED_ACTIONS = {"person.view", "plan.view", "portal.view", "consent.give"}
COLUMNS = [*SPEC_COLUMNS, "parent_limited"]
SPEC = """
action                          ke  coord  hosp  invol  leader  carer  partic  self  repr  grant  plan_ke  welfare
person.view                     X   X      X     X      X       .      X       X     X     X      .      .
person.update                   X   X      .     .      .       .      .       .     .     .      .      .
relative.manage                 X   X      .     .      .       .      .       .     .     .      .      .
involvement.manage              X   X      .     .      X       .      .       .     .     .      .      .
information.record              X   X      X     X      X       .      .       .     .     .      .      .
request.create                  X   .      .     .      .       .      .       .     .     .      .      .
request.view                    X   X      X     .      .       .      .       X     X     .      .      .
consent.record                  X   X      X     .      .       .      .       .     .     .      .      .
coordinator.appoint             X   .      .     .      .       .      .       .     .     .      .      .
hospital_coordinator.appoint    X   .      .     .      X       .      .       .     .     .      .      .
capacity.record                 X   X      X     .      .       X      .       .     .     .      .      .
audit.view_person               X   .      .     .      .       .      .       X     X     .      .      .
plan.view                       X   X      X     X      X       .      X       X     X     X      .      .
plan.edit                       .   X      .     .      .       .      .       .     .     .      X      .
plan.create                     X   X      .     .      .       .      .       .     .     .      .      X
plan.publish                    .   X      .     .      .       .      .       .     .     .      X      .
plan.close                      .   X      .     .      .       .      .       .     .     .      X      .
plan.reopen                     .   .      .     .      .       .      .       .     .     .      X      .
plan.main_responsibility        .   .      .     .      .       .      .       .     .     .      X      .
meeting.manage                  .   X      .     .      .       .      .       .     .     .      X      .
message.post                    X   X      X     X      X       .      X       X     X     .      .      .
need_notification.send          X   X      X     X      X       .      .       .     .     .      .      .
need_notification.receive       X   .      .     .      X       .      .       .     .     .      .      .
need_notification.to_hospital   X   X      .     .      .       .      .       .     .     .      .      .
transfer.manage                 X   X      X     .      .       .      .       .     .     .      .      .
partners.inform                 X   X      .     .      .       .      .       .     .     .      .      .
disagreement.manage             X   .      .     .      .       .      .       .     .     .      .      .
grant.manage                    X   X      .     .      .       .      .       .     .     .      .      .
objection.record                X   X      X     .      .       .      .       X     X     .      .      .
document.view                   X   X      X     X      X       .      X       X     X     X      .      .
portal.view                     .   .      .     .      .       .      .       X     X     .      .      .
plan.own_write                  .   .      .     .      .       .      .       X     X     .      .      .
consent.give                    .   .      .     .      .       .      .       X     X     .      .      .
meeting.respond                 .   .      .     .      .       .      .       X     X     .      .      .
parents_objection.record        .   X      X     .      .       X      .       X     .     .      .      .
parents_objection.assess        .   .      .     .      .       X      .       .     .     .      .      .
contact_doctor.appoint          .   .      .     .      X       .      .       .     .     .      .      .
pathway_coordinator.record      X   X      X     .      X       .      .       .     .     .      .      .
coordination_lead.decide        X   .      .     .      .       .      .       .     .     .      .      .
"""

# ... and relationships to an OBJECT (facts.object_relationships): a request, notification, transfer, disagreement,
# organisation, unit or appointment. No action mixes the two kinds.
OBJECT_COLUMNS = ["case_ke", "receiver", "sender", "party_ke", "municipality_ke", "org_ke", "org_member", "unit_leader_of", "appointee"]
OBJECT_SPEC = """
action                          case_ke  receiver  sender  party  muni  org_ke  member  leads  appointee
assessment.create               X        .         .       .      .     .       .       .      .
decision.create                 X        .         .       .      .     .       .       .      .
appeal.manage                   X        .         .       .      .     .       .       .      .
case.handle                     X        .         .       .      .     .       .       .      .
need_notification.view          .        X         X       .      .     .       .       .      .
need_notification.acknowledge   .        X         .       .      .     .       .       .      .
need_notification.outbox        .        .         X       .      .     .       .       .      .
transfer.receive                .        X         .       .      .     .       .       .      .
disagreement.view               .        .         .       X      .     .       .       .      .
disagreement.decide             .        .         .       .      X     .       .       .      .
guideline.set                   .        .         .       .      .     X       .       .      .
rules.read_local                .        .         .       .      .     .       X       .      .
appointment.from_unit           .        .         .       .      .     X       .       .      .
appointment.hospital_from_unit  .        .         .       .      .     X       .       X      .
appointment.first_contact       .        .         .       .      .     X       .       .      X
appointment.follow_up           .        .         .       .      .     X       .       .      .
directory.edit                  .        .         .       .      .     X       .       .      .
coordination.accept_outside     .        X         .       .      .     .       .       .      .
coordination.outside_answer     .        .         X       .      .     .       .       .      .
training.record                 .        .         .       .      .     X       .       .      .
plan_template.manage            .        .         .       .      .     X       .       .      .
contact_doctor.from_unit        .        .         .       .      .     .       .       X      .
"""


def _spec(text, columns):
    rows = {}
    for line in text.strip().splitlines()[1:]:
        action, *marks = line.split()
        rows[action] = {col for col, mark in zip(columns, marks, strict=True) if mark == "X"}
    return rows


SPEC_ROWS = {action: rels | ({"parent_limited"} if action in PARENT_LIMITED_ACTIONS else set())
             for action, rels in _spec(SPEC, SPEC_COLUMNS).items()}
OBJECT_ROWS = _spec(OBJECT_SPEC, OBJECT_COLUMNS)
ALL_ROWS = {**SPEC_ROWS, **OBJECT_ROWS}


def test_the_spec_names_every_relationship_action():
    assert set(ALL_ROWS) == {a.value for a in TABLE}
    assert set(COLUMNS) | set(OBJECT_COLUMNS) == {r.value for r in Rel}
    assert not set(SPEC_ROWS) & set(OBJECT_ROWS)


@pytest.mark.parametrize("action", sorted(ALL_ROWS))
@pytest.mark.parametrize("rel", COLUMNS + OBJECT_COLUMNS)
def test_each_single_relationship(action, rel):
    assert permits(frozenset(), {rel}, action) is (rel in ALL_ROWS[action])


@pytest.mark.parametrize(("action", "columns"), [(a, COLUMNS) for a in sorted(SPEC_ROWS)] + [(a, OBJECT_COLUMNS) for a in sorted(OBJECT_ROWS)])
def test_every_combination_allows_exactly_when_one_member_does(action, columns):
    for n in range(len(columns) + 1):
        for combo in itertools.combinations(columns, n):
            expected = bool(set(combo) & ALL_ROWS[action])
            assert permits(frozenset({"clinician"}), set(combo), action) is expected, (action, combo)


def test_roles_alone_decide_the_lists_and_two_factor():
    assert set(ROLE_ONLY[Action.KE_WORKLIST]) == {"ke_officer"}
    assert set(ROLE_ONLY[Action.COORDINATION_INBOX]) == {"ke_officer", "unit_leader"}
    assert set(ROLE_ONLY[Action.TWO_FACTOR_REQUIRED]) == {"ke_officer", "administrator"}


def test_every_action_has_a_label_for_the_access_log():
    from helhet.access.policy import ACTION_LABELS, action_label

    assert set(ACTION_LABELS) == set(Action)
    assert action_label("no.such") != "no.such"


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
