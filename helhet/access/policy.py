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

from django.utils.translation import gettext_lazy as _


class Rel(StrEnum):
    """How an actor stands to a person."""

    KE = "ke"  # KE officer of the person's home municipality, or of a tenant that handles them
    COORDINATOR = "coordinator"  # the person's active coordinator or child coordinator (municipal)
    HOSPITAL_COORDINATOR = "hospital_coordinator"  # the person's coordinator in the specialist health service
    INVOLVED_STAFF = "involved_staff"  # named on an active involvement (gives services)
    UNIT_LEADER = "unit_leader"  # leads a unit with an active involvement
    PLAN_PARTICIPANT = "plan_participant"  # staff member of the plan group (read further limited by consent)
    SELF = "self"  # the person themselves (portal)
    REPRESENTATIVE = "representative"  # guardian / parent who acts for the person (portal)
    # A parent (with a login, may_consent) of a young person past the age from which the rules narrow the parents'
    # right to information (consent.parents-information: 16 to 18): sees the frame only, no longer acts for them.
    PARENT_LIMITED = "parent_limited"
    GRANT = "grant"  # named staff with a personal, time-limited access grant (AccessGrant), possibly another organisation
    # Plan-scoped, not a person branch: KE officer of the plan's responsible tenant (the main unit's organisation)
    # or of the person's home municipality. Computed by queries.plan_access; sees the whole plan.
    PLAN_KE = "plan_ke"
    # Computed by queries from the facts, not a person branch: health personnel (a membership in a health sector's
    # unit) with a care relationship to the person (involved, leading an involved unit, hospital coordinator, plan
    # group). What the rule on cooperating health personnel lets them see is in the rules data.
    HEALTH_CARER = "health_carer"
    # Named on (or leading the unit of) an active involvement of a welfare service that has the duty to make an individual
    # plan and may hold main responsibility: municipal health and care, NAV, child welfare, the hospital (PLAN_START_SECTORS).
    # Forskrift om individuell plan ved ytelse av velferdstjenester (2022) § 7 *check*. facts.branches computes it.
    WELFARE_SERVICE = "welfare_service"
    # Relationships to OBJECTS other than a person (facts.object_relationships):
    CASE_KE = "case_ke"  # KE officer of the tenant that handles the request
    RECEIVER = "receiver"  # KE of the receiving organisation / leader of the receiving unit (need notification, transfer)
    SENDER = "sender"  # sent it, or KE of the sending organisation
    PARTY_KE = "party_ke"  # KE of the municipality or the health trust in a disagreement
    MUNICIPALITY_KE = "municipality_ke"  # KE of the disagreement's municipality: the municipality decides (DOMAIN.md)
    ORG_KE = "org_ke"  # KE officer of the organisation (of the unit's organisation; of the appointment's tenant)
    ORG_MEMBER = "org_member"  # works in the organisation
    UNIT_LEADER_OF = "unit_leader_of"  # leads this unit
    APPOINTEE = "appointee"  # is the coordinator of this appointment


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
    NEED_NOTIFICATION_TO_HOSPITAL = "need_notification.to_hospital"  # ask the hospital for a hospital coordinator
    OBJECTION_RECORD = "objection.record"  # the person's objection to sharing with cooperating health personnel
    DOCUMENT_VIEW = "document.view"  # the person's document area (helhet/documents); each document also by DOCUMENT_FIELDS
    # Object actions (decided by facts.object_relationships):
    CASE_HANDLE = "case.handle"  # assess, decide, handle an appeal on THIS request: the handling tenant's KE
    NEED_NOTIFICATION_VIEW = "need_notification.view"
    NEED_NOTIFICATION_ACKNOWLEDGE = "need_notification.acknowledge"
    TRANSFER_RECEIVE = "transfer.receive"
    DISAGREEMENT_VIEW = "disagreement.view"
    DISAGREEMENT_DECIDE = "disagreement.decide"
    GUIDELINE_SET = "guideline.set"  # an organisation's local guidelines
    RULES_READ_LOCAL = "rules.read_local"  # an organisation's local rules
    APPOINT_FROM_UNIT = "appointment.from_unit"  # a municipal coordinator from this unit
    HOSPITAL_APPOINT_FROM_UNIT = "appointment.hospital_from_unit"  # a hospital coordinator from this unit
    FIRST_CONTACT_RECORD = "appointment.first_contact"  # record the coordinator's first contact
    APPOINTMENT_FOLLOW_UP = "appointment.follow_up"  # the KE's follow-up of appointments in its tenant (turning 18, lists)
    NEED_NOTIFICATION_OUTBOX = "need_notification.outbox"  # what the actor (or their KE tenant) sent
    COORDINATION_INBOX = "coordination.inbox"  # the KE's or hospital unit leader's inbox (role; rows by RECEIVER/PARTY_KE)
    KE_WORKLIST = "ke.worklist"  # the KE overview, its deadline lists and unusual-access report (role; lists scoped by ORG_KE)
    TWO_FACTOR_REQUIRED = "account.two_factor_required"  # roles that must log in with two factors
    # The directory of municipalities and KEs (helhet/directory, issue 12):
    DIRECTORY_VIEW = "directory.view"  # read the directory: public knowledge, any staff member (role)
    DIRECTORY_EDIT = "directory.edit"  # a municipality's KE entry: the KE of the tenant with that kommunenummer (ORG_KE)
    OUTSIDE_ACCEPT = "coordination.accept_outside"  # take a notification/transfer sent before the municipality joined
    OUTSIDE_ANSWER = "coordination.outside_answer"  # the sender records the answer from a municipality outside Helhet
    TRAINING_RECORD = "training.record"  # the KE's record of its coordinators' training and guidance (ORG_KE)
    PLAN_TEMPLATE_MANAGE = "plan_template.manage"  # the KE's plan templates for its organisation (helhet/plans; ORG_KE)
    # The person's own pages (helhet/portal):
    PORTAL_VIEW = "portal.view"  # "Min plan": the person, whoever acts for them, a parent with narrowed information
    PLAN_OWN_WRITE = "plan.own_write"  # write and change their own goals (marked as written by the person / relative)
    CONSENT_GIVE = "consent.give"  # give, narrow or withdraw a sharing consent themself (the capacity table decides who)
    MEETING_RESPOND = "meeting.respond"  # accept or decline a plan-group meeting
    # A young person's wish that the parents are not given information (pbrl. § 3-4 second paragraph; helhet.consent.parents_objection):
    PARENTS_OBJECTION_RECORD = "parents_objection.record"  # record, read or withdraw it: the young person, staff who work with them
    PARENTS_OBJECTION_ASSESS = "parents_objection.assess"  # judge whether the reasons should be respected: health personnel
    # The other roles the guidelines name (issue 11; helhet/cases):
    CONTACT_DOCTOR_APPOINT = "contact_doctor.appoint"  # the hospital unit leader appoints a contact doctor / psychologist
    CONTACT_DOCTOR_FROM_UNIT = "contact_doctor.from_unit"  # ... in THIS unit (object action: leads the unit)
    PATHWAY_COORDINATOR_RECORD = "pathway_coordinator.record"  # register a pathway coordinator (forløpskoordinator)
    COORDINATION_LEAD_DECIDE = "coordination_lead.decide"  # the municipality decides samordningsansvar
    STATISTICS_VIEW = "statistics.view"  # the KE's statistics of its tenant, aggregates only (helhet/statistics; role; tenants as KE_WORKLIST)


# What each action is called where a person reads it (their access log: "nektet tilgang: se planen").
ACTION_LABELS: dict[str, object] = {
    Action.PERSON_CREATE: _("registrere en person"),
    Action.PERSON_VIEW: _("se personens side"),
    Action.PERSON_UPDATE: _("endre personopplysninger"),
    Action.RELATIVE_MANAGE: _("endre pårørende"),
    Action.INVOLVEMENT_MANAGE: _("endre involverte tjenester"),
    Action.INFORMATION_RECORD: _("registrere informasjon om IP og koordinator"),
    Action.REQUEST_CREATE: _("registrere en henvendelse"),
    Action.REQUEST_VIEW: _("se saken"),
    Action.ASSESSMENT_CREATE: _("vurdere en henvendelse"),
    Action.DECISION_CREATE: _("fatte vedtak"),
    Action.APPEAL_MANAGE: _("behandle en klage"),
    Action.CONSENT_RECORD: _("registrere samtykke"),
    Action.COORDINATOR_APPOINT: _("oppnevne koordinator"),
    Action.HOSPITAL_COORDINATOR_APPOINT: _("oppnevne koordinator i spesialisthelsetjenesten"),
    Action.CAPACITY_RECORD: _("registrere vurdering av samtykkekompetanse"),
    Action.AUDIT_VIEW_PERSON: _("se tilgangsloggen"),
    Action.PLAN_VIEW: _("se planen"),
    Action.PLAN_EDIT: _("endre planen"),
    Action.PLAN_CREATE: _("starte en plan"),
    Action.PLAN_PUBLISH: _("publisere planen"),
    Action.PLAN_CLOSE: _("avslutte planen"),
    Action.PLAN_REOPEN: _("gjenåpne planen"),
    Action.PLAN_MAIN_RESPONSIBILITY: _("endre hovedansvar"),
    Action.GRANT_MANAGE: _("gi eller trekke personlig tilgang"),
    Action.MEETING_MANAGE: _("kalle inn til møter"),
    Action.MESSAGE_POST: _("skrive meldinger i plangruppen"),
    Action.NEED_NOTIFICATION_SEND: _("sende melding om behov"),
    Action.NEED_NOTIFICATION_RECEIVE: _("ta imot melding om behov"),
    Action.TRANSFER_MANAGE: _("overføre"),
    Action.PARTNERS_INFORM: _("informere fastlege og samarbeidspartnere"),
    Action.DISAGREEMENT_MANAGE: _("behandle uenighet"),
    Action.NEED_NOTIFICATION_TO_HOSPITAL: _("be spesialisthelsetjenesten om koordinator"),
    Action.OBJECTION_RECORD: _("registrere at personen motsetter seg deling med helsepersonell"),
    Action.DOCUMENT_VIEW: _("se personens dokumenter"),
    Action.CASE_HANDLE: _("behandle saken"),
    Action.NEED_NOTIFICATION_VIEW: _("se en melding om behov"),
    Action.NEED_NOTIFICATION_ACKNOWLEDGE: _("kvittere for en melding om behov"),
    Action.TRANSFER_RECEIVE: _("ta imot en overføring"),
    Action.DISAGREEMENT_VIEW: _("se en uenighet"),
    Action.DISAGREEMENT_DECIDE: _("avgjøre en uenighet"),
    Action.GUIDELINE_SET: _("endre lokale retningslinjer"),
    Action.RULES_READ_LOCAL: _("lese lokale retningslinjer"),
    Action.APPOINT_FROM_UNIT: _("oppnevne koordinator fra enheten"),
    Action.HOSPITAL_APPOINT_FROM_UNIT: _("oppnevne koordinator i spesialisthelsetjenesten fra enheten"),
    Action.FIRST_CONTACT_RECORD: _("registrere første kontakt"),
    Action.KE_WORKLIST: _("se koordinerende enhets oversikt"),
    Action.NEED_NOTIFICATION_OUTBOX: _("se sendte meldinger om behov"),
    Action.APPOINTMENT_FOLLOW_UP: _("følge opp oppnevnte koordinatorer"),
    Action.COORDINATION_INBOX: _("se innboksen for meldinger og overføringer"),
    Action.TWO_FACTOR_REQUIRED: _("logge inn med to faktorer"),
    Action.DIRECTORY_VIEW: _("se kommuneregisteret"),
    Action.DIRECTORY_EDIT: _("endre kommunens oppføring i kommuneregisteret"),
    Action.OUTSIDE_ACCEPT: _("ta imot en melding sendt før kommunen tok i bruk Helhet"),
    Action.OUTSIDE_ANSWER: _("registrere svar fra en kommune utenfor Helhet"),
    Action.TRAINING_RECORD: _("registrere opplæring og veiledning av koordinatorer"),
    Action.PLAN_TEMPLATE_MANAGE: _("lage og endre planmaler"),
    Action.PORTAL_VIEW: _("se Min plan"),
    Action.PLAN_OWN_WRITE: _("skrive egne mål i planen"),
    Action.CONSENT_GIVE: _("gi eller endre eget samtykke"),
    Action.MEETING_RESPOND: _("svare på en møteinnkalling"),
    Action.PARENTS_OBJECTION_RECORD: _("registrere hva foreldrene skal få vite"),
    Action.PARENTS_OBJECTION_ASSESS: _("vurdere om foreldrene skal få vite"),
    Action.CONTACT_DOCTOR_APPOINT: _("oppnevne kontaktlege"),
    Action.CONTACT_DOCTOR_FROM_UNIT: _("oppnevne kontaktlege i enheten"),
    Action.PATHWAY_COORDINATOR_RECORD: _("registrere forløpskoordinator"),
    Action.COORDINATION_LEAD_DECIDE: _("bestemme samordningsansvar"),
    Action.STATISTICS_VIEW: _("se statistikk for koordinerende enhet"),
}


def action_label(action: str) -> str:
    """The action in the reader's language; an unknown code is shown as 'handling' rather than raw."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else str(_("en handling"))


R = Rel
_STAFF_WORKING = {R.KE, R.COORDINATOR, R.HOSPITAL_COORDINATOR, R.INVOLVED_STAFF, R.UNIT_LEADER}

# action -> relationships that allow it. Actions that need no relationship
# (creating a person) are in ROLE_ONLY below.
TABLE: dict[Action, set[Rel]] = {
    Action.PERSON_VIEW: _STAFF_WORKING | {R.PLAN_PARTICIPANT, R.SELF, R.REPRESENTATIVE, R.PARENT_LIMITED, R.GRANT},
    Action.PERSON_UPDATE: {R.KE, R.COORDINATOR},
    Action.RELATIVE_MANAGE: {R.KE, R.COORDINATOR},
    Action.INVOLVEMENT_MANAGE: {R.KE, R.UNIT_LEADER, R.COORDINATOR},
    Action.INFORMATION_RECORD: set(_STAFF_WORKING),
    Action.REQUEST_CREATE: {R.KE},
    Action.REQUEST_VIEW: {R.KE, R.COORDINATOR, R.HOSPITAL_COORDINATOR, R.SELF, R.REPRESENTATIVE},
    Action.ASSESSMENT_CREATE: {R.CASE_KE},
    Action.DECISION_CREATE: {R.CASE_KE},
    Action.APPEAL_MANAGE: {R.CASE_KE},
    Action.CONSENT_RECORD: {R.KE, R.COORDINATOR, R.HOSPITAL_COORDINATOR},
    Action.COORDINATOR_APPOINT: {R.KE},
    Action.HOSPITAL_COORDINATOR_APPOINT: {R.KE, R.UNIT_LEADER},
    Action.CAPACITY_RECORD: {R.KE, R.COORDINATOR, R.HOSPITAL_COORDINATOR, R.HEALTH_CARER},
    Action.AUDIT_VIEW_PERSON: {R.KE, R.SELF, R.REPRESENTATIVE},
    Action.PLAN_VIEW: _STAFF_WORKING | {R.PLAN_PARTICIPANT, R.SELF, R.REPRESENTATIVE, R.PARENT_LIMITED, R.GRANT},
    # Actions on an existing plan belong to its responsible KE (plan_ke: the main unit's tenant or the home
    # municipality) and the municipal coordinator, not to every KE that handles the person (check_plan adds plan_ke).
    Action.PLAN_EDIT: {R.PLAN_KE, R.COORDINATOR},
    # Every welfare service with the duty to make the one plan may start it (not only the municipal health service).
    Action.PLAN_CREATE: {R.KE, R.COORDINATOR, R.WELFARE_SERVICE},
    Action.PLAN_PUBLISH: {R.PLAN_KE, R.COORDINATOR},
    Action.PLAN_CLOSE: {R.PLAN_KE, R.COORDINATOR},
    Action.PLAN_REOPEN: {R.PLAN_KE},
    Action.PLAN_MAIN_RESPONSIBILITY: {R.PLAN_KE},
    Action.GRANT_MANAGE: {R.KE, R.COORDINATOR},
    Action.MEETING_MANAGE: {R.PLAN_KE, R.COORDINATOR},
    Action.MESSAGE_POST: _STAFF_WORKING | {R.PLAN_PARTICIPANT, R.SELF, R.REPRESENTATIVE},
    Action.NEED_NOTIFICATION_SEND: set(_STAFF_WORKING),
    Action.NEED_NOTIFICATION_RECEIVE: {R.KE, R.UNIT_LEADER},
    Action.TRANSFER_MANAGE: {R.KE, R.COORDINATOR, R.HOSPITAL_COORDINATOR},
    Action.PARTNERS_INFORM: {R.KE, R.COORDINATOR},
    Action.DISAGREEMENT_MANAGE: {R.KE},
    Action.NEED_NOTIFICATION_TO_HOSPITAL: {R.KE, R.COORDINATOR},
    Action.OBJECTION_RECORD: {R.KE, R.COORDINATOR, R.HOSPITAL_COORDINATOR, R.SELF, R.REPRESENTATIVE},
    Action.CASE_HANDLE: {R.CASE_KE},
    # The document area: whoever may see the person; each document is then shown by the record's field rules
    # (DOCUMENT_FIELDS, as the person record is consent-governed). Generating a decision letter is CASE_HANDLE.
    Action.DOCUMENT_VIEW: _STAFF_WORKING | {R.PLAN_PARTICIPANT, R.SELF, R.REPRESENTATIVE, R.GRANT},
    Action.NEED_NOTIFICATION_VIEW: {R.RECEIVER, R.SENDER},
    Action.NEED_NOTIFICATION_ACKNOWLEDGE: {R.RECEIVER},
    Action.TRANSFER_RECEIVE: {R.RECEIVER},
    Action.DISAGREEMENT_VIEW: {R.PARTY_KE},
    Action.DISAGREEMENT_DECIDE: {R.MUNICIPALITY_KE},
    Action.GUIDELINE_SET: {R.ORG_KE},
    Action.RULES_READ_LOCAL: {R.ORG_MEMBER},
    Action.APPOINT_FROM_UNIT: {R.ORG_KE},
    Action.HOSPITAL_APPOINT_FROM_UNIT: {R.ORG_KE, R.UNIT_LEADER_OF},
    Action.FIRST_CONTACT_RECORD: {R.APPOINTEE, R.ORG_KE},
    Action.NEED_NOTIFICATION_OUTBOX: {R.SENDER},
    Action.APPOINTMENT_FOLLOW_UP: {R.ORG_KE},
    # A directory entry's ORG_KE is the KE of the tenant with its kommunenummer; an item addressed outside Helhet
    # is RECEIVED by that KE once the municipality has joined (facts.object_relationships).
    Action.DIRECTORY_EDIT: {R.ORG_KE},
    Action.OUTSIDE_ACCEPT: {R.RECEIVER},
    Action.OUTSIDE_ANSWER: {R.SENDER},
    Action.TRAINING_RECORD: {R.ORG_KE},
    Action.PLAN_TEMPLATE_MANAGE: {R.ORG_KE},
    # The portal (helhet/portal). A parent with narrowed information may still consent in the matters the young person
    # does not decide themself: helhet.consent.capacity refuses the rest (consent_giver_check).
    Action.PORTAL_VIEW: {R.SELF, R.REPRESENTATIVE, R.PARENT_LIMITED},
    Action.PLAN_OWN_WRITE: {R.SELF, R.REPRESENTATIVE},
    Action.CONSENT_GIVE: {R.SELF, R.REPRESENTATIVE, R.PARENT_LIMITED},
    Action.MEETING_RESPOND: {R.SELF, R.REPRESENTATIVE},
    # The young person's objection to the parents being informed (pbrl. § 3-4 second paragraph): the young person themself
    # and the staff who work with them record, read and withdraw it; never a parent or guardian (it is about them). The
    # assessment that the reasons should be respected is the professional's: health personnel with a care relationship.
    # While a respected objection holds and the rules let the child object at their age, parents are PARENT_LIMITED (facts).
    Action.PARENTS_OBJECTION_RECORD: {R.SELF, R.COORDINATOR, R.HOSPITAL_COORDINATOR, R.HEALTH_CARER},
    Action.PARENTS_OBJECTION_ASSESS: {R.HEALTH_CARER},
    # The leader of the hospital unit appoints the contact doctor (spesialisthelsetjenesteloven § 2-5 c): the person check
    # is UNIT_LEADER (leads a unit involved with the person); the unit itself is CONTACT_DOCTOR_FROM_UNIT (check_object).
    Action.CONTACT_DOCTOR_APPOINT: {R.UNIT_LEADER},
    Action.CONTACT_DOCTOR_FROM_UNIT: {R.UNIT_LEADER_OF},
    Action.PATHWAY_COORDINATOR_RECORD: {R.KE, R.COORDINATOR, R.HOSPITAL_COORDINATOR, R.UNIT_LEADER},
    # Samordningsansvar is the municipality's decision: its KE.
    Action.COORDINATION_LEAD_DECIDE: {R.KE},
}

# Actions decided by role alone (no person yet), and the roles that may do them.
ROLE_ONLY: dict[Action, set[str]] = {
    Action.PERSON_CREATE: {"ke_officer", "unit_leader"},
    Action.KE_WORKLIST: {"ke_officer"},
    Action.STATISTICS_VIEW: {"ke_officer"},
    Action.COORDINATION_INBOX: {"ke_officer", "unit_leader"},
    Action.TWO_FACTOR_REQUIRED: {"ke_officer", "administrator"},
    Action.DIRECTORY_VIEW: {"coordinator", "ke_officer", "clinician", "unit_leader", "gp", "nav_adviser", "welfare_staff", "administrator"},
}

# Units in these sectors are health services: their staff are health personnel (helsepersonelloven § 3), who may
# receive health information for the care they give together (the rule "health-personnel.cooperation", data).
# NAV, school, kindergarten, PP service and child welfare staff are not: their access rests on consent alone.
HEALTH_SECTORS = frozenset({"health_care", "specialist", "mental_health", "gp"})
# Relationships that are a care relationship for HEALTH_CARER (queries adds HEALTH_CARER when the actor is health personnel).
CARE_RELATIONSHIPS = frozenset({R.INVOLVED_STAFF, R.UNIT_LEADER, R.HOSPITAL_COORDINATOR, R.PLAN_PARTICIPANT})
# The welfare services that must make an individual plan and may hold main responsibility for it (Rel.WELFARE_SERVICE):
# municipal health and care (incl. mental health and addiction), NAV, child welfare; the hospital only leads when only
# hospital services are involved over time (plans.services.plan_create checks that as a domain rule).
PLAN_START_SECTORS = frozenset({"health_care", "mental_health", "nav", "child_welfare", "specialist"})


# Systems (OAuth 2.0 client credentials): a system client acts through its service user, whose memberships give it
# its relationships like any staff member's; the bearer token it presents adds TOKEN_ROLE and "scope:<scope>" to the
# actor's roles (bind_token below), so this one policy also decides what the token's scopes allow:
# a read scope only READ_ACTIONS, the write scope the rest too. Tested in tests/accounts/test_tokens.py.
TOKEN_ROLE = "system_token"
SCOPE_ROLE_PREFIX = "scope:"
SCOPE_API_READ, SCOPE_API_WRITE, SCOPE_FHIR_READ = "helhet/api.read", "helhet/api.write", "helhet/fhir.read"
READ_SCOPES = frozenset({SCOPE_API_READ, SCOPE_API_WRITE, SCOPE_FHIR_READ})
READ_ACTIONS = frozenset({
    Action.PERSON_VIEW, Action.REQUEST_VIEW, Action.AUDIT_VIEW_PERSON, Action.PLAN_VIEW, Action.DOCUMENT_VIEW,
    Action.NEED_NOTIFICATION_VIEW, Action.NEED_NOTIFICATION_OUTBOX, Action.DISAGREEMENT_VIEW, Action.RULES_READ_LOCAL,
    Action.KE_WORKLIST, Action.COORDINATION_INBOX, Action.APPOINTMENT_FOLLOW_UP, Action.DIRECTORY_VIEW,
})


def token_allows(roles: frozenset[str] | set[str], action: Action | str) -> bool:
    """May a token with these scopes (roles "scope:<scope>") be used for `action`? Reads need a read scope, the rest
    the write scope. Only asked when the actor presented a token (TOKEN_ROLE in roles)."""
    scopes = {r[len(SCOPE_ROLE_PREFIX):] for r in roles if r.startswith(SCOPE_ROLE_PREFIX)}
    if Action(action) in READ_ACTIONS:
        return bool(scopes & READ_SCOPES)
    return SCOPE_API_WRITE in scopes


def bind_token(user, scopes, *, role: str = "system") -> None:
    """Give the policy a bearer token's scopes for this request (helhet.accounts.tokens.authenticate calls it).

    The actor's facts are cached on the user object for the request (facts.actor_context); the token's scopes are
    facts about this request, added there as TOKEN_ROLE and "scope:<s>", so every permits() call sees them. `role`
    is the role the audit log shows for the system's events (AuditEvent.actor_role)."""
    import dataclasses

    from .facts import actor_context

    ctx = actor_context(user)
    roles = ctx.roles | {TOKEN_ROLE} | {SCOPE_ROLE_PREFIX + s for s in scopes}
    user._helhet_ctx = dataclasses.replace(ctx, roles=frozenset(roles), primary_role=role)


def permits(roles: frozenset[str] | set[str], relationships: frozenset[str] | set[str], action: Action | str) -> bool:
    """True when an actor with these roles and these relationships to the person may do `action`."""
    action = Action(action)
    if TOKEN_ROLE in roles and not token_allows(roles, action):
        return False
    if action in ROLE_ONLY:
        return bool(set(roles) & ROLE_ONLY[action])
    allowed = TABLE.get(action, set())
    return bool(allowed & {Rel(r) for r in relationships})


def reason(relationships: frozenset[str] | set[str], action: Action | str) -> str:
    """The relationship that allowed an action, for the audit log's "why" (strongest first)."""
    action = Action(action)
    order = [R.SELF, R.REPRESENTATIVE, R.PARENT_LIMITED, R.COORDINATOR, R.HOSPITAL_COORDINATOR, R.CASE_KE, R.KE, R.MUNICIPALITY_KE, R.PARTY_KE,
             R.RECEIVER, R.SENDER, R.ORG_KE, R.UNIT_LEADER_OF, R.APPOINTEE, R.UNIT_LEADER, R.INVOLVED_STAFF, R.HEALTH_CARER,
             R.PLAN_PARTICIPANT, R.ORG_MEMBER, R.GRANT, R.WELFARE_SERVICE]
    allowed = TABLE.get(action, set())
    for rel in order:
        if rel in relationships and rel in allowed:
            return rel.value
    return ""


# Events a reader of the person's access log does not see, by the relationship that let them read it: a parent acting
# for a young person must not learn from the log that the young person objected to the parents being informed
# (pasient- og brukerrettighetsloven § 3-4 second paragraph; helhet.consent.parents_objection).
_LOG_HIDDEN_OBJECT_TYPES: dict[str, frozenset[str]] = {R.REPRESENTATIVE.value: frozenset({"parentsinformationobjection"})}


def access_log_hidden_object_types(why: str) -> frozenset[str]:
    """The audit object types left out of the person's access log for a reader who reads it as `why` (reason())."""
    return _LOG_HIDDEN_OBJECT_TYPES.get(why, frozenset())


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
CATEGORY_LIMITED: frozenset[Rel] = frozenset({R.PLAN_PARTICIPANT, R.INVOLVED_STAFF, R.UNIT_LEADER, R.HOSPITAL_COORDINATOR, R.KE, R.GRANT})
# When the plan-work consent is withdrawn (or expired), the plan is read only by these (the plan waits for the
# coordinator and KE to close it or record a new consent); nobody else, at the next request.
PLAN_WITHOUT_CONSENT: frozenset[Rel] = frozenset({R.SELF, R.REPRESENTATIVE, R.COORDINATOR, R.PLAN_KE})


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


FULL_PLAN_ORDER = (R.SELF, R.REPRESENTATIVE, R.COORDINATOR, R.PLAN_KE)


def plan_readable(relationships, plan_consent_valid: bool) -> bool:
    """May an actor who may otherwise view the plan read it, given the state of its plan-work consent?"""
    return plan_consent_valid or bool(PLAN_WITHOUT_CONSENT & {Rel(r) for r in relationships})


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
    for rel in FULL_PLAN_ORDER:
        if rel in rels:
            return rel.value
    if not rels & CATEGORY_LIMITED:
        return ""
    for s in scopes:
        if category in s.categories:
            return s.source
    return ""


# ---------------------------------------------------------------- the person record, field by field
#
# Every part of a person's record is either open to everyone who may see the person at all (FRAME), or shown to
# the ALWAYS relationships plus anyone whose scopes (valid sharing consents naming them, personal grants, the rule
# on cooperating health personnel) cover its CATEGORY, or "by rule only" (category None: no consent opens it).
# docs/security.md has this table with the legal source of each row; tests/access/test_person_fields.py tests it
# row by row, and tests/access/test_canary_fields.py holds every page and API document to it.


class Field(StrEnum):
    IDENTITY = "identity"  # name, birth year, home municipality, deceased: who the plan group is working with
    NATIONAL_ID = "national_id"  # fødselsnummer / D-nummer and the full birth date
    CONTACT = "contact"  # address, phone, e-mail, preferred language, interpreter
    RELATIVES = "relatives"  # relatives and guardians, their contact details
    INVOLVEMENTS = "involvements"  # which services are involved, and what they give (category by the unit's sector)
    CASE = "case"  # requests, assessments, decisions, appeals, information records, capacity findings
    CHECKLIST = "checklist"  # the documentation checklist: informed? wants? criteria met? consent? coordinator? (no texts)
    COORDINATORS = "coordinators"  # who the coordinator is (plan item c)
    CONSENTS = "consents"  # every consent; others see only the consents that name them


# What a part of the record is called where the person reads their access log ("Så personens side, uten: ...").
FIELD_LABELS: dict[str, object] = {
    Field.IDENTITY: _("navn og fødselsår"),
    Field.NATIONAL_ID: _("fødselsnummer"),
    Field.CONTACT: _("kontaktopplysninger"),
    Field.RELATIVES: _("pårørende"),
    Field.INVOLVEMENTS: _("involverte tjenester"),
    Field.CASE: _("saksopplysninger"),
    Field.CHECKLIST: _("dokumentasjon"),
    Field.COORDINATORS: _("koordinatorer"),
    Field.CONSENTS: _("samtykker"),
}


def withheld_label(code: str) -> str:
    """An information category or a part of the record, in the reader's language (the access log)."""
    from helhet.consent.categories import CATEGORY_VALUES, label

    if code in CATEGORY_VALUES:
        return label(code)
    found = FIELD_LABELS.get(code)
    return str(found) if found is not None else code


_ALWAYS_RECORD = frozenset({R.KE, R.COORDINATOR, R.SELF, R.REPRESENTATIVE})
_VIEWERS = frozenset(TABLE[Action.PERSON_VIEW])


@dataclass(frozen=True)
class FieldRule:
    always: frozenset[Rel]
    category: str | None  # the consent category that opens it to others; None: nobody else


FIELD_RULES: dict[Field, FieldRule] = {
    Field.IDENTITY: FieldRule(_VIEWERS, None),
    Field.COORDINATORS: FieldRule(_VIEWERS, None),
    Field.NATIONAL_ID: FieldRule(_ALWAYS_RECORD | {R.HOSPITAL_COORDINATOR, R.HEALTH_CARER}, None),
    Field.CASE: FieldRule(_ALWAYS_RECORD | {R.HOSPITAL_COORDINATOR}, None),
    # Health personnel must inform about IP and coordinator and report the need (DOMAIN.md): they see whether it is done.
    Field.CHECKLIST: FieldRule(_ALWAYS_RECORD | {R.HOSPITAL_COORDINATOR, R.HEALTH_CARER}, None),
    Field.CONSENTS: FieldRule(_ALWAYS_RECORD, None),
    Field.CONTACT: FieldRule(_ALWAYS_RECORD, "general"),
    Field.RELATIVES: FieldRule(_ALWAYS_RECORD, "social_family"),
    Field.INVOLVEMENTS: FieldRule(_ALWAYS_RECORD, None),  # per row: SECTOR_CATEGORY of the unit (involvement_visible)
}

# Which part of the person's record each kind of document in the document area belongs to (helhet/documents): it is
# shown to exactly those who see that part (field_visible). A decision letter is the case record (staff-only by rule).
DOCUMENT_FIELDS: dict[str, Field] = {
    "decision_letter": Field.CASE,
    "partner_information": Field.CASE,
    "need_notification_receipt": Field.CASE,
}


# The information category of what a unit's involvement says about the person (what service they receive).
SECTOR_CATEGORY: dict[str, str] = {
    "health_care": "health_function", "specialist": "health_function", "mental_health": "health_function", "gp": "health_function",
    "nav": "economy_work", "school": "school", "kindergarten": "school", "pp_service": "school",
    "child_welfare": "child_welfare", "coordinating_unit": "general",
}


def field_visible(relationships, field: Field | str, scopes: Iterable[Scope]) -> bool:
    """May an actor with these relationships (plus HEALTH_CARER where it applies) and scopes see this part of the record?"""
    rule = FIELD_RULES[Field(field)]
    rels = {Rel(r) for r in relationships}
    if rels & rule.always:
        return True
    if rule.category is None or not rels & _VIEWERS:
        return False
    return any(rule.category in s.categories for s in scopes)


def involvement_visible(relationships, sector: str, own_unit: bool, scopes: Iterable[Scope]) -> bool:
    """One involvement row: the ALWAYS relationships, the staff of the unit itself, or a scope covering the sector's category."""
    rels = {Rel(r) for r in relationships}
    if rels & FIELD_RULES[Field.INVOLVEMENTS].always or (own_unit and rels & _VIEWERS):
        return True
    if not rels & _VIEWERS:
        return False
    category = SECTOR_CATEGORY.get(sector, "general")
    return any(category in s.categories for s in scopes)


def relative_may_see(may_consent: bool, category: str) -> bool:
    """A relative who is not a Helhet user (minutes sent by e-mail): "general" only, unless they may consent on the
    person's behalf (guardian, parents), who act for the person and see what the person sees."""
    return category == "general" or may_consent
