"""Reads the directory's data files into the database, idempotently. Used by the data migration (with the
historical models) and by `manage.py load_directory` (with the real ones), so both load the same way."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data"


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    contacts_created: int = 0
    contacts_updated: int = 0

    def __str__(self):
        return (f"kommuner: {self.created} nye, {self.updated} endret; "
                f"koordinerende enheter: {self.contacts_created} nye, {self.contacts_updated} endret")


def _date(value: str):
    return dt.date.fromisoformat(value) if value else None


def read_rows(name: str, data: Path = DATA) -> list[dict]:
    with (data / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load(Municipality, Contact, data: Path = DATA) -> LoadResult:
    """1. upsert every municipality by (number, valid_from); 2. link successors; 3. add the KE contact where there is
    none, and refresh one only while it is still the shipped example (an entry a KE or administrator edited is kept)."""
    result = LoadResult()
    rows = read_rows("municipalities.csv", data)
    by_key = {(m.number, m.valid_from): m for m in Municipality.objects.all()}
    for r in rows:
        values = {"name": r["name"], "county_number": r["county_number"], "county_name": r["county_name"],
                  "valid_to": _date(r["valid_to"]), "org_number": r["org_number"], "source": r["source"],
                  "needs_check": r["check"] == "1"}
        key = (r["number"], _date(r["valid_from"]))
        m = by_key.get(key)
        if m is None:
            by_key[key] = Municipality.objects.create(number=key[0], valid_from=key[1], **values)
            result.created += 1
        elif any(getattr(m, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(m, k, v)
            m.save()
            result.updated += 1
    current = {}
    for m in by_key.values():
        if m.valid_to is None:
            current[m.number] = m
    for r in rows:
        m = by_key[(r["number"], _date(r["valid_from"]))]
        succ = current.get(r["successor"]) if r["successor"] else None
        if (succ.pk if succ else None) != m.successor_id:
            m.successor = succ
            m.save(update_fields=["successor"])
    contacts = {c.municipality_id: c for c in Contact.objects.all()}
    for r in read_rows("coordinating_units.csv", data):
        m = current.get(r["number"])
        if m is None:
            continue
        values = {"name": r["name"], "postal_address": r["postal_address"], "email": r["email"], "phone": r["phone"],
                  "org_number": r["org_number"], "is_example": r["is_example"] == "1"}
        c = contacts.get(m.pk)
        if c is None:
            Contact.objects.create(municipality=m, **values)
            result.contacts_created += 1
        elif c.is_example and any(getattr(c, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(c, k, v)
            c.save()
            result.contacts_updated += 1
    return result
