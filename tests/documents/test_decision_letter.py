"""The decision letter as PDF/A in the person's document area: generated from templates with WeasyPrint in bokmål
and nynorsk, checked as PDF/A (identification in the XMP metadata), its text extractable, and read only through the
access policy (every read audited)."""

import datetime as dt
import io

import pytest
import time_machine
from django.utils import timezone
from pypdf import PdfReader

from helhet.audit.models import AuditEvent
from helhet.cases import services as cases
from helhet.core.errors import NotFound
from helhet.documents import services
from helhet.documents.models import Document

DAY = dt.datetime(2024, 3, 25, 10, 0)


@pytest.fixture
def refused(users, person):
    with time_machine.travel(DAY, tick=False):
        req = cases.request_create(actor=users["ke"], person=person, received_on=dt.date(2024, 3, 1), channel="oral",
                                   requester_kind="person", wants_ip=True, wants_coordinator=True)
        cases.assessment_create(actor=users["ke"], request_id=req.pk, assessed_on=dt.date(2024, 3, 10), long_term=True,
                                services_involved=1, reasons="Bare én tjeneste.")
        return cases.decision_create(actor=users["ke"], request_id=req.pk, decided_on=dt.date(2024, 3, 15),
                                     reasons="Behovet gjelder én tjeneste, ikke koordinerte tjenester.")


def _pdf(doc: Document) -> bytes:
    with doc.file.open("rb") as f:
        return f.read()


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _check_pdfa(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    xmp = reader.xmp_metadata
    assert xmp is not None, "XMP metadata missing"
    raw = xmp.stream.get_data().decode()
    assert 'pdfaid:part="3"' in raw and 'pdfaid:conformance="B"' in raw  # PDF/A-3b identification
    assert "<dc:title>" in raw and "<dc:creator>" in raw
    assert reader.metadata.title.startswith("Vedtak")
    assert reader.metadata.author == "Fjordvik kommune"
    return raw


def test_the_bokmal_letter_says_everything_a_decision_letter_must(refused, users):
    with time_machine.travel(DAY, tick=False):
        doc = services.decision_letter_create(actor=users["ke"], decision_id=refused.pk, language="nb")
    data = _pdf(doc)
    _check_pdfa(data)
    text = " ".join(_text(data).split())
    assert "Behovet gjelder én tjeneste" in text  # the reasons
    assert "Regler vi har brukt" in text and "Rett til individuell plan" in text  # the rules applied, with sources
    assert "Du kan klage" in text and "Statsforvalteren" in text  # the right to appeal and the route
    assert "Klagefrist: 12.04.2024" in text and "Pasient- og brukerrettighetsloven § 7-2" in text  # the deadline from the rule
    assert "Send klagen til Fjordvik kommune" in text  # where to send it
    assert "rett til å se dokumentene" in text and "Forvaltningsloven §§ 18 og 19" in text  # the right to see the documents
    assert doc.kind == "decision_letter" and doc.pdf_variant == "pdf/a-3b" and doc.size == len(data)
    assert AuditEvent.objects.filter(action="create", object_type="document", object_id=str(doc.pk), person=refused.request.person).exists()


def test_the_nynorsk_letter_is_written_in_nynorsk(refused, users):
    with time_machine.travel(DAY, tick=False):
        doc = services.decision_letter_create(actor=users["ke"], decision_id=refused.pk, language="nn")
    data = _pdf(doc)
    _check_pdfa(data)
    text = " ".join(_text(data).split())
    assert "Grunngjeving" in text and "Statsforvaltaren" in text and "Klagefrist: 12.04.2024" in text and "veker" in text


def test_generating_again_returns_the_same_letter(refused, users):
    with time_machine.travel(DAY, tick=False):
        first = services.decision_letter_create(actor=users["ke"], decision_id=refused.pk)
        again = services.decision_letter_create(actor=users["ke"], decision_id=refused.pk)
    assert first.pk == again.pk and Document.objects.count() == 1


def test_a_bad_language_is_a_400(refused, users):
    from helhet.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        services.decision_letter_create(actor=users["ke"], decision_id=refused.pk, language="en")
    assert exc.value.status == 400


def test_only_the_handling_ke_generates_and_outsiders_get_404(refused, users):
    for key in ("nav", "outsider"):
        with pytest.raises(NotFound):
            services.decision_letter_create(actor=users[key], decision_id=refused.pk)
    assert AuditEvent.objects.filter(action="denied", actor=users["outsider"]).exists()


# ---------------------------------------------------------------- the document area, API and pages


@pytest.fixture
def letter(refused, users):
    with time_machine.travel(DAY, tick=False):
        return services.decision_letter_create(actor=users["ke"], decision_id=refused.pk)


@pytest.fixture
def appointed(world, users, person):
    from helhet.cases.models import CoordinatorAppointment

    return CoordinatorAppointment.objects.create(person=person, kind="coordinator", coordinator=users["coordinator"], unit=world.units["fjordvik_care"],
                                                 appointed_by=users["ke"], start=timezone.localdate() - dt.timedelta(days=5))


def test_page_ke_makes_the_letter_and_it_opens_as_pdf(refused, client_for, person):
    client = client_for("ke")
    with time_machine.travel(DAY, tick=False):
        page = client.get(f"/henvendelser/{refused.request_id}/").content.decode()
        assert 'id="decision-letter-form"' in page
        r = client.post(f"/vedtak/{refused.pk}/brev/", {"language": "nb"})
        assert r.status_code == 302
        pdf = client.get(r["Location"])
        area = client.get(f"/personer/{person.pk}/dokumenter/").content.decode()
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    _check_pdfa(b"".join(pdf.streaming_content))
    assert "Vedtaksbrev 15.03.2024" in area


def test_page_the_coordinator_reads_it_nav_sees_that_something_is_hidden(letter, appointed, client_for, person, users):
    assert client_for("coordinator").get(f"/dokumenter/{letter.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action="view", object_type="document", object_id=str(letter.pk), actor=users["coordinator"]).exists()
    nav = client_for("nav")
    area = nav.get(f"/personer/{person.pk}/dokumenter/").content.decode()
    assert "Vedtaksbrev" not in area and "Noe av innholdet er skjult" in area
    assert nav.get(f"/dokumenter/{letter.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="denied", actor=users["nav"], person=person).exists()


def test_page_outsider_and_anonymous(letter, client_for, person, client):
    assert client_for("outsider").get(f"/personer/{person.pk}/dokumenter/").status_code == 404
    assert client_for("outsider").get(f"/dokumenter/{letter.pk}/").status_code == 404
    assert client.get(f"/dokumenter/{letter.pk}/").status_code == 302  # to the login page


def test_api_make_list_and_fetch(refused, client_for, person):
    client = client_for("ke")
    r = client.post("/api/v1/documents/decision-letters", {"decision_id": refused.pk, "language": "nn"}, content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["language"] == "nn" and body["pdf_variant"] == "pdf/a-3b"
    listed = client.get(f"/api/v1/documents/person/{person.pk}").json()
    assert [d["id"] for d in listed] == [body["id"]]
    f = client.get(f"/api/v1/documents/{body['id']}/file")
    assert f.status_code == 200
    _check_pdfa(b"".join(f.streaming_content))


def test_api_refusals(letter, refused, client_for, person):
    outsider = client_for("outsider")
    assert outsider.get(f"/api/v1/documents/person/{person.pk}").status_code == 404
    assert outsider.get(f"/api/v1/documents/{letter.pk}/file").status_code == 404
    r = client_for("nav").post("/api/v1/documents/decision-letters", {"decision_id": refused.pk}, content_type="application/json")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert client_for("nav").get(f"/api/v1/documents/person/{person.pk}").json() == []
