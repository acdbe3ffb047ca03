"""The receipt (kvittering) of a need notification: the receiving KE produces a letter for the sender (PDF/A, nb and nn)
in the person's document area, from a button on the notification's page or the API; nobody else can."""

import datetime as dt

import pytest
from django.utils import timezone

from helhet.audit.models import AuditEvent
from helhet.coordination import services as coordination
from helhet.core.errors import DomainError, NotFound
from helhet.documents import services
from helhet.documents.models import Document
from tests.documents.pdfcheck import check_pdfa, pdf_bytes, text_of

TODAY = timezone.localdate  # called per use: a constant taken at import goes stale when a run passes midnight


@pytest.fixture
def notification(users, make_person):
    p = make_person(given_name="Sunniva", family_name="Lie", involve=(("trust_ward", "clinician"),))
    return coordination.need_notification_send(actor=users["clinician"], person=p, direction="to_municipality", sent_on=TODAY() - dt.timedelta(days=1),
                                               summary="Hemmelig helseopplysning.", contact_name="Jonas Lie", needs_coordinator=True,
                                               consent_given_by="person", consent_method="oral", consent_given_on=TODAY() - dt.timedelta(days=1))


def test_the_receiving_ke_makes_the_receipt_in_bokmal(notification, users, world):
    coordination.need_notification_acknowledge(actor=users["ke"], notification_id=notification.pk, on=TODAY())
    doc = services.need_notification_receipt_create(actor=users["ke"], notification_id=notification.pk)
    data = pdf_bytes(doc)
    check_pdfa(data, title="Kvittering for melding om behov", author="Fjordvik kommune")
    text = text_of(data)
    assert "Kvittering for melding om behov" in text and "Sunniva Lie" in text and "koordinator" in text
    assert world.orgs["trust"].name in text and "Att.: Jonas Lie" in text  # to the sender
    assert "Hva skjer videre" in text and TODAY().strftime("%d.%m.%Y") in text
    assert "Hemmelig helseopplysning" not in text  # the receipt repeats none of the content
    assert doc.kind == "need_notification_receipt" and doc.source_type == "neednotification" and doc.source_id == notification.pk
    assert AuditEvent.objects.filter(action="create", object_type="document", object_id=str(doc.pk)).exists()
    assert services.need_notification_receipt_create(actor=users["ke"], notification_id=notification.pk).pk == doc.pk


def test_nynorsk_receipt(notification, users):
    doc = services.need_notification_receipt_create(actor=users["ke"], notification_id=notification.pk, language="nn")
    text = text_of(pdf_bytes(doc))
    assert "Gjeld:" in text and "Kva skjer vidare" in text and "koordinerande eining" in text


def test_only_the_receiver_makes_it(notification, users):
    for key in ("clinician", "outsider", "nav"):
        with pytest.raises(NotFound):
            services.need_notification_receipt_create(actor=users[key], notification_id=notification.pk)
    with pytest.raises(DomainError) as exc:
        services.need_notification_receipt_create(actor=users["ke"], notification_id=notification.pk, language="sv")
    assert exc.value.status == 400
    assert not Document.objects.exists()


def test_page_button_makes_the_receipt_and_opens_it(notification, client_for):
    ke = client_for("ke")
    page = ke.get(f"/meldinger/{notification.pk}/").content.decode()
    assert 'id="receipt-form"' in page
    r = ke.post(f"/meldinger/{notification.pk}/kvittering/", {"language": "nb"})
    assert r.status_code == 302 and r["Location"].startswith("/dokumenter/")
    pdf = ke.get(r["Location"])
    assert pdf.status_code == 200
    check_pdfa(b"".join(pdf.streaming_content))
    assert "Kvittering for melding om behov" in ke.get(f"/meldinger/{notification.pk}/").content.decode()
    sender = client_for("clinician")
    assert 'id="receipt-form"' not in sender.get(f"/meldinger/{notification.pk}/").content.decode()
    assert sender.post(f"/meldinger/{notification.pk}/kvittering/", {"language": "nb"}).status_code == 404
    assert client_for("outsider").post(f"/meldinger/{notification.pk}/kvittering/").status_code == 404


def test_api_receipt(notification, client_for):
    r = client_for("ke").post("/api/v1/documents/need-notification-receipts", {"notification_id": notification.pk, "language": "nn"},
                              content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == "need_notification_receipt" and r.json()["language"] == "nn"
    out = client_for("outsider").post("/api/v1/documents/need-notification-receipts", {"notification_id": notification.pk},
                                      content_type="application/json")
    assert out.status_code == 404 and out.json()["code"] == "not_found"
