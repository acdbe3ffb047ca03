"""Informing the GP and partners by letter: the letter is produced (PDF/A, nb and nn) in the person's document area,
linked from the coordinator's page and opened through the access policy; ending the arrangement gives the same due
task as appointing a coordinator and starting a plan (rule partners.inform-ended), unless the person objected."""

import datetime as dt

import pytest
from django.utils import timezone

from helhet.audit.models import AuditEvent
from helhet.cases import services as case_services
from helhet.cases.deadlines import partners_inform_deadlines
from helhet.coordination import services
from helhet.coordination.models import PartnerInformation
from helhet.documents import services as documents
from helhet.documents.models import Document
from helhet.people.models import Involvement
from tests.documents.pdfcheck import check_pdfa, pdf_bytes, text_of

TODAY = timezone.localdate  # called per use: a constant taken at import goes stale when a run passes midnight


@pytest.fixture
def appointed(users, world, person, consent_for):
    """Mari has a coordinator (Fjordvik home care) and a GP without an e-mail address."""
    Involvement.objects.create(person=person, unit=world.units["fjordvik_gp"], staff=users["gp"], start=TODAY() - dt.timedelta(days=5))
    consent_for(person, given_on=TODAY() - dt.timedelta(days=90))
    return case_services.coordinator_appoint(actor=users["ke"], person=person, kind="coordinator", coordinator_id=users["coordinator"].pk,
                                             unit_id=world.units["fjordvik_care"].pk, start=TODAY() - dt.timedelta(days=3))


def _inform(users, person, event="coordinator_appointed", method="letter", actor="coordinator"):
    return services.partners_inform(actor=users[actor], person=person, event=event, method=method)


def test_letter_method_produces_one_pdfa_letter_per_recipient(appointed, users, person, world):
    sent = _inform(users, person)
    assert {i.method for i in sent} == {"letter"}
    docs = Document.objects.filter(person=person, kind="partner_information")
    assert docs.count() == len(sent)
    gp_info = next(i for i in sent if i.is_gp)
    doc = docs.get(source_type="partnerinformation", source_id=gp_info.pk)
    data = pdf_bytes(doc)
    check_pdfa(data, title="Informasjon til fastlege", author="Fjordvik kommune")
    text = text_of(data)
    assert "Koordinator er oppnevnt" in text and person.full_name in text
    assert world.units["fjordvik_gp"].name in text  # addressed to the GP
    assert users["coordinator"].get_full_name() in text and "Hjemmetjenesten Fjordvik" in text  # who the coordinator is
    assert "du er fastlege" in text and "§ 21" in text
    assert doc.pdf_variant == "pdf/a-3b" and doc.sha256 and doc.size == len(data)
    assert AuditEvent.objects.filter(action="create", object_type="document", object_id=str(doc.pk), person=person).exists()


def test_email_where_possible_letter_only_for_units_without_address(appointed, users, person, world):
    world.units["fjordvik_gp"].email = "legesenter@example.invalid"
    world.units["fjordvik_gp"].save()
    sent = _inform(users, person, method="auto")
    by_method = {i.recipient_unit_id: i.method for i in sent}
    assert by_method[world.units["fjordvik_gp"].pk] == "email"
    letters = Document.objects.filter(person=person, kind="partner_information")
    assert set(letters.values_list("source_id", flat=True)) == {i.pk for i in sent if i.method == "letter"}


def test_the_letter_says_no_health_details(appointed, users, person):
    from helhet.consent.models import Consent

    Consent.objects.create(person=person, kind="sharing", given_by="person", given_by_name=person.full_name, method="oral",
                           given_on=TODAY() - dt.timedelta(days=2), valid_to=TODAY() + dt.timedelta(days=100), categories=["health_function"],
                           purpose="Samarbeid", note="Diabetes type 1", recorded_by=users["ke"])
    info = _inform(users, person)[0]
    text = text_of(pdf_bytes(Document.objects.get(source_type="partnerinformation", source_id=info.pk)))
    assert "Diabetes" not in text and "helse" not in text.lower().replace("helsing", "")


def test_nynorsk_letter_and_generating_again_returns_the_same(appointed, users, person):
    info = _inform(users, person, event="coordinator_appointed")[0]
    nn = documents.partner_information_letter(info, actor=users["coordinator"], why="test", language="nn")
    text = text_of(pdf_bytes(nn))
    check_pdfa(pdf_bytes(nn), title="Informasjon til fastlege og samarbeidspartnarar")
    assert "Koordinator er oppnemnd" in text and "Gjeld:" in text and "Med venleg helsing" in text
    again = documents.partner_information_letter(info, actor=users["coordinator"], why="test", language="nn")
    assert again.pk == nn.pk


def test_arrangement_ended_letter(appointed, users, person):
    case_services.coordinator_end(actor=users["ke"], appointment_id=appointed.pk, on=TODAY(), reason="Behovet er dekket")
    info = _inform(users, person, event="arrangement_ended", actor="ke")[0]
    text = text_of(pdf_bytes(Document.objects.get(source_type="partnerinformation", source_id=info.pk)))
    assert "Ordningen er avsluttet" in text and "er avsluttet" in text


# ---------------------------------------------------------------- pages and API


def test_page_the_coordinators_page_links_the_letter_and_it_opens(appointed, users, person, client_for):
    client = client_for("coordinator")
    r = client.post(f"/personer/{person.pk}/informer-samarbeidspartnere/",
                    {"event": "coordinator_appointed", "method": "letter",
                     "units": [u.pk for u in services.partner_recipients(person)]})
    assert r.status_code == 302, r.content.decode()[:2000]
    page = client.get(f"/personer/{person.pk}/samhandling/").content.decode()
    assert "Åpne brevet for utskrift" in page
    doc = Document.objects.filter(person=person, kind="partner_information").first()
    assert f"/dokumenter/{doc.pk}/" in page
    pdf = client.get(f"/dokumenter/{doc.pk}/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    check_pdfa(b"".join(pdf.streaming_content))
    assert client_for("outsider").get(f"/dokumenter/{doc.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="denied", actor=users["outsider"]).exists()


def test_api_inform_by_letter_then_list_and_fetch_the_letter(appointed, person, client_for):
    client = client_for("coordinator")
    r = client.post("/api/v1/coordination/partner-information", {"person_id": person.pk, "event": "coordinator_appointed", "method": "letter"},
                    content_type="application/json")
    assert r.status_code == 201, r.content
    listed = [d for d in client.get(f"/api/v1/documents/person/{person.pk}").json() if d["kind"] == "partner_information"]
    assert len(listed) == len(r.json())
    f = client.get(f"/api/v1/documents/{listed[0]['id']}/file")
    assert f.status_code == 200
    check_pdfa(b"".join(f.streaming_content))


# ---------------------------------------------------------------- the task: ending the arrangement


def _ended_tasks(**kw):
    return [d for d in partners_inform_deadlines(today=TODAY(), **kw) if "avsluttet" in d.title]


def test_ending_the_coordinator_creates_the_inform_task_until_it_is_sent(appointed, users, person):
    assert _ended_tasks() == []
    case_services.coordinator_end(actor=users["ke"], appointment_id=appointed.pk, on=TODAY(), reason="Behovet er dekket")
    assert _ended_tasks(user_id=users["coordinator"].pk) == []  # the ended coordinator no longer acts: the KE does
    tasks = _ended_tasks(organization_ids=[appointed.unit.organization_id])
    assert len(tasks) == 1
    task = tasks[0]
    assert task.person_id == person.pk and task.rule_code == "partners.inform-ended" and task.due == TODAY() + dt.timedelta(days=14)
    assert task.url.endswith("?event=arrangement_ended") and task.responsible_user_id is None
    assert task.organization_id == appointed.unit.organization_id
    _inform(users, person, event="arrangement_ended", actor="ke")
    assert _ended_tasks() == []  # done when sent by letter


def test_closing_the_plan_creates_the_task_and_an_objection_suppresses_it(appointed, users, person, world):
    from helhet.consent.models import Consent
    from helhet.plans.models import IndividualPlan

    IndividualPlan.objects.create(person=person, status=IndividualPlan.Status.CLOSED, closed_on=TODAY() - dt.timedelta(days=1),
                                  close_reason="need_ended", main_sector="health_care", main_unit=world.units["fjordvik_care"],
                                  consent=Consent.objects.filter(person=person).first(), created_by=users["ke"])
    assert _ended_tasks() == []  # the coordinator still works with the person: the arrangement has not ended
    case_services.coordinator_end(actor=users["ke"], appointment_id=appointed.pk, on=TODAY() - dt.timedelta(days=2), reason="Avsluttet")
    tasks = _ended_tasks()
    assert len(tasks) == 1 and tasks[0].due == TODAY() - dt.timedelta(days=1) + dt.timedelta(days=14)  # the later of the two ends
    services.partner_objection_record(actor=users["ke"], person=person, objected_on=TODAY(), given_by_name=person.full_name, how="oral")
    assert _ended_tasks() == []


def test_an_end_long_ago_gives_no_task(appointed, users, person):
    case_services.coordinator_end(actor=users["ke"], appointment_id=appointed.pk, on=TODAY(), reason="x")
    from helhet.cases.models import CoordinatorAppointment

    CoordinatorAppointment.objects.filter(pk=appointed.pk).update(start=TODAY() - dt.timedelta(days=400), end=TODAY() - dt.timedelta(days=200))
    assert _ended_tasks() == []
    assert PartnerInformation.objects.count() == 0
