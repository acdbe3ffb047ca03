"""Persons: list, detail (with the documentation checklist)."""

import datetime as dt

from ninja import Router, Schema

from helhet.people import selectors

PREFIX = "/persons"
router = Router(tags=["persons"])


class PersonOut(Schema):
    id: int
    given_name: str
    family_name: str
    birth_date: dt.date
    is_d_number: bool
    home_municipality_id: int


class ChecklistItem(Schema):
    key: str
    label: str
    done: bool
    value: str | None = None


class PersonDetailOut(PersonOut):
    national_id: str
    preferred_language: str
    needs_interpreter: bool
    capacity_to_consent: str
    checklist: list[ChecklistItem]


@router.get("/", response=list[PersonOut])
def list_persons(request, q: str = ""):
    return list(selectors.person_list(actor=request.user, search=q))


@router.get("/{person_id}", response=PersonDetailOut)
def get_person(request, person_id: int):
    person, data = selectors.person_detail(actor=request.user, person_id=person_id)
    person.checklist = [{**item, "label": str(item["label"]), "value": None if item["value"] is None else str(item["value"])} for item in data["checklist"]]
    return person
