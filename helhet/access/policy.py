"""The ONE access policy. Nothing else in Helhet decides who may see or do what.

Two layers:

1. `permits(roles, relationships, action)` — a pure function over a table.
   `may_see_category(relationships, category, scopes)` — the second, finer question for plan content:
   may this actor see an item of this information category? (consent scopes and grants; see below).
   Roles are what the actor is (ke_officer, unit_leader, ...); relationships
   are how the actor stands to this person (their KE, their coordinator,
   involved staff ...). Table-tested exhaustively in tests/access/test_policy.py.
2. `helhet.access.queries` computes the facts (roles, relationships) from the
   database and builds the querysets lists use, so list and detail agree.

What the actor may not see is reported as 404 (NotFound), never 403.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Rel(StrEnum):
    """How an actor stands to a person."""

    KE = "ke"  # KE officer of the person's home municipality, or of a tenant that handles them
    COORDINATOR = "coordinator"  # the person's active coordinator (any kind)
    INVOLVED_STAFF = "involved_staff"  # named on an active involvement (gives services)
    UNIT_LEADER = "unit_leader"  # leads a unit with an active involvement
    PLAN_PARTICIPANT = "plan_participant"  # staff member of the plan group (read further limited by consent)
    SELF = "self"  # the person themselves (portal)
    REPRESENTATIVE = "representative"  # guardian / parent who acts for the person (portal)
    GRANT = "grant"  # named staff with a personal, time-limited access grant (AccessGrant), possibly another organisation
    # Plan-scoped, not a person branch: KE officer of the plan's responsible tenant (the main unit's organisation)
    # or of the person's home municipality. Computed by queries.plan_access; sees the whole plan.
    PLAN_KE = "plan_ke"


class Action(StrEnum):
    PERSON_CREATE = "person.create"
    PERSON_VIEW = "person.view"
    PERSON_UPDATE = "person.update"
    RELATIVE_MANAGE = "relative.manage"
    INVOLVEMENT_MANAGE = "involvement.manage"
    INFORMATION_RECORD = "information.record"
    REQUEST_CREATE = "request.create"
    REQUEST_VIEW = "request.view"
    ASSESSMENT_CREATE = "assessment.create"
    DECISION_CREATE = "decision.create"
    APPEAL_MANAGE = "appeal.manage"
    CONSENT_RECORD = "consent.record"
    COORDINATOR_APPOINT = "coordinator.appoint"
    HOSPITAL_COORDINATOR_APPOINT = "hospital_coordinator.appoint"
    CAPACITY_RECORD = "capacity.record"
    AUDIT_VIEW_PERSON = "audit.view_person"
    PLAN_VIEW = "plan.view"
    PLAN_EDIT = "plan.edit"
    PLAN_CREATE = "plan.create"
    PLAN_PUBLISH = "plan.publish"
    PLAN_CLOSE = "plan.close"
    PLAN_REOPEN = "plan.reopen"
    PLAN_MAIN_RESPONSIBILITY = "plan.main_responsibility"
    GRANT_MANAGE = "grant.manage"
    MEETING_MANAGE = "meeting.manage"  # convene plan-group meetings, attendance, minutes (helhet/meetings)
    MESSAGE_POST = "message.post"  # write in the plan group's message threads (helhet/meetings)
    NEED_NOTIFICATION_SEND = "need_notification.send"  # melding om behov, both directions (helhet/coordination)
    NEED_NOTIFICATION_RECEIVE = "need_notification.receive"  # acknowledge and act on one (helhet/coordination)
    TRANSFER_MANAGE = "transfer.manage"  # overføring with checklist (helhet/coordination)
    PARTNERS_INFORM = "partners.inform"  # inform the GP and partners; record the person's objection (helhet/coordination)
    DISAGREEMENT_MANAGE = "disagreement.manage"  # disagreements between services (helhet/coordination)


R = Rel
_STAFF_WORKING = {R.KE, R.COORDINATOR, R.INVOLVED_STAFF, R.UNIT_LEADER}

# action -> relationships that allow it. Actions that need no relationship
# (creating a person) are in ROLE_ONLY below.
TABLE: dict[Action, set[Rel]] = {
    Action.PERSON_VIEW: _STAFF_WORKING | {R.PLAN_PARTICIPANT, R.SELF, R.REPRESENTATIVE, R.GRANT},
    Action.PERSON_UPDATE: {R.KE, R.COORDINATOR},
    Action.RELATIVE_MANAGE: {R.KE, R.COORDINATOR},
    Action.INVOLVEMENT_MANAGE: {R.KE, R.UNIT_LEADER, R.COORDINATOR},
    Action.INFORMATION_RECORD: set(_STAFF_WORKING),
    Action.REQUEST_CREATE: {R.KE},
    Action.REQUEST_VIEW: {R.KE, R.COORDINATOR},
    Action.ASSESSMENT_CREATE: {R.KE},
    Action.DECISION_CREATE: {R.KE},
    Action.APPEAL_MANAGE: {R.KE},
    Action.CONSENT_RECORD: {R.KE, R.COORDINATOR},
    Action.COORDINATOR_APPOINT: {R.KE},
    Action.HOSPITAL_COORDINATOR_APPOINT: {R.KE, R.UNIT_LEADER},
    Action.CAPACITY_RECORD: {R.KE, R.COORDINATOR, R.INVOLVED_STAFF},
    Action.AUDIT_VIEW_PERSON: {R.KE, R.SELF, R.REPRESENTATIVE},
    Action.PLAN_VIEW: _STAFF_WORKING | {R.PLAN_PARTICIPANT, R.SELF, R.REPRESENTATIVE, R.GRANT},
    Action.PLAN_EDIT: {R.KE, R.COORDINATOR},
    Action.PLAN_CREATE: {R.KE, R.COORDINATOR},
    Action.PLAN_PUBLISH: {R.KE, R.COORDINATOR},
    Action.PLAN_CLOSE: {R.KE, R.COORDINATOR},
    Action.PLAN_REOPEN: {R.KE},
    Action.PLAN_MAIN_RESPONSIBILITY: {R.KE},
    Action.GRANT_MANAGE: {R.KE, R.COORDINATOR},
    Action.MEETING_MANAGE: {R.KE, R.COORDINATOR},
    Action.MESSAGE_POST: _STAFF_WORKING | {R.PLAN_PARTICIPANT, R.SELF, R.REPRESENTATIVE},
    Action.NEED_NOTIFICATION_SEND: set(_STAFF_WORKING),
    Action.NEED_NOTIFICATION_RECEIVE: {R.KE, R.UNIT_LEADER},
    Action.TRANSFER_MANAGE: {R.KE, R.COORDINATOR},
    Action.PARTNERS_INFORM: {R.KE, R.COORDINATOR},
    Action.DISAGREEMENT_MANAGE: {R.KE},
}

# Actions decided by role alone (no person yet), and the roles that may do them.
ROLE_ONLY: dict[Action, set[str]] = {
    Action.PERSON_CREATE: {"ke_officer", "unit_leader"},
}


def permits(roles: frozenset[str] | set[str], relationships: frozenset[str] | set[str], action: Action | str) -> bool:
    """True when an actor with these roles and these relationships to the person may do `action`."""
    action = Action(action)
    if action in ROLE_ONLY:
        return bool(set(roles) & ROLE_ONLY[action])
    allowed = TABLE.get(action, set())
    return bool(allowed & {Rel(r) for r in relationships})


def reason(relationships: frozenset[str] | set[str], action: Action | str) -> str:
    """The relationship that allowed an action, for the audit log's "why" (strongest first)."""
    action = Action(action)
    order = [R.SELF, R.REPRESENTATIVE, R.COORDINATOR, R.KE, R.UNIT_LEADER, R.INVOLVED_STAFF, R.PLAN_PARTICIPANT, R.GRANT]
    allowed = TABLE.get(action, set())
    for rel in order:
        if rel in relationships and rel in allowed:
            return rel.value
    return ""


# ---------------------------------------------------------------- plan content by information category
#
# Every plan item carries an information category (helhet.consent.categories). Who sees which:
#
# * FULL_PLAN relationships always see every item: the person themself, whoever acts for them, the
#   responsible coordinator(s) and the KE officers of the responsible tenant (Rel.PLAN_KE).
# * Everyone else who may view the plan (plan participants, involved staff, unit leaders, KE officers of
#   other tenants, grant holders) sees an item only when one of their SCOPES covers its category. A scope is
#   a valid sharing consent that names them (or, for a plan participant, the unit they took part for when the
#   consent was given), or an active personal grant. No scope, nothing: non-health participants (school,
#   NAV, kindergarten) rest on consent alone, and default is deny.
#
# Tested as a table in tests/access/test_policy.py and tests/access/test_category_visibility.py.

FULL_PLAN: frozenset[Rel] = frozenset({R.SELF, R.REPRESENTATIVE, R.COORDINATOR, R.PLAN_KE})
CATEGORY_LIMITED: frozenset[Rel] = frozenset({R.PLAN_PARTICIPANT, R.INVOLVED_STAFF, R.UNIT_LEADER, R.KE, R.GRANT})


@dataclass(frozen=True)
class Scope:
    """One reason an actor may see some categories: 'consent:<id>' or 'grant:<id>'."""

    source: str
    categories: frozenset[str]


@dataclass(frozen=True)
class SharingConsentFacts:
    """A valid sharing consent as plain facts (queries.sharing_consent_facts builds these)."""

    id: int
    categories: frozenset[str]
    user_ids: frozenset[int]
    unit_ids: frozenset[int]
    recorded_at: dt.datetime


@dataclass(frozen=True)
class Participation:
    """The actor's (or a participant's) active staff membership of the plan group: for which unit, since when."""

    unit_id: int | None
    since: dt.datetime


def consent_covers(consent: SharingConsentFacts, user_id: int, participations: Iterable[Participation]) -> bool:
    """Does this sharing consent name this staff user? By name always; by unit only for a participation that
    existed when the consent was recorded: joining the plan group later does not extend the consent (renewal)."""
    if user_id in consent.user_ids:
        return True
    return any(p.unit_id in consent.unit_ids and p.since <= consent.recorded_at for p in participations)


def sees_whole_plan(relationships) -> bool:
    return bool(FULL_PLAN & {Rel(r) for r in relationships})


def may_see_category(relationships, category: str, scopes: Iterable[Scope]) -> bool:
    """May an actor with these relationships (to the plan's person, plus Rel.PLAN_KE) see an item of `category`?"""
    rels = {Rel(r) for r in relationships}
    if rels & FULL_PLAN:
        return True
    if not rels & CATEGORY_LIMITED:
        return False
    return any(category in s.categories for s in scopes)


def category_reason(relationships, category: str, scopes: Iterable[Scope]) -> str:
    """Why an item of `category` is shown: a full-plan relationship, or the first covering scope's source; '' when not."""
    rels = {Rel(r) for r in relationships}
    for rel in (R.SELF, R.REPRESENTATIVE, R.COORDINATOR, R.PLAN_KE):
        if rel in rels:
            return rel.value
    if not rels & CATEGORY_LIMITED:
        return ""
    for s in scopes:
        if category in s.categories:
            return s.source
    return ""
