"""Issue 12 leftovers: the letter (PDF/A, in the document area) that goes with an item sent to a municipality outside
Helhet; the sender records the answer on an outside transfer; the directory's API (list/search, one municipality with
its KE contact, the outside items: list, answer, accept, letter)."""

from __future__ import annotations

import datetime as dt

import pytest

from helhet.audit.models import AuditEvent
from helhet.coordination import services as coordination
from helhet.core.errors import DomainError, NotFound
from helhet.directory import services
from helhet.directory.models import OutsideTransferAnswer
from helhet.documents import services as documents
from helhet.documents.models import Document
from tests.documents.pdfcheck import check_pdfa, pdf_bytes, text_of

from .conftest import TODAY

pytestmark = pytest.mark.django_db



RECORDED_CONSENT = {"consent_given_by": "person", "consent_method": "oral", "consent_given_on": TODAY()}


def _notify(users, person):
    return coordination.need_notification_send(actor=users["hospital_coordinator"], person=person, direction="to_municipality", sent_on=TODAY(),
                                               summary="Trenger koordinator etter utskrivning.", contact_name="Per Dahl",
                                               contact_phone="55 00 00 00", needs_coordinator=True, **RECORDED_CONSENT)


def _transfer(users, person):
    return coordination.transfer_start(actor=users["hospital_coordinator"], person=person, kind="hospital_to_municipality",
                                       effective_on=TODAY() + dt.timedelta(days=3))


# ---------------------------------------------------------------- the letter


def test_a_notification_outside_helhet_produces_the_letter_with_the_content(world, users, bergen_resident):
    n = _notify(users, bergen_resident)
    doc = Document.objects.get(person=bergen_resident, kind="outside_letter", source_type="neednotification", source_id=n.pk)
    data = pdf_bytes(doc)
    check_pdfa(data, title="Melding om behov", author=world.orgs["trust"].name)
    text = text_of(data)
    assert n.outside_reference in text and "Bergen kommune" in text
    assert bergen_resident.full_name in text and "Trenger koordinator etter utskrivning." in text  # the content, for print
    assert "Per Dahl" in text and "sikker kanal" in text
    assert doc.language == "nb" and doc.pdf_variant == "pdf/a-3b"
    assert AuditEvent.objects.filter(action="create", object_type="document", object_id=str(doc.pk)).exists()


def test_a_transfer_outside_helhet_produces_its_letter_and_nynorsk_on_request(world, users, bergen_resident):
    t = _transfer(users, bergen_resident)
    nb = Document.objects.get(kind="outside_letter", source_type="transfer", source_id=t.pk)
    assert "Overføring av koordinator" in text_of(pdf_bytes(nb)) and t.outside_reference in text_of(pdf_bytes(nb))
    nn = documents.outside_letter_create(actor=users["hospital_coordinator"], kind="transfer", object_id=t.pk, language="nn")
    check_pdfa(pdf_bytes(nn), title="Overføring av koordinator")
    text = text_of(pdf_bytes(nn))
    assert "Gjeld:" in text and "Overføringa gjeld frå" in text and "ikkje" in text
    assert documents.outside_letter_create(actor=users["hospital_coordinator"], kind="transfer", object_id=t.pk, language="nn").pk == nn.pk
    with pytest.raises(NotFound):
        documents.outside_letter_create(actor=users["outsider"], kind="transfer", object_id=t.pk)
    with pytest.raises(DomainError) as exc:
        documents.outside_letter_create(actor=users["hospital_coordinator"], kind="transfer", object_id=t.pk, language="en")
    assert exc.value.status == 400


def test_a_notification_to_a_tenant_gets_no_outside_letter(world, users, make_person):
    p = make_person(involve=(("trust_ward", "clinician"),))
    n = coordination.need_notification_send(actor=users["clinician"], person=p, direction="to_municipality", sent_on=TODAY(), summary="x",
                                            contact_name="Per", needs_coordinator=True, **RECORDED_CONSENT)
    assert not Document.objects.filter(kind="outside_letter").exists()
    with pytest.raises((DomainError, NotFound)):
        documents.outside_letter_create(actor=users["clinician"], kind="need_notification", object_id=n.pk)


# ---------------------------------------------------------------- the answer on a transfer


def test_the_sender_records_the_answer_on_an_outside_transfer(world, users, bergen_resident):
    t = _transfer(users, bergen_resident)
    with pytest.raises(DomainError) as exc:
        services.outside_transfer_answer_record(actor=users["hospital_coordinator"], transfer_id=t.pk, on=TODAY(), note=" ")
    assert exc.value.status == 400
    with pytest.raises(DomainError):
        services.outside_transfer_answer_record(actor=users["hospital_coordinator"], transfer_id=t.pk, on=TODAY() + dt.timedelta(days=1), note="x")
    with pytest.raises(NotFound):
        services.outside_transfer_answer_record(actor=users["outsider"], transfer_id=t.pk, on=TODAY(), note="x")
    answer = services.outside_transfer_answer_record(actor=users["hospital_coordinator"], transfer_id=t.pk, on=TODAY(), note="Bergen tar imot.")
    assert OutsideTransferAnswer.objects.get(transfer=t).note == "Bergen tar imot." and answer.recorded_by == users["hospital_coordinator"]
    with pytest.raises(DomainError) as exc:
        services.outside_transfer_answer_record(actor=users["hospital_coordinator"], transfer_id=t.pk, on=TODAY(), note="igjen")
    assert exc.value.code == "already_answered"
    assert AuditEvent.objects.filter(action="update", object_type="transfer", object_id=str(t.pk)).exists()


def test_pages_the_sender_sees_the_letter_and_records_the_answer(world, users, bergen_resident, client_for):
    n = _notify(users, bergen_resident)
    t = _transfer(users, bergen_resident)
    c = client_for("hospital_coordinator")
    assert f"/utenfor-helhet/need_notification/{n.pk}/" in c.get(f"/meldinger/{n.pk}/").content.decode()
    page = c.get(f"/utenfor-helhet/transfer/{t.pk}/").content.decode()
    doc = Document.objects.get(kind="outside_letter", source_type="transfer", source_id=t.pk)
    assert t.outside_reference in page and f"/dokumenter/{doc.pk}/" in page and "Registrer svar fra kommunen" in page
    pdf = c.get(f"/dokumenter/{doc.pk}/")
    assert pdf.status_code == 200
    check_pdfa(b"".join(pdf.streaming_content))
    r = c.post(f"/utenfor-helhet/transfer/{t.pk}/brev/", {"language": "nn"})
    assert r.status_code == 302 and r["Location"].startswith("/dokumenter/")
    assert c.post(f"/overforinger/{t.pk}/svar-utenfor-helhet/", {"on": TODAY().isoformat(), "note": ""}).status_code == 400
    assert c.post(f"/overforinger/{t.pk}/svar-utenfor-helhet/", {"on": TODAY().isoformat(), "note": "Svar per telefon."}).status_code == 302
    assert "Svar per telefon." in c.get(f"/utenfor-helhet/transfer/{t.pk}/").content.decode()
    outsider = client_for("outsider")
    assert outsider.get(f"/utenfor-helhet/transfer/{t.pk}/").status_code == 404
    assert outsider.post(f"/utenfor-helhet/transfer/{t.pk}/brev/", {"language": "nb"}).status_code == 404
    assert outsider.get(f"/overforinger/{t.pk}/svar-utenfor-helhet/").status_code == 404
    assert outsider.get(f"/dokumenter/{doc.pk}/").status_code == 404
    assert client_for("ke").get("/utenfor-helhet/bogus/1/").status_code == 404


def test_pages_need_login(client, world, users, bergen_resident):
    t = _transfer(users, bergen_resident)
    assert client.get(f"/utenfor-helhet/transfer/{t.pk}/").status_code == 302
    assert client.get("/api/v1/directory/municipalities").status_code in (401, 403)


# ---------------------------------------------------------------- the API


def test_api_directory_list_search_and_one_municipality(client_for):
    c = client_for("clinician")
    r = c.get("/api/v1/directory/municipalities", {"q": "Oslo"})
    assert r.status_code == 200
    oslo = next(m for m in r.json() if m["number"] == "0301")
    assert oslo["name"] == "Oslo" and oslo["valid_to"] is None
    one = c.get("/api/v1/directory/municipalities/4601").json()
    assert one["name"] == "Bergen" and one["coordinating_unit"]["is_example"] is True and one["uses_helhet"] is False
    assert c.get("/api/v1/directory/municipalities/12").status_code == 400
    assert c.get("/api/v1/directory/municipalities/0000").status_code == 400


def test_api_a_merged_municipality_resolves_to_its_successor(client_for):
    from helhet.directory.models import Municipality

    merged = Municipality.objects.filter(valid_to__isnull=False, successor__isnull=False).select_related("successor").first()
    if merged is None:
        pytest.skip("the shipped directory has no merged municipality")
    body = client_for("ke").get(f"/api/v1/directory/municipalities/{merged.number}").json()
    assert body["number"] == merged.successor.number or body["note"]


def test_api_outside_items_list_answer_letter_and_accept(world, users, bergen_resident, client_for, join_bergen):
    n = _notify(users, bergen_resident)
    t = _transfer(users, bergen_resident)
    c = client_for("hospital_coordinator")
    sent = c.get("/api/v1/directory/outside/sent").json()
    assert {(i["kind"], i["id"]) for i in sent} == {("need_notification", n.pk), ("transfer", t.pk)}
    assert client_for("outsider").get("/api/v1/directory/outside/sent").json() == []
    r = c.post(f"/api/v1/directory/outside/transfer/{t.pk}/answer", {"on": TODAY().isoformat(), "note": "Tar imot."}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["answered_on"] == TODAY().isoformat() and r.json()["answer"] == "Tar imot."
    bad = c.post(f"/api/v1/directory/outside/need_notification/{n.pk}/answer", {"on": TODAY().isoformat(), "note": ""}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    assert client_for("outsider").post(f"/api/v1/directory/outside/transfer/{t.pk}/answer", {"on": TODAY().isoformat(), "note": "x"},
                                       content_type="application/json").status_code == 404
    letter = c.post(f"/api/v1/directory/outside/need_notification/{n.pk}/letter", {"language": "nn"}, content_type="application/json")
    assert letter.status_code == 201 and letter.json()["kind"] == "outside_letter" and letter.json()["language"] == "nn"
    # Bergen joins: its KE lists what is open for it and accepts the notification.
    _org, bergen_ke = join_bergen()
    from django.test import Client

    ke = Client()
    ke.force_login(bergen_ke)
    open_items = ke.get("/api/v1/directory/outside/open").json()
    assert ("need_notification", n.pk) in {(i["kind"], i["id"]) for i in open_items}
    acc = ke.post(f"/api/v1/directory/outside/need_notification/{n.pk}/accept", content_type="application/json")
    assert acc.status_code == 200 and acc.json()["accepted_on"] == TODAY().isoformat()
    assert ke.post(f"/api/v1/directory/outside/need_notification/{n.pk}/accept", content_type="application/json").status_code == 409
