"""The shipped directory: every municipality in force, against its source files, and the load command."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from helhet.core.validators import validate_org_number
from helhet.directory.loader import read_rows
from helhet.directory.models import CoordinatingUnitContact, Municipality, in_force_q

pytestmark = pytest.mark.django_db


def test_it_holds_every_municipality_in_force_on_2024_01_01_as_the_source_counts_them():
    rows = read_rows("municipalities.csv")
    in_force_2024 = [r for r in rows if r["valid_from"] <= "2024-01-01" and not r["valid_to"]]
    assert len(in_force_2024) == 357  # SSB: 357 municipalities from 2024-01-01 (*check*)
    assert Municipality.objects.filter(in_force_q(dt.date(2024, 1, 1))).count() == len(in_force_2024)
    # ... and the 356 of 2020-2023 that the package ships (Kartverket's list)
    assert Municipality.objects.filter(in_force_q(dt.date(2023, 6, 1))).count() == 356
    assert Municipality.objects.count() == len(rows)


@pytest.mark.parametrize(("number", "name", "county"), [("0301", "Oslo", "Oslo"), ("4601", "Bergen", "Vestland"),
                                                        ("5001", "Trondheim", "Trøndelag"), ("3101", "Halden", "Østfold"),
                                                        ("5501", "Tromsø", "Troms"), ("1580", "Haram", "Møre og Romsdal")])
def test_known_numbers(number, name, county):
    m = Municipality.objects.get(number=number, valid_to__isnull=True)
    assert (m.name, m.county_name) == (name, county)
    assert m.coordinating_unit.is_example  # shipped contact details are examples, marked so


def test_every_organisation_number_is_valid_and_example_addresses_cannot_reach_anyone():
    for org_number in Municipality.objects.exclude(org_number="").values_list("org_number", flat=True):
        validate_org_number(org_number)
    assert Municipality.objects.get(number="0301").org_number == "958935420"  # from SSB's correspondence 1236
    assert not CoordinatingUnitContact.objects.filter(is_example=True).exclude(email__endswith=".example").exists()


def test_renumbered_and_merged_municipalities_point_to_their_successor():
    old = Municipality.objects.get(number="3001")
    assert old.valid_to == dt.date(2023, 12, 31) and old.successor.number == "3101" and old.needs_check
    assert Municipality.objects.get(number="1507").successor.number == "1508"


def test_load_directory_is_idempotent_and_keeps_an_edited_entry(capsys):
    c = CoordinatingUnitContact.objects.get(municipality__number="0301")
    c.email, c.is_example = "ke@oslo.example", False
    c.save()
    before = Municipality.objects.count()
    call_command("load_directory")
    out = capsys.readouterr().out
    assert "0 nye, 0 endret" in out
    assert Municipality.objects.count() == before
    c.refresh_from_db()
    assert c.email == "ke@oslo.example" and not c.is_example
