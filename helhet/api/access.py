"""Personal, time-limited access grants: list, create, revoke. Only the person's KE or coordinator; others get 404."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from helhet.access import selectors, services
from helhet.core.errors import NotFound
from helhet.people.models import Person

from .schemas import ERRORS

PREFIX = "/access-grants"
router = Router(tags=["access"])






class GrantOut(Schema):
    id: int
    person_id: int
    grantee_id: int
    granted_by_id: int
    consent_id: int
    valid_from: dt.date
    valid_to: dt.date
    categories: list[str]
    reason: str
    revoked_at: dt.datetime | None
    state: str

    @staticmethod
    def resolve_state(obj):
        return selectors.grant_state(obj)


class GrantIn(Schema):
    person_id: int
    grantee_id: int
    consent_id: int
    valid_from: dt.date
    valid_to: dt.date
    categories: list[str]
    reason: str


class RevokeIn(Schema):
    note: str = ""


@router.get("/person/{person_id}", response={200: list[GrantOut], **ERRORS})
def grants_of_person(request, person_id: int):
    _person, rows = selectors.grants_of_person(actor=request.user, person_id=person_id)
    return rows


@router.post("/", response={201: GrantOut, **ERRORS})
def grant_create(request, payload: GrantIn):
    data = payload.dict()
    person = Person.objects.filter(pk=data.pop("person_id")).first()
    if person is None:
        raise NotFound()
    return 201, services.grant_create(actor=request.user, person=person, **data)


@router.post("/{grant_id}/revoke", response={200: GrantOut, **ERRORS})
def grant_revoke(request, grant_id: int, payload: RevokeIn):
    return services.grant_revoke(actor=request.user, grant_id=grant_id, **payload.dict())
