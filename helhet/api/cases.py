"""Case process: requests, assessments, decisions, appeals, coordinator appointments.

Handlers are thin: parse a schema, call ONE service (helhet.cases.services) or selector, return a schema. The
services check access and audit; reads of one request or appointment check access through
helhet.access.queries.check and write a 'view' audit event (_request_detail / _appointment_detail below).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils.translation import gettext_noop
from ninja import Query, Router, Schema

from helhet.access.policy import Action
from helhet.access.queries import check
from helhet.audit.services import record
from helhet.cases import selectors, services
from helhet.cases.models import CoordinatorAppointment, Request
from helhet.core.errors import NotFound
from helhet.people.selectors import person_detail

from .people import ERRORS, PersonOut, _person

PREFIX = "/cases"
router = Router(tags=["cases"])


# --- schemas -------------------------------------------------------------------------------------------------------


class RuleOut(Schema):
    """A legal rule applied, with its source and the dates it is in force (law is data)."""

    code: str
    title: str
    source: str
    valid_from: dt.date
    valid_to: dt.date | None


class AppealEventOut(Schema):
    status: str
    on: dt.date
    note: str
    by_id: int


class AppealOut(Schema):
    id: int
    decision_id: int
    received_on: dt.date
    grounds: str
    status: str
    is_open: bool
    events: list[AppealEventOut]
    follow_up_request_id: int | None = None  # the KE's new decision after an appeal decided for the person or sent back

    @staticmethod
    def resolve_follow_up_request_id(obj):
        return Request.objects.filter(follows_appeal_id=obj.pk).values_list("pk", flat=True).first()


class AssessmentOut(Schema):
    id: int
    request_id: int
    assessed_on: dt.date
    long_term: bool
    services_involved: int
    complex_needs: bool
    child_serious_condition: bool
    child_needs_complex_services: bool
    meets_ip: bool
    meets_coordinator: bool
    meets_child_coordinator: bool
    ip_right_suspended: bool
    reasons: str
    rules_applied: list[RuleOut]


class DecisionOut(Schema):
    id: int
    request_id: int
    decided_on: dt.date
    grants_ip: bool
    grants_coordinator: bool
    grants_child_coordinator: bool
    outcome: str
    reasons: str
    appeal_route: str
    law: str = "patients_rights"
    appeal_deadline: dt.date | None = None
    rules_applied: list[RuleOut]
    appeals: list[AppealOut]

    @staticmethod
    def resolve_appeal_deadline(obj):
        from helhet.cases.rules import appeal_deadline

        found = appeal_deadline(obj, obj.request.organization)
        return found[0] if found else None


class RequestOut(Schema):
    id: int
    person_id: int
    person_name: str
    organization_id: int
    received_on: dt.date
    channel: str
    requester_kind: str
    requester_name: str
    wants_ip: bool
    wants_coordinator: bool
    wants_child_coordinator: bool
    description: str
    status: str

    @staticmethod
    def resolve_person_name(obj) -> str:
        return obj.person.full_name


class RequestDetailOut(RequestOut):
    assessment: AssessmentOut | None
    decision: DecisionOut | None

    @staticmethod
    def resolve_assessment(obj):
        return getattr(
            obj, "assessment", None
        )  # reverse one-to-one: RelatedObjectDoesNotExist is an AttributeError

    @staticmethod
    def resolve_decision(obj):
        return getattr(obj, "decision", None)


class AppointmentOut(Schema):
    id: int
    person_id: int
    kind: str
    coordinator_id: int
    coordinator_name: str
    unit_id: int
    appointed_by_id: int
    request_id: int | None
    person_wish: str
    start: dt.date
    end: dt.date | None
    end_reason: str
    replaces_id: int | None

    @staticmethod
    def resolve_coordinator_name(obj) -> str:
        return obj.coordinator.get_full_name() or obj.coordinator.username


class MyPersonOut(AppointmentOut):
    person: PersonOut


class DecisionBrief(Schema):
    id: int
    request_id: int
    person_id: int
    person_name: str
    decided_on: dt.date
    outcome: str

    @staticmethod
    def resolve_person_id(obj) -> int:
        return obj.request.person_id

    @staticmethod
    def resolve_person_name(obj) -> str:
        return obj.request.person.full_name


class AppealBrief(Schema):
    id: int
    decision_id: int
    received_on: dt.date
    status: str


class KeOverviewOut(Schema):
    requests: list[RequestOut]
    waiting: list[DecisionBrief]
    appeals: list[AppealBrief]
    coordinators: list[AppointmentOut]
    counts: dict[str, int]


class RequestFilters(Schema):
    status: Literal["", "registered", "assessed", "decided", "appealed", "closed"] = ""
    kind: Literal["", "ip", "coordinator", "child_coordinator"] = ""
    q: str = ""


class RequestIn(Schema):
    person_id: int
    received_on: dt.date
    channel: str
    requester_kind: str
    requester_name: str = ""
    wants_ip: bool = False
    wants_coordinator: bool = False
    wants_child_coordinator: bool = False
    description: str = ""


class AssessmentIn(Schema):
    assessed_on: dt.date
    long_term: bool
    services_involved: int
    complex_needs: bool = False
    child_serious_condition: bool = False
    child_needs_complex_services: bool = False
    reasons: str


class DecisionIn(Schema):
    decided_on: dt.date
    grants_ip: bool = False
    grants_coordinator: bool = False
    grants_child_coordinator: bool = False
    reasons: str
    law: str = "patients_rights"  # patients_rights | public_administration: decides the appeal deadline (rules data)


class AppealIn(Schema):
    received_on: dt.date
    grounds: str


class AppealAdvanceIn(Schema):
    status: str
    on: dt.date
    note: str = ""


class AppointIn(Schema):
    person_id: int
    kind: str
    coordinator_id: int
    unit_id: int
    start: dt.date
    person_wish: str = ""
    request_id: int | None = None


class HandoverIn(Schema):
    coordinator_id: int
    unit_id: int
    on: dt.date
    reason: str
    person_wish: str = ""


class EndIn(Schema):
    on: dt.date
    reason: str


# --- reads of one object (access check + 'view' audit event) ---------------------------------------------------------


def _request_detail(actor, request_id: int) -> Request:
    req = Request.objects.select_related("person", "organization").filter(pk=request_id).first()
    if req is None:
        raise NotFound()
    why = check(actor, Action.REQUEST_VIEW, req.person)
    record(
        actor=actor,
        action="view",
        obj=req,
        person=req.person,
        reason=why,
        summary=gettext_noop("Så henvendelse"),
    )
    return req


def _appointment_detail(actor, appointment_id: int) -> CoordinatorAppointment:
    appointment = (
        CoordinatorAppointment.objects.select_related("person", "coordinator")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        raise NotFound()
    why = check(actor, Action.PERSON_VIEW, appointment.person)
    record(
        actor=actor,
        action="view",
        obj=appointment,
        person=appointment.person,
        reason=why,
        summary=gettext_noop("Så koordinatoroppnevning"),
    )
    return appointment


# --- requests, assessment, decision, appeals -----------------------------------------------------------------------


@router.get("/ke-overview", response={200: KeOverviewOut, **ERRORS})
def ke_overview(request, filters: Query[RequestFilters]):
    """The coordinating unit's overview: filtered requests, persons waiting for a coordinator, open appeals, coordinators."""
    return selectors.ke_overview(
        actor=request.user, status=filters.status, kind=filters.kind, search=filters.q
    )


@router.get("/requests", response={200: list[RequestOut], **ERRORS})
def list_requests(request, filters: Query[RequestFilters]):
    """The coordinating unit's requests (404 unless you work in a coordinating unit)."""
    return selectors.ke_overview(
        actor=request.user, status=filters.status, kind=filters.kind, search=filters.q
    )["requests"]


@router.post("/requests", response={201: RequestDetailOut, **ERRORS})
def create_request(request, payload: RequestIn):
    data = payload.dict()
    person = _person(data.pop("person_id"))
    return 201, services.request_create(actor=request.user, person=person, **data)


@router.get("/requests/{request_id}", response={200: RequestDetailOut, **ERRORS})
def get_request(request, request_id: int):
    return _request_detail(request.user, request_id)


@router.post("/requests/{request_id}/assessment", response={201: AssessmentOut, **ERRORS})
def create_assessment(request, request_id: int, payload: AssessmentIn):
    return 201, services.assessment_create(
        actor=request.user, request_id=request_id, **payload.dict()
    )


@router.post("/requests/{request_id}/decision", response={201: DecisionOut, **ERRORS})
def create_decision(request, request_id: int, payload: DecisionIn):
    """Decide; the response names the outcome, the appeal route (when something was refused) and the rules applied."""
    return 201, services.decision_create(
        actor=request.user, request_id=request_id, **payload.dict()
    )


@router.post("/decisions/{decision_id}/appeals", response={201: AppealOut, **ERRORS})
def create_appeal(request, decision_id: int, payload: AppealIn):
    return 201, services.appeal_create(
        actor=request.user, decision_id=decision_id, **payload.dict()
    )


@router.post("/appeals/{appeal_id}/advance", response={200: AppealOut, **ERRORS})
def advance_appeal(request, appeal_id: int, payload: AppealAdvanceIn):
    return services.appeal_advance(actor=request.user, appeal_id=appeal_id, **payload.dict())


# --- coordinator appointments --------------------------------------------------------------------------------------


@router.get("/my-persons", response={200: list[MyPersonOut], **ERRORS})
def my_persons(request):
    """The coordinator's list: open appointments with their persons."""
    return list(selectors.my_persons(actor=request.user))


@router.get("/appointments", response={200: list[AppointmentOut], **ERRORS})
def list_appointments(request, person_id: int):
    """A person's coordinator appointments, current and past. A read of the person's data (audited)."""
    _person_obj, data = person_detail(actor=request.user, person_id=person_id)
    return data["appointments"]


@router.post("/appointments", response={201: AppointmentOut, **ERRORS})
def appoint(request, payload: AppointIn):
    data = payload.dict()
    person = _person(data.pop("person_id"))
    return 201, services.coordinator_appoint(actor=request.user, person=person, **data)


@router.get("/appointments/{appointment_id}", response={200: AppointmentOut, **ERRORS})
def get_appointment(request, appointment_id: int):
    return _appointment_detail(request.user, appointment_id)


@router.post("/appointments/{appointment_id}/handover", response={201: AppointmentOut, **ERRORS})
def handover(request, appointment_id: int, payload: HandoverIn):
    """Replace the coordinator in one step: the old period ends the day the new one starts. Returns the new appointment."""
    return 201, services.coordinator_handover(
        actor=request.user, appointment_id=appointment_id, **payload.dict()
    )


@router.post("/appointments/{appointment_id}/end", response={200: AppointmentOut, **ERRORS})
def end_appointment(request, appointment_id: int, payload: EndIn):
    return services.coordinator_end(
        actor=request.user, appointment_id=appointment_id, **payload.dict()
    )
