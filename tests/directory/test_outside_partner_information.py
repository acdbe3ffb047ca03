"""Issue 12: informing partners (forskrift § 21) when the partner is the coordinating unit of a municipality outside
Helhet -- recorded as sent with a reference, the letter with the content (PDF/A) in the document area, a reference-only
e-mail, the answer recorded by the sender, the person's objection still stopping it -- and the answer deadline of a
transfer sent outside Helhet (rule transfer.outside-answer)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from helhet.audit.models import AuditEvent
from helhet.coordination import services as coordination
from helhet.coordination.models import PartnerInformation
from helhet.core.errors import DomainError, NotFound
from helhet.directory import services
from helhet.documents import services as documents
from helhet.documents.models import Document
from helhet.notifications import selectors as deadline_lists
from helhet.rules.deadlines import collect
from tests.documents.pdfcheck import check_pdfa, pdf_bytes, text_of

from .conftest import TODAY

pytestmark = pytest.mark.django_db

EVENT = "coordinator_appointed"


@pytest.fixture
def resident(world, users, make_person):
    """A Fjordvik resident with a municipal coordinator (Ola Strand); Bergen (4601, not on Helhet) is a partner."""
    from helhet.cases.models import CoordinatorAppointment

    p = make_person(given_name="Sunniva", family_name="Vestbø")
    CoordinatorAppointment.objects.create(person=p, kind=CoordinatorAppointment.Kind.COORDINATOR, coordinator=users["coordinator"],
                                          unit=world.units["fjordvik_care"], appointed_by=users["ke"], start=TODAY() - dt.timedelta(days=3))
    return p


def _inform(users, person, *, number="4601", method="auto", actor="coordinator"):
    return coordination.partners_inform(actor=users[actor], person=person, event=EVENT, unit_ids=[], method=method,
                                        outside_municipality_number=number)


def _transfer(users, person):
    return coordination.transfer_start(actor=users["hospital_coordinator"], person=person, kind="hospital_to_municipality",
                                       effective_on=TODAY() + dt.timedelta(days=3))


# ---------------------------------------------------------------- informing a partner outside Helhet


def test_a_coordinator_informs_a_municipality_outside_helhet_by_letter_and_reference_only_email(
        world, users, resident, real_bergen_address, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [info] = _inform(users, resident)
    info.refresh_from_db()
    assert info.recipient_unit is None and info.to_municipality.number == "4601" and not info.is_gp
    assert info.outside_reference == f"IS-{info.pk:06d}" and info.outside_email == "koordinerende.enhet@bergen.test"
    assert info.method == PartnerInformation.Method.EMAIL and info.answered_on is None
    # The letter with the content, PDF/A in the person's document area.
    doc = Document.objects.get(person=resident, kind="outside_letter", source_type="partnerinformation", source_id=info.pk)
    data = pdf_bytes(doc)
    check_pdfa(data, title="Informasjon til samarbeidspartnere", author=world.orgs["fjordvik"].name)
    text = text_of(data)
    assert info.outside_reference in text and "Bergen kommune" in text and resident.full_name in text
    assert "koordinator er oppnevnt" in text and "§ 21" in text and "sikker kanal" in text
    assert "tar kommunen i bruk Helhet" not in text.lower()  # information is not taken into an inbox on joining
    # The e-mail: the reference and the sender's contact, no personal data.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["koordinerende.enhet@bergen.test"] and info.outside_reference in message.subject and info.outside_reference in message.body
    assert "Hjemmetjenesten Fjordvik" in message.body and "informasjonsmelding" in message.body
    birth = resident.birth_date.strftime("%d.%m.%Y")
    for secret in (resident.given_name, resident.family_name, resident.national_id, birth):
        assert secret not in message.subject + message.body
    assert AuditEvent.objects.filter(action="create", object_type="partnerinformation", object_id=str(info.pk)).exists()
    assert AuditEvent.objects.filter(action="create", object_type="document", object_id=str(doc.pk)).exists()


def test_no_email_to_an_example_address_nor_when_the_letter_is_chosen(world, users, resident, django_capture_on_commit_callbacks):
    from helhet.directory.models import CoordinatingUnitContact

    with django_capture_on_commit_callbacks(execute=True):
        [shipped] = _inform(users, resident)  # the shipped entry is an example
    assert shipped.method == PartnerInformation.Method.LETTER and shipped.outside_reference and not mail.outbox
    CoordinatingUnitContact.objects.filter(municipality__number="4601").update(email="ke@bergen.example", is_example=False)
    with django_capture_on_commit_callbacks(execute=True):
        [reserved] = _inform(users, resident)  # a reserved .example domain, even when marked checked
    CoordinatingUnitContact.objects.filter(municipality__number="4601").update(email="ke@bergen.test")
    with django_capture_on_commit_callbacks(execute=True):
        [letter] = _inform(users, resident, method="letter")
    assert not mail.outbox
    assert {reserved.method, letter.method} == {PartnerInformation.Method.LETTER}
    assert Document.objects.filter(kind="outside_letter", source_type="partnerinformation").count() == 3


def test_a_municipality_on_helhet_or_unknown_is_refused_and_nothing_is_written(world, users, resident, join_bergen):
    for number in ("0000", "12", ""):
        if number == "":
            with pytest.raises(DomainError) as exc:  # no unit and no municipality: nobody to inform
                coordination.partners_inform(actor=users["coordinator"], person=resident, event=EVENT, unit_ids=[])
        else:
            with pytest.raises(DomainError) as exc:
                _inform(users, resident, number=number)
        assert exc.value.status == 400
    join_bergen()
    with pytest.raises(DomainError) as exc:
        _inform(users, resident)
    assert exc.value.status == 400 and "municipality" in exc.value.details["fields"] and "bruker Helhet" in exc.value.message
    assert not PartnerInformation.objects.exists() and not Document.objects.filter(source_type="partnerinformation").exists()


def test_the_persons_objection_stops_it(world, users, resident, real_bergen_address, django_capture_on_commit_callbacks):
    objection = coordination.partner_objection_record(actor=users["coordinator"], person=resident, objected_on=TODAY(),
                                                      given_by_name=resident.full_name, how="oral")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError) as exc:
        _inform(users, resident)
    assert exc.value.code == "objected" and exc.value.status == 409
    assert not PartnerInformation.objects.exists() and not mail.outbox
    assert not Document.objects.filter(source_type="partnerinformation").exists()
    assert AuditEvent.objects.filter(action="view", object_type="partnerinformationobjection", object_id=str(objection.pk)).exists()


def test_an_outsider_cannot_inform_nor_see_nor_answer(world, users, resident):
    with pytest.raises(NotFound):
        _inform(users, resident, actor="outsider")
    [info] = _inform(users, resident)
    with pytest.raises(NotFound):
        services.outside_partner_answer_record(actor=users["outsider"], information_id=info.pk, on=TODAY(), note="x")
    with pytest.raises(NotFound):
        documents.outside_letter_create(actor=users["outsider"], kind="partner_information", object_id=info.pk)
    from helhet.directory import selectors

    with pytest.raises(NotFound):
        selectors.outside_item(actor=users["outsider"], kind="partner_information", object_id=info.pk)
    assert AuditEvent.objects.filter(action="denied", actor=users["outsider"]).count() >= 4


def test_the_sender_records_the_answer(world, users, resident):
    [info] = _inform(users, resident)
    sender = users["coordinator"]
    for on, note in ((TODAY(), " "), (TODAY() + dt.timedelta(days=1), "x"), (TODAY() - dt.timedelta(days=1), "x")):
        with pytest.raises(DomainError) as exc:
            services.outside_partner_answer_record(actor=sender, information_id=info.pk, on=on, note=note)
        assert exc.value.status == 400
    answered = services.outside_partner_answer_record(actor=sender, information_id=info.pk, on=TODAY(), note="KE i Bergen bekreftet.")
    info.refresh_from_db()
    assert (info.answered_on, info.answer_note, info.answer_recorded_by) == (TODAY(), "KE i Bergen bekreftet.", sender) == (
        answered.answered_on, answered.answer_note, answered.answer_recorded_by)
    with pytest.raises(DomainError) as exc:
        services.outside_partner_answer_record(actor=sender, information_id=info.pk, on=TODAY(), note="igjen")
    assert exc.value.code == "already_answered"
    assert AuditEvent.objects.filter(action="update", object_type="partnerinformation", object_id=str(info.pk)).count() == 1


def test_pages_inform_outside_see_status_answer_and_letter(world, users, resident, client_for):
    c = client_for("coordinator")
    url = f"/personer/{resident.pk}/informer-samarbeidspartnere/"
    form = c.get(url).content.decode()
    assert 'value="4601"' in form and "Bergen (4601)" in form and 'value="9901"' not in form
    assert c.post(url, {"event": EVENT, "municipality": "0000", "method": "auto"}).status_code == 400
    r = c.post(url, {"event": EVENT, "municipality": "4601", "method": "auto"})
    assert r.status_code == 302
    info = PartnerInformation.objects.get(person=resident)
    doc = Document.objects.get(source_type="partnerinformation", source_id=info.pk)
    page = c.get(f"/personer/{resident.pk}/samhandling/").content.decode()
    assert info.outside_reference in page and f"/utenfor-helhet/partner_information/{info.pk}/" in page and f"/dokumenter/{doc.pk}/" in page
    item = c.get(f"/utenfor-helhet/partner_information/{info.pk}/").content.decode()
    assert info.outside_reference in item and "Registrer svar fra kommunen" in item and "krever ikke svar" in item
    r = c.post(f"/utenfor-helhet/partner_information/{info.pk}/brev/", {"language": "nn"})
    assert r.status_code == 302 and r["Location"].startswith("/dokumenter/")
    nn = Document.objects.get(source_type="partnerinformation", source_id=info.pk, language="nn")
    check_pdfa(pdf_bytes(nn), title="Informasjon til samarbeidspartnarar")
    answer_url = f"/samarbeidsinformasjon/{info.pk}/svar-utenfor-helhet/"
    assert c.post(answer_url, {"on": TODAY().isoformat(), "note": ""}).status_code == 400
    assert c.post(answer_url, {"on": TODAY().isoformat(), "note": "Svar per brev."}).status_code == 302
    assert "Svar per brev." in c.get(f"/utenfor-helhet/partner_information/{info.pk}/").content.decode()
    assert AuditEvent.objects.filter(action="view", object_type="partnerinformation", object_id=str(info.pk)).exists()
    outsider = client_for("outsider")
    assert outsider.get(f"/utenfor-helhet/partner_information/{info.pk}/").status_code == 404
    assert outsider.get(answer_url).status_code == 404
    assert outsider.post(f"/utenfor-helhet/partner_information/{info.pk}/brev/", {"language": "nb"}).status_code == 404
    assert outsider.get(f"/dokumenter/{doc.pk}/").status_code == 404
    assert outsider.get(url).status_code == 404


def test_pages_need_login(client, world, users, resident):
    [info] = _inform(users, resident)
    for url in (f"/utenfor-helhet/partner_information/{info.pk}/", f"/samarbeidsinformasjon/{info.pk}/svar-utenfor-helhet/"):
        assert client.get(url).status_code == 302


# ---------------------------------------------------------------- the answer deadline of a transfer outside Helhet


def _transfer_deadlines(**kw):
    return [d for d in collect(today=kw.pop("today", TODAY()), **kw) if d.kind == "transfer_answer"]


def test_a_transfer_outside_helhet_has_an_answer_deadline_from_the_rule_until_answered(world, users, bergen_resident, client_for):
    from helhet.rules.models import Rule

    rule = Rule.objects.get(code="transfer.outside-answer", organization__isnull=True)
    assert rule.needs_check and rule.source and rule.parameters["days"] == 14
    t = _transfer(users, bergen_resident)
    due = TODAY() + dt.timedelta(days=14)
    mine = _transfer_deadlines(user_id=users["hospital_coordinator"].pk)
    assert [(d.object_id, d.due, d.rule_code, d.responsible_user_id) for d in mine] == [
        (t.pk, due, "transfer.outside-answer", users["hospital_coordinator"].pk)]
    assert [d.object_id for d in _transfer_deadlines(organization_ids=[world.orgs["trust"].pk])] == [t.pk]
    assert not _transfer_deadlines(organization_ids=[world.orgs["fjordvik"].pk])
    assert not _transfer_deadlines(user_id=users["coordinator"].pk)
    # Shown where outside items are listed: the sender's page, the person's page, the coordinator's and the KE's lists.
    c = client_for("hospital_coordinator")
    page = c.get(f"/utenfor-helhet/transfer/{t.pk}/").content.decode()
    assert due.strftime("%d.%m.%Y") in page and "Svarfrist" in page and "Forfalt" not in page
    assert due.strftime("%d.%m.%Y") in c.get(f"/personer/{bergen_resident.pk}/samhandling/").content.decode()
    later = TODAY() + dt.timedelta(days=15)
    with time_machine.travel(dt.datetime.combine(later, dt.time(12)), tick=False):
        rows = [r for r in deadline_lists.my_deadlines(actor=users["hospital_coordinator"]) if r.deadline.kind == "transfer_answer"]
        assert [(r.deadline.object_id, r.overdue) for r in rows] == [(t.pk, True)]
        ke = deadline_lists.ke_deadlines(actor=users["trust_ke"], kind="transfer_answer", overdue_only=True)
        assert [r.deadline.object_id for r in ke["rows"]] == [t.pk]
        # (a new login: the session from before the journey has timed out)
        assert "Forfalt" in client_for("hospital_coordinator").get(f"/utenfor-helhet/transfer/{t.pk}/").content.decode()
        ke_page = client_for("trust_ke").get("/ke/frister/?kind=transfer_answer&overdue=1")
        assert ke_page.status_code == 200 and bergen_resident.full_name in ke_page.content.decode()
    services.outside_transfer_answer_record(actor=users["hospital_coordinator"], transfer_id=t.pk, on=TODAY(), note="Bergen svarte.")
    assert not _transfer_deadlines() and "Svarfrist" not in c.get(f"/utenfor-helhet/transfer/{t.pk}/").content.decode()


def test_a_local_version_of_the_rule_wins_for_its_organisation(world, users, bergen_resident):
    from helhet.rules.models import Rule

    national = Rule.objects.get(code="transfer.outside-answer", organization__isnull=True)
    Rule.objects.create(code=national.code, kind=national.kind, title=national.title, text=national.text, source="Lokal retningslinje, Helse Nordkyst",
                        valid_from=TODAY() - dt.timedelta(days=30), organization=world.orgs["trust"], parameters={"days": 7})
    t = _transfer(users, bergen_resident)
    assert [(d.object_id, d.due) for d in _transfer_deadlines()] == [(t.pk, TODAY() + dt.timedelta(days=7))]


def test_a_transfer_to_a_tenant_or_accepted_on_joining_has_no_answer_deadline(world, users, bergen_resident, join_bergen):
    t = _transfer(users, bergen_resident)
    assert _transfer_deadlines()
    _org, bergen_ke = join_bergen()
    services.outside_accept(actor=bergen_ke, kind="transfer", object_id=t.pk)
    assert not _transfer_deadlines()


def test_the_deadline_lists_query_count_does_not_grow_with_the_transfers(world, users, make_person, django_assert_max_num_queries):
    from helhet.directory.models import Municipality

    persons = []
    for _ in range(3):
        p = make_person(involve=(("trust_ward", "clinician"),))
        p.home_municipality, p.home_municipality_entry = None, Municipality.objects.get(number="4601")
        p.save()
        from helhet.cases.models import CoordinatorAppointment

        CoordinatorAppointment.objects.create(person=p, kind=CoordinatorAppointment.Kind.HOSPITAL_COORDINATOR, coordinator=users["hospital_coordinator"],
                                              unit=world.units["trust_ward"], appointed_by=users["unit_leader"], start=TODAY())
        persons.append(p)
    _transfer(users, persons[0])
    from helhet.coordination.deadlines import transfer_answer_deadlines

    with django_assert_max_num_queries(2):
        assert len(transfer_answer_deadlines(organization_ids=None, user_id=None, today=TODAY())) == 1
    for p in persons[1:]:
        _transfer(users, p)
    with django_assert_max_num_queries(2):
        assert len(transfer_answer_deadlines(organization_ids=None, user_id=None, today=TODAY())) == 3


# ---------------------------------------------------------------- the API


def test_api_inform_outside_list_answer_and_letter(world, users, resident, bergen_resident, client_for):
    c = client_for("coordinator")
    body = {"person_id": resident.pk, "event": EVENT, "municipality_number": "4601"}
    r = c.post("/api/v1/directory/outside/partner-information", body, content_type="application/json")
    assert r.status_code == 201, r.content
    out = r.json()
    info = PartnerInformation.objects.get(pk=out["id"])
    assert out["kind"] == "partner_information" and out["reference"] == info.outside_reference and out["status"] == "sent"
    assert out["municipality_number"] == "4601" and out["answer_due"] is None
    assert c.post("/api/v1/directory/outside/partner-information", {**body, "municipality_number": "12"},
                  content_type="application/json").status_code == 400
    assert client_for("outsider").post("/api/v1/directory/outside/partner-information", body,
                                       content_type="application/json").status_code == 404
    t = _transfer(users, bergen_resident)
    assert ("transfer", t.pk) not in {(s["kind"], s["id"]) for s in c.get("/api/v1/directory/outside/sent").json()}
    sent = client_for("hospital_coordinator").get("/api/v1/directory/outside/sent").json() + c.get("/api/v1/directory/outside/sent").json()
    by_kind = {(s["kind"], s["id"]): s for s in sent}
    assert ("partner_information", info.pk) in by_kind
    assert by_kind["transfer", t.pk]["answer_due"] == (TODAY() + dt.timedelta(days=14)).isoformat()
    assert not any(s["kind"] == "partner_information" for s in client_for("outsider").get("/api/v1/directory/outside/sent").json())
    r = c.post(f"/api/v1/directory/outside/partner_information/{info.pk}/answer", {"on": TODAY().isoformat(), "note": "Mottatt."},
               content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "answered" and r.json()["answer"] == "Mottatt."
    r = c.post(f"/api/v1/directory/outside/partner_information/{info.pk}/letter", {"language": "nn"}, content_type="application/json")
    assert r.status_code == 201
    outsider = client_for("outsider")
    assert outsider.post(f"/api/v1/directory/outside/partner_information/{info.pk}/answer", {"on": TODAY().isoformat(), "note": "x"},
                         content_type="application/json").status_code == 404
    assert outsider.post(f"/api/v1/directory/outside/partner_information/{info.pk}/letter", {"language": "nb"},
                         content_type="application/json").status_code == 404
    assert c.post(f"/api/v1/directory/outside/partner_information/{info.pk}/accept").status_code == 400


def test_api_objection_is_a_409(world, users, resident, client_for):
    coordination.partner_objection_record(actor=users["coordinator"], person=resident, objected_on=TODAY(),
                                          given_by_name=resident.full_name, how="oral")
    r = client_for("coordinator").post("/api/v1/directory/outside/partner-information",
                                                {"person_id": resident.pk, "event": EVENT, "municipality_number": "4601"},
                                                content_type="application/json")
    assert r.status_code == 409 and not PartnerInformation.objects.exists()
