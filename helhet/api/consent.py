"""Consent: the person's consents, sharing consents (categories, recipients, purpose, period), withdrawal, renewal.

Thin: each handler calls one service or selector. What the caller may not see is 404.
"""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from helhet.consent import selectors, services
from helhet.consent.categories import Category
from helhet.core.errors import NotFound
from helhet.people.models import Person

from .schemas import ERRORS

PREFIX = "/consents"
router = Router(tags=["consent"])






class ConsentOut(Schema):
    id: int
    person_id: int
    kind: str
    given_by: str
    given_by_name: str
    method: str
    given_on: dt.date
    valid_from: dt.date | None
    valid_to: dt.date | None
    withdrawn_on: dt.date | None
    categories: list[str]
    exclusions: str
    purpose: str
    recipient_user_ids: list[int]
    recipient_unit_ids: list[int]

    @staticmethod
    def resolve_recipient_user_ids(obj):
        return sorted(u.pk for u in obj.recipient_users.all())

    @staticmethod
    def resolve_recipient_unit_ids(obj):
        return sorted(u.pk for u in obj.recipient_units.all())


class CategoryOut(Schema):
    value: str
    label: str


class SharingConsentIn(Schema):
    person_id: int
    given_by: str
    method: str
    given_on: dt.date
    categories: list[str]
    purpose: str
    valid_to: dt.date
    valid_from: dt.date | None = None
    exclusions: str = ""
    recipient_user_ids: list[int] = []
    recipient_unit_ids: list[int] = []
    given_by_name: str = ""
    given_by_relative_id: int | None = None
    note: str = ""


class ConsentIn(Schema):
    """Consent to the plan work or to a coordinator. A relative consents only as one of the person's registered relatives
    (given_by_relative_id); the name recorded is theirs (given_by_name is ignored)."""
    person_id: int
    kind: str
    given_by: str
    method: str
    given_on: dt.date
    given_by_relative_id: int | None = None
    given_by_name: str = ""
    valid_to: dt.date | None = None
    note: str = ""


class ConsenterOut(Schema):
    role: str
    rule_codes: list[str]


class ConsentWithdrawIn(Schema):
    on: dt.date | None = None
    note: str = ""


class RenewalOut(Schema):
    participant_id: int
    user_id: int
    name: str
    unit: str
    no_consent: bool
    missing: list[str]
    missing_labels: list[str]


@router.get("/categories", response=list[CategoryOut])
def categories(request):
    """The fixed list of information categories a sharing consent names and every plan item carries."""
    return [{"value": c.value, "label": str(c.label)} for c in Category]


@router.get("/person/{person_id}", response={200: list[ConsentOut], **ERRORS})
def consents_of_person(request, person_id: int):
    _person, rows = selectors.consents_of_person(actor=request.user, person_id=person_id)
    return rows


@router.post("/sharing", response={201: ConsentOut, **ERRORS})
def sharing_consent_record(request, payload: SharingConsentIn):
    data = payload.dict()
    person = Person.objects.filter(pk=data.pop("person_id")).first()
    if person is None:
        raise NotFound()
    return 201, services.sharing_consent_record(actor=request.user, person=person, **data)


@router.post("", response={201: ConsentOut, **ERRORS})
def consent_record(request, payload: ConsentIn):
    """Consent to the plan work / a coordinator; refused (400, field error on given_by / given_by_relative) when the one
    named may not consent for the person (age, capacity, registered relative), with a message saying who may."""
    data = payload.dict()
    person = Person.objects.filter(pk=data.pop("person_id")).first()
    if person is None:
        raise NotFound()
    return 201, services.consent_record(actor=request.user, person=person, **data)


@router.get("/person/{person_id}/who-may-consent", response={200: list[ConsenterOut], **ERRORS})
def who_may_consent(request, person_id: int, kind: str, on: dt.date | None = None, categories: str = ""):
    """Who may consent for the person in `kind` (plan_work, coordinator, sharing with comma-separated `categories`) on
    `on` (default today), and by which rules. For those who record consent (KE, coordinator); others get 404."""
    rows = selectors.who_may_consent_of(actor=request.user, person_id=person_id, kind=kind, day=on,
                                        categories=[c for c in categories.split(",") if c])
    return [{"role": role, "rule_codes": list(codes)} for role, codes in rows.items()]


@router.post("/{consent_id}/withdraw", response={200: ConsentOut, **ERRORS})
def consent_withdraw(request, consent_id: int, payload: ConsentWithdrawIn):
    """Withdraw (from today unless `on` says otherwise): access resting on it stops at the next request."""
    return services.consent_withdraw(actor=request.user, consent_id=consent_id, **payload.dict())


@router.get("/plan/{plan_id}/renewal", response={200: list[RenewalOut], **ERRORS})
def renewal(request, plan_id: int):
    """Plan participants whose sharing consent must be renewed (not named, or a category the plan now uses is not covered)."""
    return selectors.renewal_for_plan(actor=request.user, plan_id=plan_id)
