"""Persons: list, create, detail (with the documentation checklist), contact update, relatives, involvements,
capacity findings, information records, consents.

Handlers are thin: they parse a schema, call ONE service or selector, and return a schema. Access is decided by
the service (helhet.access.queries.check) or the selector (get_person); what the actor may not see is a 404.
Reading a person's data goes through helhet.people.selectors.person_detail, which writes the 'view' audit event.
"""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from helhet.consent import services as consent_services
from helhet.consent.models import Consent
from helhet.core.errors import NotFound
from helhet.people import selectors, services
from helhet.people.models import Person

from .schemas import ERRORS

PREFIX = "/persons"
router = Router(tags=["persons"])


# --- shared --------------------------------------------------------------------------------------------------------
# The error body and ERRORS live in helhet/api/schemas.py (one ErrorOut for every router).




def _person(person_id: int) -> Person:
    """The target of a write. The service itself checks access (and audits a refusal), so this only loads the row."""
    person = Person.objects.select_related("home_municipality").filter(pk=person_id).first()
    if person is None:
        raise NotFound()
    return person


# --- schemas -------------------------------------------------------------------------------------------------------


class PersonOut(Schema):
    """Lists show name and birth year: enough to tell persons apart, nothing more (docs/security.md)."""

    id: int
    given_name: str
    family_name: str
    birth_year: int
    home_municipality_id: int | None = None  # None: the home municipality does not use Helhet (issue 12, directory)

    @staticmethod
    def resolve_birth_year(obj) -> int:
        return getattr(obj, "birth_year", None) or obj.birth_date.year


class ChecklistItem(Schema):
    key: str
    label: str
    done: bool
    value: str | None = None


class RelativeOut(Schema):
    id: int
    name: str
    relationship: str
    phone: str
    email: str
    is_closest_relative: bool
    may_take_part: bool
    may_consent: bool


class InvolvementOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    staff_id: int | None
    description: str
    start: dt.date
    end: dt.date | None

    @staticmethod
    def resolve_unit_name(obj) -> str:
        return obj.unit.name


class CapacityFindingOut(Schema):
    id: int
    capacity: str
    reasons: str
    scope: str
    found_on: dt.date
    found_by_id: int


class InformationRecordOut(Schema):
    id: int
    informed_on: dt.date
    informed_by_id: int
    unit_id: int | None
    about_ip: bool
    about_coordinator: bool
    wants_ip: str
    wants_coordinator: str
    note: str


class PersonConsentOut(Schema):
    id: int
    person_id: int
    kind: str
    given_by: str
    given_by_relative_id: int | None
    given_by_name: str
    method: str
    given_on: dt.date
    valid_to: dt.date | None
    withdrawn_on: dt.date | None
    note: str


class HealthObjectionOut(Schema):
    id: int
    person_id: int
    objected_on: dt.date
    given_by_name: str
    how: str
    note: str
    withdrawn_on: dt.date | None


class HealthObjectionIn(Schema):
    objected_on: dt.date
    given_by_name: str
    how: str
    note: str = ""


class HealthObjectionWithdrawIn(Schema):
    on: dt.date | None = None


class AppointmentBrief(Schema):
    id: int
    kind: str
    coordinator_id: int
    unit_id: int
    start: dt.date
    end: dt.date | None


class RequestBrief(Schema):
    id: int
    received_on: dt.date
    status: str
    wants_ip: bool
    wants_coordinator: bool
    wants_child_coordinator: bool


class PersonDetailOut(PersonOut):
    """The person as the caller may see them: a field the caller's relationships and consents do not cover is null
    (or an empty list), and `withheld` names the parts of the record held back (docs/security.md)."""

    national_id: str | None
    birth_date: dt.date | None
    is_d_number: bool | None
    address: str | None
    phone: str | None
    email: str | None
    preferred_language: str | None
    needs_interpreter: bool | None
    capacity_to_consent: str | None
    withheld: list[str]
    checklist: list[ChecklistItem]
    relatives: list[RelativeOut]
    involvements: list[InvolvementOut]
    capacity_findings: list[CapacityFindingOut]
    information: list[InformationRecordOut]
    consents: list[PersonConsentOut]
    requests: list[RequestBrief]
    appointments: list[AppointmentBrief]
    objections: list[HealthObjectionOut]


class PersonCreateIn(Schema):
    national_id: str
    given_name: str
    family_name: str
    home_municipality_id: int
    address: str = ""
    phone: str = ""
    email: str = ""
    preferred_language: str = "norsk"
    needs_interpreter: bool = False


class PersonUpdateIn(Schema):
    """Only the fields sent are changed (PATCH semantics)."""

    given_name: str | None = None
    family_name: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    preferred_language: str | None = None
    needs_interpreter: bool | None = None


class RelativeIn(Schema):
    name: str
    relationship: str
    phone: str = ""
    email: str = ""
    is_closest_relative: bool = False
    may_take_part: bool = False
    may_consent: bool = False


class InvolvementIn(Schema):
    unit_id: int
    staff_id: int | None = None
    description: str = ""
    start: dt.date | None = None


class CapacityFindingIn(Schema):
    capacity: str
    reasons: str
    found_on: dt.date
    scope: str = ""


class InformationRecordIn(Schema):
    informed_on: dt.date
    about_ip: bool = True
    about_coordinator: bool = True
    wants_ip: str = "undecided"
    wants_coordinator: str = "undecided"
    note: str = ""


class PersonConsentIn(Schema):
    kind: str
    given_by: str
    method: str
    given_on: dt.date
    given_by_name: str = ""
    given_by_relative_id: int | None = None
    valid_to: dt.date | None = None
    note: str = ""


class PersonConsentWithdrawIn(Schema):
    on: dt.date
    note: str = ""


# --- handlers ------------------------------------------------------------------------------------------------------


class _Detail:
    """The person seen through person_detail's already-loaded rows, so PersonDetailOut reads them without more queries."""

    def __init__(self, person: Person, data: dict):
        self._person = person
        self._data = {
            **data,
            "checklist": [
                {
                    **item,
                    "label": str(item["label"]),
                    "value": None if item["value"] is None else str(item["value"]),
                }
                for item in data["checklist"]
            ],
        }

    def __getattr__(self, name):
        return self._data[name] if name in self._data else getattr(self._person, name)


def _detail_out(person: Person, data: dict) -> _Detail:
    return _Detail(person, data)


@router.get("/", response={200: list[PersonOut], **ERRORS})
def list_persons(request, q: str = ""):
    """Persons you may see; `q` searches names or the start of the national id."""
    return list(selectors.person_list(actor=request.user, search=q))


@router.post("/", response={201: PersonDetailOut, **ERRORS})
def create_person(request, payload: PersonCreateIn):
    person = services.person_create(actor=request.user, **payload.dict())
    return 201, _detail_out(*selectors.person_detail(actor=request.user, person_id=person.pk))


@router.get("/{person_id}", response={200: PersonDetailOut, **ERRORS})
def get_person(request, person_id: int):
    """The person with relatives, involvements, consents, case state and the documentation checklist. Audited as a view."""
    return _detail_out(*selectors.person_detail(actor=request.user, person_id=person_id))


@router.patch("/{person_id}", response={200: PersonOut, **ERRORS})
def update_person(request, person_id: int, payload: PersonUpdateIn):
    return services.person_update(
        actor=request.user,
        person=_person(person_id),
        **payload.dict(exclude_unset=True, exclude_none=True),
    )


@router.post("/{person_id}/relatives", response={201: RelativeOut, **ERRORS})
def add_relative(request, person_id: int, payload: RelativeIn):
    return 201, services.relative_add(
        actor=request.user, person=_person(person_id), **payload.dict()
    )


@router.post("/{person_id}/involvements", response={201: InvolvementOut, **ERRORS})
def add_involvement(request, person_id: int, payload: InvolvementIn):
    return 201, services.involvement_add(
        actor=request.user, person=_person(person_id), **payload.dict()
    )


@router.post("/{person_id}/capacity-findings", response={201: CapacityFindingOut, **ERRORS})
def record_capacity_finding(request, person_id: int, payload: CapacityFindingIn):
    return 201, services.capacity_finding_record(
        actor=request.user, person=_person(person_id), **payload.dict()
    )


@router.post("/{person_id}/information", response={201: InformationRecordOut, **ERRORS})
def record_information(request, person_id: int, payload: InformationRecordIn):
    """That the person was informed about individual plan and coordinator, and what they answered."""
    from helhet.cases import services as case_services

    return 201, case_services.information_record(
        actor=request.user, person=_person(person_id), **payload.dict()
    )


@router.post("/{person_id}/consents", response={201: PersonConsentOut, **ERRORS})
def record_consent(request, person_id: int, payload: PersonConsentIn):
    return 201, consent_services.consent_record(
        actor=request.user, person=_person(person_id), **payload.dict()
    )


@router.post("/{person_id}/consents/{consent_id}/withdraw", response={200: PersonConsentOut, **ERRORS})
def withdraw_consent(request, person_id: int, consent_id: int, payload: PersonConsentWithdrawIn):
    # The consent must belong to the person in the path; the service decides access to that person.
    if not Consent.objects.filter(pk=consent_id, person_id=person_id).exists():
        raise NotFound()
    return consent_services.consent_withdraw(
        actor=request.user, consent_id=consent_id, **payload.dict()
    )


@router.post("/{person_id}/health-sharing-objections", response={201: HealthObjectionOut, **ERRORS})
def record_objection(request, person_id: int, payload: HealthObjectionIn):
    """The person objects to cooperating health personnel receiving their health information without consent."""
    from helhet.access.services import objection_record

    return 201, objection_record(actor=request.user, person=_person(person_id), **payload.dict())


@router.post("/health-sharing-objections/{objection_id}/withdraw", response={200: HealthObjectionOut, **ERRORS})
def withdraw_objection(request, objection_id: int, payload: HealthObjectionWithdrawIn):
    from helhet.access.services import objection_withdraw

    return objection_withdraw(actor=request.user, objection_id=objection_id, on=payload.on)
