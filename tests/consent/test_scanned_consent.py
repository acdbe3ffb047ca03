"""Scanned paper consent: uploaded (PDF, JPEG or PNG; type sniffed from the content, size limited), attached to its
consent record, kept in the person's document area and served only through the access policy (document.view), logged;
shown on the consent's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from helhet.audit.models import AuditEvent
from helhet.consent import scans
from helhet.core.errors import DomainError, NotFound
from helhet.documents.models import Document

TODAY = timezone.localdate  # called per use: a constant taken at import goes stale when a run passes midnight
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def paper(person, users):
    from helhet.consent.models import Consent

    return Consent.objects.create(person=person, kind="coordinator", given_by="person", given_by_name=person.full_name, method="paper",
                                  given_on=TODAY() - dt.timedelta(days=3), recorded_by=users["ke"])


@pytest.mark.parametrize(("data", "content_type"), [(PDF, "application/pdf"), (JPEG, "image/jpeg"), (PNG, "image/png")])
def test_a_scan_is_attached_with_its_sniffed_type(paper, users, data, content_type):
    # The browser's type and the file name lie; the content decides.
    upload = SimpleUploadedFile("samtykke.exe", data, content_type="text/html")
    doc = scans.consent_scan_attach(actor=users["ke"], consent_id=paper.pk, upload=upload)
    assert doc.kind == "scanned_consent" and doc.consent == paper and doc.content_type == content_type and doc.size == len(data)
    assert doc.person == paper.person and doc.file.name.endswith({"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[content_type])
    with doc.file.open("rb") as f:
        assert f.read() == data
    assert AuditEvent.objects.filter(action="create", object_type="document", object_id=str(doc.pk), person=paper.person).exists()


@pytest.mark.parametrize("data", [b"<html><script>alert(1)</script></html>", b"GIF89a" + b"\x00" * 10, b"MZ\x90\x00"])
def test_other_files_are_refused_in_norwegian(paper, users, data):
    with pytest.raises(DomainError) as exc:
        scans.consent_scan_attach(actor=users["ke"], consent_id=paper.pk, upload=SimpleUploadedFile("x.pdf", data, content_type="application/pdf"))
    assert exc.value.status == 400 and "PDF, JPEG eller PNG" in exc.value.message
    assert not Document.objects.exists()


def test_too_big_and_empty_files_are_refused(paper, users, settings):
    settings.HELHET_SCAN_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")
    with pytest.raises(DomainError) as exc:
        scans.consent_scan_attach(actor=users["ke"], consent_id=paper.pk, upload=big)
    assert "for stor" in exc.value.message and "1 MB" in exc.value.message
    with pytest.raises(DomainError) as exc:
        scans.consent_scan_attach(actor=users["ke"], consent_id=paper.pk, upload=SimpleUploadedFile("e.pdf", b""))
    assert "tom" in exc.value.message
    with pytest.raises(DomainError):
        scans.consent_scan_attach(actor=users["ke"], consent_id=paper.pk, upload=None)
    assert not Document.objects.exists()


def test_only_who_records_consents_attaches_and_outsiders_get_404(paper, users):
    for key in ("outsider", "nav"):
        with pytest.raises(NotFound):
            scans.consent_scan_attach(actor=users[key], consent_id=paper.pk, upload=PDF)
    assert AuditEvent.objects.filter(action="denied", actor=users["outsider"]).exists()
    with pytest.raises(NotFound):
        scans.consent_scan_attach(actor=users["ke"], consent_id=987654, upload=PDF)


# ---------------------------------------------------------------- pages and API


def test_page_the_consent_page_shows_the_scan_and_takes_an_upload(paper, client_for, users):
    client = client_for("ke")
    page = client.get(f"/samtykker/{paper.pk}/").content.decode()
    assert 'id="scan-form"' in page and 'enctype="multipart/form-data"' in page and "Ingen skannet samtykke" in page
    r = client.post(f"/samtykker/{paper.pk}/skann/", {"file": SimpleUploadedFile("s.png", PNG, content_type="image/png")})
    assert r.status_code == 302
    doc = Document.objects.get(consent=paper)
    page = client.get(f"/samtykker/{paper.pk}/").content.decode()
    assert f"/dokumenter/{doc.pk}/" in page and "Skannet samtykke" in page
    f = client.get(f"/dokumenter/{doc.pk}/")
    assert f.status_code == 200 and f["Content-Type"] == "image/png" and f["X-Content-Type-Options"] == "nosniff"
    assert b"".join(f.streaming_content) == PNG
    assert AuditEvent.objects.filter(action="view", object_type="document", object_id=str(doc.pk), actor=users["ke"]).exists()


def test_page_a_bad_file_is_a_clear_message_not_a_500(paper, client_for):
    r = client_for("ke").post(f"/samtykker/{paper.pk}/skann/", {"file": SimpleUploadedFile("s.pdf", b"hello", content_type="application/pdf")})
    assert r.status_code == 400 and "PDF, JPEG eller PNG" in r.content.decode()
    assert not Document.objects.exists()


def test_page_outsiders_and_anonymous(paper, client_for, client, users):
    doc = scans.consent_scan_attach(actor=users["ke"], consent_id=paper.pk, upload=PDF)
    outsider = client_for("outsider")
    assert outsider.get(f"/samtykker/{paper.pk}/").status_code == 404
    assert outsider.post(f"/samtykker/{paper.pk}/skann/", {"file": SimpleUploadedFile("s.pdf", PDF)}).status_code == 404
    assert outsider.get(f"/dokumenter/{doc.pk}/").status_code == 404
    assert client.get(f"/samtykker/{paper.pk}/").status_code == 302
    assert client.get(f"/dokumenter/{doc.pk}/").status_code == 302
    assert Document.objects.count() == 1


def test_api_upload_and_fetch(paper, client_for):
    client = client_for("ke")
    r = client.post(f"/api/v1/documents/consent-scans/{paper.pk}", {"file": SimpleUploadedFile("s.jpg", JPEG, content_type="image/jpeg")})
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == "scanned_consent" and r.json()["content_type"] == "image/jpeg"
    bad = client.post(f"/api/v1/documents/consent-scans/{paper.pk}", {"file": SimpleUploadedFile("s.jpg", b"nope")})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    assert client_for("outsider").post(f"/api/v1/documents/consent-scans/{paper.pk}",
                                       {"file": SimpleUploadedFile("s.jpg", JPEG)}).status_code == 404
    f = client.get(f"/api/v1/documents/{r.json()['id']}/file")
    assert f.status_code == 200 and b"".join(f.streaming_content) == JPEG
