"""Consent governs the whole person record, not only the plan (the failures the access issue named), through the
page and the API. The row-by-row table is helhet.access.policy.FIELD_RULES; docs/security.md has it with sources."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from helhet.access.policy import FIELD_RULES, Field, Rel, field_visible, involvement_visible
from helhet.access.policy import Scope as S
from helhet.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

INSULIN = "Insulin morgen og kveld KANARI"
DEMENTIA = "Moderat demens KANARI"
PHONE = "41234567"


@pytest.fixture
def record(make_person, world, users):
    """A Fjordvik resident: home nursing (with a health description), NAV and school involved, a relative with a
    phone number, a capacity finding with reasons, a request with an assessment; the coordinator appointed."""
    from helhet.cases.models import CoordinatorAppointment, Request
    from helhet.people.models import CapacityFinding, Involvement, Relative

    today = timezone.localdate()
    person = make_person(involve=(("fjordvik_nav", "nav"), ("fjordvik_school", "teacher"), ("fjordvik_gp", "gp")),
                         address="Fjordveien 1 KANARI", phone="99887766")
    Involvement.objects.create(person=person, unit=world.units["fjordvik_care"], staff=users["coordinator2"], description=INSULIN,
                               start=today - dt.timedelta(days=20))
    Relative.objects.create(person=person, name="Kari Pårørende", relationship="child", phone=PHONE, is_closest_relative=True)
    CapacityFinding.objects.create(person=person, capacity="partial", reasons=DEMENTIA, found_on=today, found_by=users["ke"])
    Request.objects.create(person=person, organization=world.orgs["fjordvik"], received_on=today, channel="oral", requester_kind="person",
                           wants_ip=True, description="Henvendelse KANARI", registered_by=users["ke"])
    CoordinatorAppointment.objects.create(person=person, kind="coordinator", coordinator=users["coordinator"], unit=world.units["fjordvik_care"],
                                          appointed_by=users["ke"], start=today - dt.timedelta(days=5))
    return person


def _page(client_for, key, person):
    r = client_for(key).get(reverse("person_detail", args=[person.pk]))
    assert r.status_code == 200, (key, r.status_code)
    return r.content.decode()


def _api(client_for, key, person):
    r = client_for(key).get(f"/api/v1/persons/{person.pk}")
    assert r.status_code == 200, (key, r.status_code)
    return r.content.decode()


@pytest.mark.parametrize("key", ["nav", "teacher"])
def test_nav_and_school_without_consent_see_neither_health_nor_case_nor_relatives(record, client_for, key):
    for body in (_page(client_for, key, record), _api(client_for, key, record)):
        assert INSULIN not in body  # home nursing's description (health)
        assert DEMENTIA not in body  # capacity-finding reasons (case record)
        assert "Henvendelse KANARI" not in body  # the case history
        assert PHONE not in body  # the relative's phone number
        assert record.national_id not in body  # identity by need: name and birth year
        assert "Fjordveien 1 KANARI" not in body  # contact details need a consent covering "general"
        assert record.full_name in body or record.given_name in body
    assert "Noe av innholdet er skjult fordi samtykket ikke omfatter deg" in _page(client_for, key, record)


def test_the_api_names_what_it_withheld_and_nulls_the_fields(record, client_for):
    body = client_for("nav").get(f"/api/v1/persons/{record.pk}").json()
    assert body["national_id"] is None and body["birth_date"] is None and body["birth_year"] == record.birth_date.year
    assert body["address"] is None and body["relatives"] == [] and body["capacity_findings"] == [] and body["requests"] == []
    assert {"national_id", "contact", "relatives", "case"} <= set(body["withheld"])
    units = {i["unit_id"] for i in body["involvements"]}
    assert units == {record.involvements.get(unit__sector="nav").unit_id}  # only NAV's own involvement


def test_a_consent_naming_nav_for_social_matters_opens_the_relatives_not_health(record, client_for, share, users):
    share(record, ["social_family", "general"], to_users=["nav"])
    for body in (_page(client_for, "nav", record), _api(client_for, "nav", record)):
        assert PHONE in body and "Fjordveien 1 KANARI" in body
        assert INSULIN not in body and DEMENTIA not in body


def test_the_ke_and_the_coordinator_see_the_whole_record(record, client_for):
    for key in ("ke", "coordinator"):
        for body in (_page(client_for, key, record), _api(client_for, key, record)):
            assert INSULIN in body and DEMENTIA in body and PHONE in body and record.national_id in body


def test_health_personnel_see_health_involvements_by_the_rule_until_the_person_objects(record, client_for, users):
    from helhet.access.services import objection_record, objection_withdraw

    body = _page(client_for, "gp", record)
    assert INSULIN in body and record.national_id in body  # cooperating health personnel (helsepersonelloven § 25)
    assert DEMENTIA not in body and PHONE not in body  # not the case record, not social matters
    objection = objection_record(actor=users["coordinator"], person=record, objected_on=timezone.localdate(), given_by_name=record.full_name,
                                 how="oral")
    assert INSULIN not in _page(client_for, "gp", record)  # at the next request
    assert INSULIN not in _api(client_for, "gp", record)
    objection_withdraw(actor=users["coordinator"], objection_id=objection.pk)
    assert INSULIN in _page(client_for, "gp", record)


def test_an_objection_through_the_api_and_the_page(record, client_for, users):
    r = client_for("coordinator").post(f"/api/v1/persons/{record.pk}/health-sharing-objections",
                                       {"objected_on": timezone.localdate().isoformat(), "given_by_name": record.full_name, "how": "oral"},
                                       content_type="application/json")
    assert r.status_code == 201, r.content
    assert client_for("coordinator").post(f"/api/v1/persons/{record.pk}/health-sharing-objections",
                                          {"objected_on": timezone.localdate().isoformat(), "given_by_name": "x", "how": "oral"},
                                          content_type="application/json").status_code == 409
    # NAV may not record it (not the person's KE or coordinator): 404 and a refusal in the log
    assert client_for("nav").post(f"/api/v1/persons/{record.pk}/health-sharing-objections",
                                  {"objected_on": timezone.localdate().isoformat(), "given_by_name": "x", "how": "oral"},
                                  content_type="application/json").status_code == 404
    assert AuditEvent.objects.filter(action="denied", person=record, summary="objection.record").exists()
    page = _page(client_for, "coordinator", record)
    assert "Trekk tilbake innsigelsen" in page
    oid = r.json()["id"]
    r = client_for("coordinator").post(reverse("objection_withdraw", args=[oid]), {"on": timezone.localdate().isoformat()})
    assert r.status_code == 302
    assert client_for("coordinator").post(reverse("objection_record", args=[record.pk]),
                                          {"objected_on": "2999-01-01", "given_by_name": "x", "how": "oral"}).status_code == 400


def test_a_read_with_withheld_parts_is_logged_as_such(record, client_for, users):
    _page(client_for, "nav", record)
    event = AuditEvent.objects.filter(action="view", actor=users["nav"], person=record).latest("id")
    assert {"case", "relatives", "national_id"} <= set(event.withheld)
    _page(client_for, "ke", record)
    assert AuditEvent.objects.filter(action="view", actor=users["ke"], person=record).latest("id").withheld == []
    log = client_for("ke").get(reverse("person_access_log", args=[record.pk])).content.decode()
    assert "Så personens side, uten:" in log and "saksopplysninger" in log and "lest (delvis skjult)" in log
    assert "uten: case" not in log


# ---------------------------------------------------------------- the table, row by row (pure)

R = Rel
NONE: tuple = ()
GENERAL = (S("consent:1", frozenset({"general"})),)
SOCIAL = (S("consent:2", frozenset({"social_family"})),)


@pytest.mark.parametrize(("field", "rels", "scopes", "expected"), [
    (Field.IDENTITY, {R.PLAN_PARTICIPANT}, NONE, True),
    (Field.IDENTITY, {R.GRANT}, NONE, True),
    (Field.IDENTITY, set(), NONE, False),
    (Field.NATIONAL_ID, {R.KE}, NONE, True),
    (Field.NATIONAL_ID, {R.HOSPITAL_COORDINATOR}, NONE, True),
    (Field.NATIONAL_ID, {R.INVOLVED_STAFF, R.HEALTH_CARER}, NONE, True),
    (Field.NATIONAL_ID, {R.INVOLVED_STAFF}, GENERAL + SOCIAL, False),  # NAV, school: no consent opens it
    (Field.NATIONAL_ID, {R.SELF}, NONE, True),
    (Field.NATIONAL_ID, {R.REPRESENTATIVE}, NONE, True),
    (Field.CASE, {R.COORDINATOR}, NONE, True),
    (Field.CASE, {R.INVOLVED_STAFF, R.HEALTH_CARER}, GENERAL, False),  # staff-only by rule
    (Field.CASE, {R.SELF}, NONE, True),
    (Field.CHECKLIST, {R.INVOLVED_STAFF, R.HEALTH_CARER}, NONE, True),
    (Field.CHECKLIST, {R.INVOLVED_STAFF}, NONE, False),
    (Field.CONTACT, {R.INVOLVED_STAFF}, NONE, False),
    (Field.CONTACT, {R.INVOLVED_STAFF}, GENERAL, True),
    (Field.CONTACT, {R.GRANT}, GENERAL, True),
    (Field.RELATIVES, {R.PLAN_PARTICIPANT}, GENERAL, False),
    (Field.RELATIVES, {R.PLAN_PARTICIPANT}, SOCIAL, True),
    (Field.RELATIVES, set(), SOCIAL, False),  # a consent without any relationship opens nothing
    (Field.CONSENTS, {R.KE}, NONE, True),
    (Field.CONSENTS, {R.INVOLVED_STAFF}, GENERAL, False),
    (Field.COORDINATORS, {R.INVOLVED_STAFF}, NONE, True),
])
def test_field_rules(field, rels, scopes, expected):
    assert field_visible({r.value for r in rels}, field, scopes) is expected


def test_every_field_has_a_rule():
    assert set(FIELD_RULES) == set(Field)


@pytest.mark.parametrize(("sector", "own", "scopes", "expected"), [
    ("health_care", False, NONE, False),
    ("health_care", False, (S("rule:health-personnel.cooperation", frozenset({"health_function", "medication"})),), True),
    ("nav", True, NONE, True),  # the unit's own involvement
    ("nav", False, (S("consent:3", frozenset({"economy_work"})),), True),
    ("school", False, (S("consent:3", frozenset({"economy_work"})),), False),
])
def test_involvement_rows(sector, own, scopes, expected):
    assert involvement_visible({"involved_staff"}, sector, own, scopes) is expected
