"""The directory's API (issue 12): every municipality with its KE contact, and the items sent to municipalities
outside Helhet (the sender's list with the answer deadlines, informing partners outside Helhet, recording the answer,
the letter; the joining KE's open list and accepting one).
Thin: every decision is in helhet.directory's selectors and services and helhet.documents' services (through the
access policy)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import Router, Schema

from helhet.access.policy import Action
from helhet.access.queries import check_role
from helhet.directory import selectors, services
from helhet.directory.models import CoordinatingUnitContact
from helhet.documents import services as documents

from .documents import DocumentOut
from .schemas import ERRORS

PREFIX = "/directory"
router = Router(tags=["directory"])

Kind = Literal["need_notification", "transfer", "partner_information"]


class ContactOut(Schema):
    name: str
    postal_address: str
    email: str
    phone: str
    org_number: str
    is_example: bool


class MunicipalityOut(Schema):
    id: int
    number: str
    name: str
    county_number: str
    county_name: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    successor_number: str | None = None
    needs_check: bool
    source: str
    uses_helhet: bool = False
    note: str = ""
    coordinating_unit: ContactOut | None = None


class OutsideItemOut(Schema):
    kind: str
    id: int
    reference: str
    municipality_number: str
    municipality_name: str
    sent_to_email: str
    day: dt.date
    status: str
    answered_on: dt.date | None = None
    answer: str = ""
    accepted_on: dt.date | None = None
    # While the answer deadline runs (helhet.coordination.deadlines.outside_answer_due): none for information to partners.
    answer_due: dt.date | None = None
    overdue: bool = False


class PartnerInformOutsideIn(Schema):
    person_id: int
    event: Literal["coordinator_appointed", "plan_started", "arrangement_ended"]
    municipality_number: str
    method: Literal["auto", "email", "letter"] = "auto"


class AnswerIn(Schema):
    on: dt.date
    note: str


class LetterIn(Schema):
    language: str = "nb"


def _municipality(m, *, note: str = "", tenant=None) -> dict:
    try:
        contact = m.coordinating_unit
    except CoordinatingUnitContact.DoesNotExist:  # no KE entry for this municipality
        contact = None
    return {
        "id": m.pk, "number": m.number, "name": m.name, "county_number": m.county_number, "county_name": m.county_name,
        "valid_from": m.valid_from, "valid_to": m.valid_to, "successor_number": m.successor.number if m.successor_id else None,
        "needs_check": m.needs_check, "source": m.source, "uses_helhet": tenant is not None, "note": note,
        "coordinating_unit": ({"name": contact.name, "postal_address": contact.postal_address, "email": contact.email, "phone": contact.phone,
                               "org_number": contact.org_number, "is_example": contact.is_example} if contact else None),
    }


@router.get("/municipalities", response={200: list[MunicipalityOut], **ERRORS})
def municipalities(request, q: str = "", include_expired: bool = False, limit: int = 100, offset: int = 0):
    """The municipalities in force today (or all, with include_expired), searched by name, number or county."""
    check_role(request.user, Action.DIRECTORY_VIEW)
    limit = max(1, min(int(limit), 500))
    offset = max(0, int(offset))
    rows = selectors.directory_list(search=q.strip()[:100], on=timezone.localdate(), include_expired=include_expired)[offset:offset + limit]
    return [_municipality(m) for m in rows]


@router.get("/municipalities/{number}", response={200: MunicipalityOut, **ERRORS})
def municipality(request, number: str):
    """The municipality with this kommunenummer in force today, following a merger to its successor (note says so)."""
    check_role(request.user, Action.DIRECTORY_VIEW)
    resolution = selectors.resolve_municipality(number, timezone.localdate(), field="number")
    if resolution.municipality is None:
        from helhet.core.errors import NotFound

        raise NotFound()
    return _municipality(resolution.municipality, note=resolution.note, tenant=resolution.tenant)


def _item(kind: str, item) -> dict:
    status, accepted_on = getattr(item, "status", ""), getattr(item, "accepted_on", None)
    if kind == "need_notification":
        answered_on, answer, day = item.acknowledged_on, item.response_note, item.sent_on
    elif kind == "partner_information":
        answered_on, answer, day = item.answered_on, item.answer_note, timezone.localdate(item.sent_at)
        status = "answered" if item.answered_on else "sent"
    else:
        a = getattr(item, "answer", None)
        day = item.effective_on
        answered_on, answer = (a.answered_on, a.note) if a else (None, "")
    deadline = getattr(item, "deadline", None)
    return {"kind": kind, "id": item.pk, "reference": item.outside_reference, "municipality_number": item.to_municipality.number,
            "municipality_name": item.to_municipality.name, "sent_to_email": item.outside_email, "day": day, "status": status,
            "answered_on": answered_on, "answer": answer, "accepted_on": accepted_on,
            "answer_due": deadline["due"] if deadline else None, "overdue": bool(deadline and deadline["overdue"])}


@router.get("/outside/sent", response={200: list[OutsideItemOut], **ERRORS})
def outside_sent(request):
    """What the actor (or their KE tenant) sent to municipalities outside Helhet, with the answer where recorded."""
    data = selectors.outside_sent(actor=request.user)
    return ([_item("need_notification", n) for n in data["notifications"]] + [_item("transfer", t) for t in data["transfers"]]
            + [_item("partner_information", i) for i in data["information"]])


@router.post("/outside/partner-information", response={201: OutsideItemOut, **ERRORS})
def outside_partner_information(request, payload: PartnerInformOutsideIn):
    """Inform the coordinating unit of a municipality outside Helhet (from the directory) of an event, as a partner:
    recorded as sent, the letter with the content in the document area, a reference-only e-mail unless method is
    "letter". 409 'objected' (nothing sent) when the person has objected; 400 for a municipality that uses Helhet."""
    from helhet.coordination import services as coordination

    from .people import _person

    person = _person(payload.person_id)
    sent = coordination.partners_inform(actor=request.user, person=person, event=payload.event, unit_ids=[], method=payload.method,
                                        outside_municipality_number=payload.municipality_number)
    return 201, _item("partner_information", sent[-1])


@router.get("/outside/open", response={200: list[OutsideItemOut], **ERRORS})
def outside_open(request, limit: int = 100, offset: int = 0):
    """For the KE of a municipality that joined: what was sent to it before, still open and not accepted (no person data):
    the need notifications, then the transfers, each oldest first. Paged as /municipalities: `limit` (1–500) rows
    from `offset`."""
    limit = max(1, min(int(limit), 500))
    offset = max(0, int(offset))
    return [_item(kind, item) for kind, _day, item in services.outside_open(actor=request.user, offset=offset, limit=limit)]


@router.post("/outside/{kind}/{object_id}/answer", response={200: OutsideItemOut, **ERRORS})
def outside_answer(request, kind: Kind, object_id: int, payload: AnswerIn):
    """The sender records the answer that came back from the municipality outside Helhet."""
    services.outside_item_answer(actor=request.user, kind=kind, object_id=object_id, on=payload.on, note=payload.note)
    data = selectors.outside_item(actor=request.user, kind=kind, object_id=object_id)
    item = data["item"]
    item.answer = data["answer"] if kind == "transfer" else None
    item.deadline = data["deadline"]
    return _item(kind, item)


@router.post("/outside/{kind}/{object_id}/accept", response={200: OutsideItemOut, **ERRORS})
def outside_accept(request, kind: Kind, object_id: int):
    """The KE of the municipality, now on Helhet, takes the item into its inbox."""
    item = services.outside_accept(actor=request.user, kind=kind, object_id=object_id)
    return _item(kind, item)


@router.post("/outside/{kind}/{object_id}/letter", response={201: DocumentOut, **ERRORS})
def outside_letter(request, kind: Kind, object_id: int, payload: LetterIn):
    """The letter with the content (PDF/A, in the person's document area), in bokmål or nynorsk."""
    return 201, documents.outside_letter_create(actor=request.user, kind=kind, object_id=object_id, language=payload.language)
