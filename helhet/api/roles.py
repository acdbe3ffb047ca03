"""The other roles the guidelines name (issue 11): contact doctor / psychologist in hospital, pathway coordinators,
samordningsansvar; and the new KE's confirmation of main responsibility after a move.

Handlers are thin: parse a schema, call ONE service (helhet.cases.services / helhet.coordination.services) or selector,
return a schema. Errors are helhet.api.schemas.ErrorOut (the kit maps DomainError to 400/404/409).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Router, Schema

from helhet.cases import selectors, services
from helhet.coordination import services as coordination_services

from .people import _person
from .schemas import ERRORS

PREFIX = "/roles"
router = Router(tags=["roles"])


class ContactDoctorOut(Schema):
    id: int
    person_id: int
    kind: str
    unit_id: int
    need_found_on: dt.date
    clinician_id: int | None
    name: str
    appointed_on: dt.date | None
    due: dt.date | None = None
    overdue: bool = False

    @staticmethod
    def resolve_name(obj):
        return obj.display_name


class ContactDoctorIn(Schema):
    person_id: int
    unit_id: int
    need_found_on: dt.date
    kind: Literal["doctor", "psychologist"] = "doctor"
    clinician_id: int | None = None
    clinician_name: str = ""
    appointed_on: dt.date | None = None


class ContactDoctorAppointIn(Schema):
    clinician_id: int | None = None
    clinician_name: str = ""
    appointed_on: dt.date | None = None


class PathwayCoordinatorOut(Schema):
    id: int
    person_id: int
    pathway: str
    name: str
    user_id: int | None
    unit_id: int
    start: dt.date
    end: dt.date | None


class PathwayCoordinatorIn(Schema):
    person_id: int
    pathway: Literal["cancer", "mental_health_addiction"]
    name: str = ""
    unit_id: int
    start: dt.date
    end: dt.date | None = None
    user_id: int | None = None


class CoordinationLeadOut(Schema):
    id: int
    person_id: int
    request_id: int | None
    unit_id: int
    contact_name: str
    decided_on: dt.date
    decided_by_id: int
    reason: str
    rule_code: str | None = None
    ended_on: dt.date | None

    @staticmethod
    def resolve_rule_code(obj):
        return obj.rule.code if obj.rule_id else None


class CoordinationLeadIn(Schema):
    person_id: int
    unit_id: int
    decided_on: dt.date
    reason: str
    contact_name: str = ""
    request_id: int | None = None


class PersonRolesOut(Schema):
    person_id: int
    contact_doctors: list[ContactDoctorOut]
    pathway_coordinators: list[PathwayCoordinatorOut]
    coordination_lead: CoordinationLeadOut | None


class MainResponsibilityConfirmIn(Schema):
    unit_id: int | None = None
    reason: str = ""


class MoveMainResponsibilityOut(Schema):
    transfer_id: int
    person_id: int
    main_proposed_unit_id: int | None
    main_confirmed_on: dt.date | None
    main_confirmed_by_id: int | None


@router.get("/persons/{person_id}", response={200: PersonRolesOut, **ERRORS})
def person_roles(request, person_id: int):
    """The person's contact doctors, pathway coordinators and samordningsansvar (readers of the case record)."""
    person, data = selectors.roles_for_person(actor=request.user, person_id=person_id)
    return {"person_id": person.pk, "contact_doctors": data["contact_doctors"], "pathway_coordinators": data["pathway_coordinators"],
            "coordination_lead": data["coordination_lead"]}


@router.post("/contact-doctors", response={201: ContactDoctorOut, **ERRORS})
def record_contact_doctor(request, payload: ContactDoctorIn):
    data = payload.dict()
    person = _person(data.pop("person_id"))
    return 201, services.contact_doctor_record(actor=request.user, person=person, **data)


@router.post("/contact-doctors/{contact_doctor_id}/appoint", response={200: ContactDoctorOut, **ERRORS})
def appoint_contact_doctor(request, contact_doctor_id: int, payload: ContactDoctorAppointIn):
    return services.contact_doctor_appoint(actor=request.user, contact_doctor_id=contact_doctor_id, **payload.dict())


@router.post("/pathway-coordinators", response={201: PathwayCoordinatorOut, **ERRORS})
def record_pathway_coordinator(request, payload: PathwayCoordinatorIn):
    data = payload.dict()
    person = _person(data.pop("person_id"))
    return 201, services.pathway_coordinator_record(actor=request.user, person=person, **data)


@router.post("/coordination-leads", response={201: CoordinationLeadOut, **ERRORS})
def decide_coordination_lead(request, payload: CoordinationLeadIn):
    data = payload.dict()
    person = _person(data.pop("person_id"))
    return 201, services.coordination_lead_decide(actor=request.user, person=person, **data)


@router.post("/transfers/{transfer_id}/confirm-main-responsibility", response={200: MoveMainResponsibilityOut, **ERRORS})
def confirm_main_responsibility(request, transfer_id: int, payload: MainResponsibilityConfirmIn):
    """After a move: the new municipality's KE confirms main responsibility for the person's plan."""
    t = coordination_services.transfer_main_responsibility_confirm(actor=request.user, transfer_id=transfer_id, **payload.dict())
    return {"transfer_id": t.pk, "person_id": t.person_id, "main_proposed_unit_id": t.main_proposed_unit_id,
            "main_confirmed_on": t.main_confirmed_on, "main_confirmed_by_id": t.main_confirmed_by_id}
