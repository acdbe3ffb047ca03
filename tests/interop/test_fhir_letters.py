"""The person's letters and scans (helhet/documents) are FHIR DocumentReferences too: read and searched by the same
rules as the document area (the KE and the coordinator see a decision letter, NAV does not, an outsider gets 404),
audited, and their URL downloads the PDF through the JSON API, which checks access again."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.documentreference import DocumentReference

from helhet.audit.models import AuditEvent
from helhet.cases import services as cases
from helhet.cases.models import CoordinatorAppointment
from helhet.documents import services

pytestmark = pytest.mark.django_db

FHIR = "/fhir/R4"
DAY = dt.datetime(2024, 3, 25, 10, 0)


@pytest.fixture
def letter(users, person, world):
    with time_machine.travel(DAY, tick=False):
        req = cases.request_create(actor=users["ke"], person=person, received_on=dt.date(2024, 3, 1), channel="oral",
                                   requester_kind="person", wants_ip=True, wants_coordinator=True)
        cases.assessment_create(actor=users["ke"], request_id=req.pk, assessed_on=dt.date(2024, 3, 10), long_term=True,
                                services_involved=1, reasons="Bare én tjeneste.")
        decision = cases.decision_create(actor=users["ke"], request_id=req.pk, decided_on=dt.date(2024, 3, 15), reasons="Én tjeneste.")
        doc = services.decision_letter_create(actor=users["ke"], decision_id=decision.pk)
    CoordinatorAppointment.objects.create(person=person, kind="coordinator", coordinator=users["coordinator"], unit=world.units["fjordvik_care"],
                                          appointed_by=users["ke"], start=timezone.localdate() - dt.timedelta(days=5))
    return doc


def _fhir(client, url, model, status=200):
    r = client.get(url)
    assert r.status_code == status, (url, r.content[:400])
    assert r["Content-Type"].startswith("application/fhir+json")
    return model.model_validate_json(r.content)


@pytest.mark.parametrize("key", ["ke", "coordinator"])
def test_a_decision_letter_is_read_and_searched_as_a_document_reference(letter, person, users, client_for, key):
    client = client_for(key)
    doc = _fhir(client, f"{FHIR}/DocumentReference/letter-{letter.pk}", DocumentReference)
    assert doc.subject.reference == f"Patient/{person.pk}" and doc.type.coding[0].code == "decision_letter"
    [content] = doc.content
    assert content.attachment.contentType == "application/pdf" and content.attachment.size == letter.size
    download = client.get(content.attachment.url)
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="view", object_type="document", object_id=str(letter.pk), actor=users[key]).exists()
    bundle = _fhir(client, f"{FHIR}/DocumentReference?patient={person.pk}", Bundle)
    assert f"letter-{letter.pk}" in {e.resource.id for e in bundle.entry}


def test_nav_and_the_outsider_do_not_get_the_letter(letter, person, users, client_for):
    for key in ("nav", "outsider"):
        client = client_for(key)
        assert client.get(f"{FHIR}/DocumentReference/letter-{letter.pk}").status_code == 404
        assert AuditEvent.objects.filter(action="denied", actor=users[key]).exists()
    # NAV sees the person but not the case documents: the search lists no letter (and answers, it does not refuse).
    bundle = _fhir(client_for("nav"), f"{FHIR}/DocumentReference?patient={person.pk}", Bundle)
    assert not any((e.resource.id or "").startswith("letter-") for e in bundle.entry or [])


def test_a_malformed_letter_id_is_a_plain_404(letter, client_for):
    assert client_for("ke").get(f"{FHIR}/DocumentReference/letter-x1").status_code == 404
