"""Reads for coordinators' and KE officers' lists. Lists show names and case state, scoped by access."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from helhet.access.policy import Action
from helhet.access.queries import check_role, load, may_object, objects_q, organizations_for
from helhet.core.dbrouter import use_replica
from helhet.core.errors import NotFound

from .models import Appeal, AppealEvent, Assessment, CoordinatorAppointment, Decision, Request


def my_persons(*, actor, day: dt.date | None = None) -> QuerySet[CoordinatorAppointment]:
    """The coordinator's list: their open appointments with the person."""
    day = day or timezone.localdate()
    return (
        CoordinatorAppointment.objects.filter(coordinator=actor, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gt=day))
        .select_related("person__home_municipality", "unit")
        .order_by("person__family_name", "person__given_name")
    )


def ke_lists(*, actor, status: str = "", search: str = "", kind: str = "") -> dict[str, QuerySet]:
    """The KE overview's lists as ordered, access-scoped querysets (requests filtered), each in a deterministic order
    (id last): the overview pages them (ke_overview_page, ke_list_page), the API slices them (ke_overview)."""
    check_role(actor, Action.KE_WORKLIST)
    orgs = list(organizations_for(actor, Action.KE_WORKLIST))
    today = timezone.localdate()
    requests = Request.objects.filter(objects_q(actor, Action.CASE_HANDLE, Request)).select_related("person", "organization", "decision")
    if status:
        requests = requests.filter(status=status)
    if kind == "ip":
        requests = requests.filter(wants_ip=True)
    elif kind == "coordinator":
        requests = requests.filter(wants_coordinator=True)
    elif kind == "child_coordinator":
        requests = requests.filter(wants_child_coordinator=True)
    search = (search or "").strip()
    if search:
        for word in search.split():
            requests = requests.filter(Q(person__given_name__icontains=word) | Q(person__family_name__icontains=word) | Q(person__national_id__startswith=word))
    # Filtered with NOT EXISTS, not annotated: an annotation put the same subquery in the SELECT list too (a second
    # scan). The partial index decision_waiting_order (cases.Decision) serves the filter and the order (issue 14).
    open_appointment = CoordinatorAppointment.objects.filter(person=OuterRef("request__person"), end__isnull=True)
    waiting = (
        Decision.objects.filter(request__organization_id__in=orgs)
        .filter(Q(grants_coordinator=True) | Q(grants_child_coordinator=True))
        .filter(~Exists(open_appointment))
        .select_related("request__person")
        .order_by("decided_on", "id")
    )
    appeals = (
        Appeal.objects.filter(decision__request__organization_id__in=orgs, status__in=list(Appeal.TRANSITIONS))
        .select_related("decision__request__person")
        .order_by("received_on", "id")
    )
    coordinators = (
        CoordinatorAppointment.objects.filter(Q(end__isnull=True) | Q(end__gt=today), start__lte=today)
        .filter(Q(unit__organization_id__in=orgs) | Q(person__home_municipality_id__in=orgs))
        .select_related("person", "coordinator", "unit")
        .order_by("coordinator__last_name", "person__family_name", "id")
    )
    return {"requests": requests.order_by("-received_on", "-id"), "waiting": waiting, "appeals": appeals, "coordinators": coordinators,
            "incoming_transfers": _incoming_transfers_q(actor)}


def _status_counts(actor) -> dict[str, int]:
    counts = {s: 0 for s, _label in Request.Status.choices}
    orgs = list(organizations_for(actor, Action.KE_WORKLIST))
    for row in Request.objects.filter(organization_id__in=orgs).values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


def ke_overview(*, actor, status: str = "", search: str = "", kind: str = "", limit: int = 100) -> dict:
    """The KE's overview of its tenant as lists of at most `limit` rows each (the API): requests (filtered), persons
    waiting for a coordinator, open appeals, coordinators, incoming transfers."""
    lists = ke_lists(actor=actor, status=status, search=search, kind=kind)
    # The lists are read from the read replica when one is configured (helhet.core.dbrouter); the access checks
    # above ran on the primary.
    with use_replica():
        data = {name: list(qs[:limit]) for name, qs in lists.items()}
        data["counts"] = _status_counts(actor)
    data["incoming_transfer_count"] = len(data["incoming_transfers"])
    data["main_pending_count"] = sum(1 for t in data["incoming_transfers"] if t.main_pending)
    return data


OVERVIEW_TOP = 5  # rows of each block on the KE overview; "Se alle" leads to the block's own paged list
KE_LISTS = {"venter": "waiting", "klager": "appeals", "koordinatorer": "coordinators", "overforinger": "incoming_transfers"}


def ke_overview_page(*, actor, params, status: str = "", search: str = "", kind: str = "") -> dict:
    """The KE overview page: the filtered requests paged (keyset, `params` = the query string), the first OVERVIEW_TOP
    rows of every other block with its total, and the status counts. A fixed number of queries."""
    from helhet.core.paging import keyset_page

    lists = ke_lists(actor=actor, status=status, search=search, kind=kind)
    with use_replica():
        transfers = lists["incoming_transfers"].order_by().aggregate(total=Count("id"), pending=Count("id", filter=_MAIN_PENDING))
        data = {"requests": keyset_page(lists["requests"], params)}
        for name in KE_LISTS.values():
            data[name] = keyset_page(lists[name], None, per_page=OVERVIEW_TOP,
                                     count=transfers["total"] if name == "incoming_transfers" else None)
        data["counts"] = _status_counts(actor)
    data["incoming_transfer_count"], data["main_pending_count"] = transfers["total"], transfers["pending"]
    return data


def ke_list_page(*, actor, name: str, params):
    """One block of the KE overview in full, keyset-paged: name is a key of KE_LISTS (else NotFound)."""
    from helhet.core.paging import keyset_page

    if name not in KE_LISTS:
        raise NotFound()
    qs = ke_lists(actor=actor)[KE_LISTS[name]]
    with use_replica():
        return keyset_page(qs, params)


# --- Reads for the browser's case pages (cases/views.py). Each checks access like the service it leads to. ---

CRITERIA_RULE_CODES = ["ip.right", "covid-2020.no-new-ip", "coordinator.duty", "coordinator.right", "child-coordinator.right"]


def request_for_action(*, actor, request_id, action) -> Request:
    """A request the actor may do `action` on (the same test as cases.services._request_for), or NotFound."""
    req, _why = load(actor, Request, request_id, None, object_action=action,
                     queryset=Request.objects.select_related("person__home_municipality", "organization", "assessment", "decision"))
    return req


def request_detail(*, actor, request_id) -> tuple[Request, dict]:
    """One request with its assessment, decision, appeals and their history, and the rules each step applied."""
    from django.db.models import Prefetch

    from helhet.access.policy import Action
    from helhet.access.queries import allowed_actions
    from helhet.audit.services import record

    req, why = load(actor, Request, request_id, Action.REQUEST_VIEW,
                    queryset=Request.objects.select_related("person__home_municipality", "organization", "registered_by"))
    assessment = Assessment.objects.filter(request=req).select_related("assessed_by").prefetch_related("rules_applied").first()
    decision = (
        Decision.objects.filter(request=req).select_related("decided_by")
        .prefetch_related("rules_applied", Prefetch("appeals", queryset=Appeal.objects.select_related("registered_by").prefetch_related(
            Prefetch("events", queryset=AppealEvent.objects.select_related("by")))))
        .first()
    )
    allowed = set(allowed_actions(actor, req.person))
    if may_object(actor, Action.CASE_HANDLE, req):
        allowed |= {Action.ASSESSMENT_CREATE.value, Action.DECISION_CREATE.value, Action.APPEAL_MANAGE.value}
    appealable = []
    deadline = None
    appeals = list(decision.appeals.all()) if decision else []
    if decision is not None:
        from .rules import appeal_deadline, appealable_refusals

        appealable = appealable_refusals(decision, req)
        deadline = appeal_deadline(decision, req.organization)
        decision.standing = decision.standing_label(appeals)
    # The follow-up request after an appeal decided for the person (the KE's new decision), and the appealed request.
    follow_ups = list(Request.objects.filter(follows_appeal__decision__request=req).only("pk", "status", "received_on"))
    appealed = (Request.objects.filter(pk=req.follows_appeal.decision.request_id).only("pk").first() if req.follows_appeal_id else None)
    record(actor=actor, action="view", obj=req, person=req.person, reason=why, summary=gettext_noop("Så henvendelse"))
    return req, {"assessment": assessment, "decision": decision, "allowed": allowed, "appealable": appealable,
                 "appeals": appeals, "appeal_deadline": deadline, "follow_ups": follow_ups, "appealed_request": appealed}


def criteria_rules(req: Request) -> list:
    """The rules the assessment of this request will apply: those in force on the day it was received."""
    from helhet.rules.selectors import rules_in_force

    return list(rules_in_force(req.received_on, organization=req.organization, codes=CRITERIA_RULE_CODES))


def appeal_for_action(*, actor, appeal_id) -> Appeal:
    from helhet.access.policy import Action

    appeal, _why = load(actor, Appeal, appeal_id, None, person_of=None, queryset=Appeal.objects.select_related("decision"))
    appeal.request_obj = request_for_action(actor=actor, request_id=appeal.decision.request_id, action=Action.APPEAL_MANAGE)
    return appeal


def appointment_for_action(*, actor, appointment_id) -> CoordinatorAppointment:
    """An appointment the actor may hand over or end (the same test as the services), or NotFound."""
    from helhet.access.queries import check

    appointment, _why = load(actor, CoordinatorAppointment, appointment_id, None, person_of=None,
                             queryset=CoordinatorAppointment.objects.select_related("person__home_municipality", "coordinator", "unit"))
    action = Action.HOSPITAL_COORDINATOR_APPOINT if appointment.kind == CoordinatorAppointment.Kind.HOSPITAL_COORDINATOR else Action.COORDINATOR_APPOINT
    check(actor, action, appointment.person)
    return appointment


def appointment_kinds(allowed) -> list[str]:
    """Which kinds of coordinator the actor may appoint, from the person's allowed actions."""
    from helhet.access.policy import Action

    kinds = []
    if Action.COORDINATOR_APPOINT.value in allowed:
        kinds += [CoordinatorAppointment.Kind.COORDINATOR, CoordinatorAppointment.Kind.CHILD_COORDINATOR]
    if Action.HOSPITAL_COORDINATOR_APPOINT.value in allowed:
        kinds.append(CoordinatorAppointment.Kind.HOSPITAL_COORDINATOR)
    return kinds


def appointee_units(*, actor, kinds) -> list:
    """Units the actor may appoint a coordinator from (cases.services._validate_appointee has the final word)."""
    from helhet.organizations.models import Level, Organization, ServiceUnit

    q = Q(pk__in=[])
    if CoordinatorAppointment.Kind.COORDINATOR in kinds or CoordinatorAppointment.Kind.CHILD_COORDINATOR in kinds:
        q |= objects_q(actor, Action.APPOINT_FROM_UNIT, ServiceUnit) & Q(organization__kind=Organization.Kind.MUNICIPALITY)
    if CoordinatorAppointment.Kind.HOSPITAL_COORDINATOR in kinds:
        q |= Q(level=Level.SPECIALIST) & objects_q(actor, Action.HOSPITAL_APPOINT_FROM_UNIT, ServiceUnit)
    return list(ServiceUnit.objects.filter(q).select_related("organization").order_by("organization__name", "name"))


def consent_for_action(*, actor, consent_id):
    from helhet.access.policy import Action
    from helhet.access.queries import check
    from helhet.consent.models import Consent

    consent = Consent.objects.select_related("person").filter(pk=consent_id).first()
    if consent is None:
        raise NotFound()
    check(actor, Action.CONSENT_RECORD, consent.person)
    return consent


_MAIN_PENDING = Q(status="completed", main_proposed_unit__isnull=False, main_confirmed_on__isnull=True)


def _incoming_transfers_q(actor) -> QuerySet:
    """Transfers to the actor's KE tenant (docs/decisions/0009): open ones, and completed moves whose main responsibility
    waits for this KE to confirm it; rows are scoped by access (TRANSFER_RECEIVE)."""
    from helhet.coordination.models import Transfer

    mine = Transfer.objects.filter(objects_q(actor, Action.TRANSFER_RECEIVE, Transfer), to_organization__isnull=False)
    return (mine.filter(Q(status=Transfer.Status.OPEN) | _MAIN_PENDING)
            .select_related("person", "from_organization", "main_proposed_unit").order_by("effective_on", "id"))


# --- Contact doctor, pathway coordinator, samordningsansvar (issue 11) ---------------------------------------------


def person_roles(person, *, today: dt.date | None = None) -> dict:
    """The person's contact doctors (with the due date while not appointed), pathway coordinators and samordningsansvar.

    NOT an access decision: callers have loaded the person for the reader and decided that the reader sees the case
    record (people.selectors.person_detail, roles_for_person below, the portal through roles_for_person). Four queries."""
    from helhet.rules.models import Rule

    from .models import ContactDoctor, CoordinationLead, PathwayCoordinator
    from .rules import contact_doctor_due

    today = today or timezone.localdate()
    doctors = list(ContactDoctor.objects.filter(person=person).select_related("unit__organization", "clinician"))
    for d in doctors:
        d.due, d.overdue = None, False
    if any(d.appointed_on is None for d in doctors):
        rules = list(Rule.objects.filter(code="contact-doctor.deadline", organization__isnull=True).order_by("valid_from"))
        for d in doctors:
            rule = next((r for r in reversed(rules) if r.in_force_on(d.need_found_on)), None)
            d.due = contact_doctor_due(d.need_found_on, rule) if rule and d.appointed_on is None else None
            d.overdue = bool(d.due and d.due < today)
    pathway = list(PathwayCoordinator.objects.filter(person=person).select_related("unit__organization"))
    for p in pathway:
        p.active = p.active_on(today)
    leads = list(CoordinationLead.objects.filter(person=person).select_related("unit__organization", "decided_by", "rule"))
    return {"contact_doctors": doctors, "pathway_coordinators": pathway, "coordination_leads": leads,
            "coordination_lead": next((c for c in leads if c.ended_on is None), None)}


def roles_for_person(*, actor, person_id, missing_ok: bool = False) -> tuple:
    """(person, roles) for a reader who sees the person's case record (staff-only by rule, and the person and whoever
    acts for them): the contact doctor, pathway coordinators, samordningsansvar. For the API and the portal. Audited.
    `missing_ok` (the portal's plan page, which did not ask for this section): (person, None) instead of a refusal
    when the reader may see the person but not the case record."""
    from helhet.access.policy import Field
    from helhet.access.queries import check_with_relationships, deny, get_person, person_access
    from helhet.audit.services import record

    person, _why = get_person(actor, person_id)
    why, rels = check_with_relationships(actor, Action.PERSON_VIEW, person)
    if not person_access(actor, person, rels=rels).sees(Field.CASE):
        if missing_ok:
            return person, None
        deny(actor, Action.PERSON_VIEW, obj=person, person=person)
    data = person_roles(person)
    record(actor=actor, action="view", obj=person, person=person, reason=why, summary=gettext_noop("Så kontaktlege, forløpskoordinator og samordningsansvar"))
    return person, data


def contact_doctor_units(*, actor) -> list:
    """Hospital units the actor leads (where they may appoint a contact doctor; the service has the final word)."""
    from helhet.organizations.models import Level, ServiceUnit

    return list(ServiceUnit.objects.filter(objects_q(actor, Action.CONTACT_DOCTOR_FROM_UNIT, ServiceUnit), level=Level.SPECIALIST)
                .select_related("organization").order_by("organization__name", "name"))


def contact_doctor_for_action(*, actor, contact_doctor_id):
    from helhet.access.queries import check_object

    from .models import ContactDoctor

    row, _why = load(actor, ContactDoctor, contact_doctor_id, Action.CONTACT_DOCTOR_APPOINT,
                     queryset=ContactDoctor.objects.select_related("person", "unit__organization"))
    check_object(actor, Action.CONTACT_DOCTOR_FROM_UNIT, row.unit, person=row.person)
    return row


def service_units(*, organization=None) -> list:
    """Service units (reference data, no personal data) to choose a pathway coordinator's or a coordinating service's unit
    from; the coordinating units themselves are left out."""
    from helhet.organizations.models import ServiceUnit

    qs = ServiceUnit.objects.filter(is_coordinating_unit=False).select_related("organization")
    if organization is not None:
        qs = qs.filter(organization=organization)
    return list(qs.order_by("organization__name", "name"))
