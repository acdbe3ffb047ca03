"""The coordination loop: need notifications, transfers, informing partners, disagreements.

Handlers are thin: parse a schema, call ONE service (helhet.coordination.services) or selector, return a schema.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Router, Schema

from helhet.coordination import selectors, services

from .people import ERRORS, _person

PREFIX = "/coordination"
router = Router(tags=["coordination"])


class NeedNotificationOut(Schema):
    id: int
    person_id: int
    direction: str
    from_organization_id: int
    from_unit_id: int | None
    sent_by_id: int
    to_organization_id: int
    to_unit_id: int
    unit_was_known: bool
    needs_ip: bool
    needs_coordinator: bool
    needs_child_coordinator: bool
    needs_hospital_coordinator: bool
    summary: str
    contact_name: str
    contact_phone: str
    consent_id: int | None
    consent_given_by: str
    consent_given_by_name: str
    consent_method: str
    consent_given_on: dt.date | None
    sent_on: dt.date
    status: str
    acknowledged_on: dt.date | None
    handled_on: dt.date | None
    request_id: int | None
    appointment_id: int | None
    response_note: str


class NeedNotificationIn(Schema):
    """The consent to send it: `consent_id`, a sharing consent of the person covering the receiver and health and
    function, OR the consent given for this notification (consent_given_by, consent_given_by_relative_id for a
    representative, consent_method, consent_given_on; the name recorded is theirs, consent_given_by_name is ignored).
    Neither, or a consent that does not cover it: 400 with a field error on `consent`."""
    person_id: int
    direction: Literal["to_municipality", "to_hospital"]
    sent_on: dt.date
    summary: str
    contact_name: str
    contact_phone: str = ""
    needs_ip: bool = False
    needs_coordinator: bool = False
    needs_child_coordinator: bool = False
    to_unit_id: int | None = None
    to_organization_id: int | None = None
    consent_id: int | None = None
    consent_given_by: str = ""
    consent_given_by_relative_id: int | None = None
    consent_given_by_name: str = ""
    consent_method: str = ""
    consent_given_on: dt.date | None = None


class AcknowledgeIn(Schema):
    on: dt.date
    note: str = ""


class RegisterIn(Schema):
    on: dt.date | None = None


class RespondIn(Schema):
    on: dt.date
    note: str = ""


class ChecklistItemOut(Schema):
    key: str
    label: str
    done_on: dt.date | None
    not_applicable: bool
    note: str


class TransferOut(Schema):
    id: int
    person_id: int
    kind: str
    status: str
    from_appointment_id: int | None
    to_appointment_id: int | None
    from_organization_id: int
    to_organization_id: int
    effective_on: dt.date
    old_coordinator_continues: bool
    completed_on: dt.date | None
    note: str
    items: list[ChecklistItemOut]

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())


class TransferIn(Schema):
    person_id: int
    kind: Literal["coordinator_leaves", "move", "hospital_to_municipality", "municipality_to_hospital", "child_turns_18"]
    effective_on: dt.date
    from_appointment_id: int | None = None
    to_organization_id: int | None = None
    note: str = ""


class TransferItemIn(Schema):
    state: Literal["done", "not_applicable", "undone"]
    note: str = ""


class CompleteIn(Schema):
    coordinator_id: int
    unit_id: int
    on: dt.date
    reason: str = ""
    person_wish: str = ""


class TransferCancelIn(Schema):
    reason: str


class Turning18Out(Schema):
    appointment_id: int
    person_id: int
    person_name: str
    coordinator_id: int
    turns_18_on: dt.date
    overdue: bool
    has_open_transfer: bool

    @staticmethod
    def resolve_appointment_id(obj):
        return obj.pk

    @staticmethod
    def resolve_person_name(obj):
        return obj.person.full_name


class PartnerInformIn(Schema):
    person_id: int
    event: Literal["coordinator_appointed", "plan_started", "arrangement_ended"]
    unit_ids: list[int] | None = None
    method: Literal["auto", "email", "letter"] = "auto"


class PartnerInformationOut(Schema):
    id: int
    person_id: int
    event: str
    recipient_unit_id: int | None
    is_gp: bool
    method: str
    address: str
    sent_at: dt.datetime


class ObjectionIn(Schema):
    person_id: int
    objected_on: dt.date
    given_by_name: str
    how: Literal["signed_in_app", "oral", "paper"]
    note: str = ""


class ObjectionOut(Schema):
    id: int
    person_id: int
    objected_on: dt.date
    given_by_name: str
    how: str
    withdrawn_on: dt.date | None


class ObjectionWithdrawIn(Schema):
    on: dt.date


class DisagreementIn(Schema):
    person_id: int
    kind: Literal["needs_or_rights", "main_responsibility"]
    description: str
    raised_on: dt.date
    health_trust_id: int | None = None
    parties: str = ""


class ResolveIn(Schema):
    resolved_on: dt.date
    outcome: str
    decided_sector: str = ""
    decided_unit_id: int | None = None


class DisagreementOut(Schema):
    id: int
    person_id: int
    kind: str
    municipality_id: int
    health_trust_id: int | None
    parties: str
    description: str
    raised_on: dt.date
    status: str
    outcome: str
    resolved_on: dt.date | None
    decided_sector: str
    decided_unit_id: int | None
    applied_to_plan_id: int | None


class InboxOut(Schema):
    notifications: list[NeedNotificationOut]
    transfers: list[TransferOut]
    disagreements: list[DisagreementOut]
    turning_18: list[Turning18Out]


# --- need notifications ------------------------------------------------------------------------------------------


@router.get("/inbox", response={200: InboxOut, **ERRORS})
def inbox(request):
    """The KE's (or a hospital unit leader's) inbox."""
    return selectors.inbox(actor=request.user)


@router.get("/outbox", response={200: list[NeedNotificationOut], **ERRORS})
def outbox(request):
    """Need notifications you (or your KE) sent, with their status."""
    return selectors.outbox(actor=request.user)


@router.post("/need-notifications", response={201: NeedNotificationOut, **ERRORS})
def send_need_notification(request, payload: NeedNotificationIn):
    data = payload.dict()
    person = _person(data.pop("person_id"))
    return 201, services.need_notification_send(actor=request.user, person=person, **data)


@router.get("/need-notifications/{notification_id}", response={200: NeedNotificationOut, **ERRORS})
def get_need_notification(request, notification_id: int):
    return selectors.notification_detail(actor=request.user, notification_id=notification_id)[0]


@router.post("/need-notifications/{notification_id}/acknowledge", response={200: NeedNotificationOut, **ERRORS})
def acknowledge(request, notification_id: int, payload: AcknowledgeIn):
    return services.need_notification_acknowledge(actor=request.user, notification_id=notification_id, **payload.dict())


@router.post("/need-notifications/{notification_id}/register-request", response={200: NeedNotificationOut, **ERRORS})
def register_request(request, notification_id: int, payload: RegisterIn):
    return services.need_notification_register_request(actor=request.user, notification_id=notification_id, **payload.dict())


@router.post("/need-notifications/{notification_id}/respond", response={200: NeedNotificationOut, **ERRORS})
def respond(request, notification_id: int, payload: RespondIn):
    return services.need_notification_respond(actor=request.user, notification_id=notification_id, **payload.dict())


# --- transfers ---------------------------------------------------------------------------------------------------


@router.post("/transfers", response={201: TransferOut, **ERRORS})
def start_transfer(request, payload: TransferIn):
    data = payload.dict()
    person = _person(data.pop("person_id"))
    return 201, services.transfer_start(actor=request.user, person=person, **data)


@router.get("/transfers/{transfer_id}", response={200: TransferOut, **ERRORS})
def get_transfer(request, transfer_id: int):
    return selectors.transfer_detail(actor=request.user, transfer_id=transfer_id)[0]


@router.post("/transfers/{transfer_id}/items/{key}", response={200: ChecklistItemOut, **ERRORS})
def set_item(request, transfer_id: int, key: str, payload: TransferItemIn):
    return services.transfer_item_set(actor=request.user, transfer_id=transfer_id, key=key, done=payload.state == "done",
                                      not_applicable=payload.state == "not_applicable", note=payload.note)


@router.post("/transfers/{transfer_id}/complete", response={200: TransferOut, **ERRORS})
def complete_transfer(request, transfer_id: int, payload: CompleteIn):
    return services.transfer_complete(actor=request.user, transfer_id=transfer_id, **payload.dict())


@router.post("/transfers/{transfer_id}/cancel", response={200: TransferOut, **ERRORS})
def cancel_transfer(request, transfer_id: int, payload: TransferCancelIn):
    return services.transfer_cancel(actor=request.user, transfer_id=transfer_id, **payload.dict())


@router.get("/turning-18", response={200: list[Turning18Out], **ERRORS})
def turning_18(request):
    """Child coordinators whose child turns 18 within 90 days (or already has)."""
    return selectors.turning_18(actor=request.user)


# --- informing partners ------------------------------------------------------------------------------------------


@router.post("/partner-information", response={201: list[PartnerInformationOut], **ERRORS})
def inform_partners(request, payload: PartnerInformIn):
    """Inform the GP and partners; 409 'objected' (nothing sent) when the person has objected."""
    data = payload.dict()
    person = _person(data.pop("person_id"))
    return 201, services.partners_inform(actor=request.user, person=person, **data)


@router.post("/partner-objections", response={201: ObjectionOut, **ERRORS})
def record_objection(request, payload: ObjectionIn):
    data = payload.dict()
    person = _person(data.pop("person_id"))
    return 201, services.partner_objection_record(actor=request.user, person=person, **data)


@router.post("/partner-objections/{objection_id}/withdraw", response={200: ObjectionOut, **ERRORS})
def withdraw_objection(request, objection_id: int, payload: ObjectionWithdrawIn):
    return services.partner_objection_withdraw(actor=request.user, objection_id=objection_id, **payload.dict())


# --- disagreements -----------------------------------------------------------------------------------------------


@router.post("/disagreements", response={201: DisagreementOut, **ERRORS})
def raise_disagreement(request, payload: DisagreementIn):
    data = payload.dict()
    person = _person(data.pop("person_id"))
    return 201, services.disagreement_raise(actor=request.user, person=person, **data)


@router.get("/disagreements/{disagreement_id}", response={200: DisagreementOut, **ERRORS})
def get_disagreement(request, disagreement_id: int):
    return selectors.disagreement_detail(actor=request.user, disagreement_id=disagreement_id)


@router.post("/disagreements/{disagreement_id}/resolve", response={200: DisagreementOut, **ERRORS})
def resolve_disagreement(request, disagreement_id: int, payload: ResolveIn):
    return services.disagreement_resolve(actor=request.user, disagreement_id=disagreement_id, **payload.dict())
