"""The plan API: one nested document, section edits with based_on_version, versions, diff, files, 404 for outsiders."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from helhet.audit.models import AuditEvent

API = "/api/v1/plans"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def _odt() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", "<office:document-content/>")
    return buf.getvalue()


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


@pytest.fixture
def coord(client_for):
    return client_for("coordinator")


@pytest.fixture
def api_plan(plan_person, coord, world):
    r = post(coord, f"{API}/", {"person_id": plan_person.pk, "main_sector": "health_care", "main_unit_id": world.units["fjordvik_care"].pk,
                               "period_start": "2026-01-01", "evaluation_interval_months": 6})
    assert r.status_code == 201, r.content
    return r.json()


def doc_of(client, plan_id):
    r = client.get(f"{API}/{plan_id}")
    assert r.status_code == 200, r.content
    return r.json()


def test_create_and_second_plan_is_refused_with_409(api_plan, plan_person, client_for, world):
    r = post(client_for("ke"), f"{API}/", {"person_id": plan_person.pk, "main_sector": "nav", "main_unit_id": world.units["fjordvik_nav"].pk})
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "plan_exists" and body["details"]["plan_id"] == api_plan["id"]
    assert "Hjemmetjenesten Fjordvik" in body["message"]


def test_every_item_a_to_i_through_the_api(api_plan, coord, world, users, plan_person):
    from helhet.people.models import Relative

    pid, v = api_plan["id"], api_plan["version"]
    rel = Relative.objects.create(person=plan_person, name="Per Fjellheim", relationship="sibling", may_take_part=True)

    def add(section, **fields):
        nonlocal v
        r = post(coord, f"{API}/{pid}/{section}", {"based_on_version": v, **fields})
        assert r.status_code == 201, r.content
        v = r.json()["version"]
        return r.json()["id"]

    goal = add("goals", text="Jeg vil gå tur hver dag", written_by="person")
    add("resources", text="Sterk vilje")
    add("needs", text="Praktisk hjelp", area="Hjemme")
    add("participants", kind="person", role="Eier")
    add("participants", kind="relative", relative_id=rel.pk, role="Bror")
    add("participants", kind="staff", user_id=users["nav"].pk, unit_id=world.units["fjordvik_nav"].pk, role="Veileder")
    add("contributions", by="relative", relative_id=rel.pk, text="Handler mat")
    measure = add("measures", title="Turvenn", goal_ids=[goal], scope="1 t daglig", how="Frivillig følger",
                  responsible_unit_id=world.units["fjordvik_care"].pk, responsible_person_id=users["coordinator"].pk, deadline="2026-05-01")
    add("evaluations", planned_on="2026-06-01")
    add("cooperation", partner="Frivilligsentralen", kind="institution", purpose="Turvenn")
    r = coord.post(f"{API}/{pid}/subplans", {"based_on_version": v, "kind": "iop", "title": "IOP", "text": "Mål for skoleåret",
                                              "responsible_unit_id": world.units["fjordvik_school"].pk})
    assert r.status_code == 201, r.content
    v = r.json()["version"]
    r = post(coord, f"{API}/{pid}/measures/{measure}/status", {"based_on_version": v, "status": "ongoing"})
    assert r.status_code == 200, r.content
    v = r.json()["version"]
    r = patch(coord, f"{API}/{pid}", {"based_on_version": v, "period_end": "2026-12-31"})
    assert r.status_code == 200, r.content

    doc = doc_of(coord, pid)
    assert doc["goals"][0]["text"] == "Jeg vil gå tur hver dag"
    assert doc["resources"] and doc["needs"][0]["area"] == "Hjemme"
    assert [p["kind"] for p in doc["participants"]] == ["person", "relative", "staff"]
    assert doc["coordinators"][0]["name"] == "Ola Strand"
    assert doc["contributions"][0]["relative"] == "Per Fjellheim"
    assert doc["measures"][0]["goal_ids"] == [goal] and doc["measures"][0]["status"] == "ongoing"
    assert doc["measures"][0]["status_history"][-1]["to_status"] == "ongoing"
    assert doc["period"] == {"start": "2026-01-01", "end": "2026-12-31", "evaluation_interval_months": 6, "next_evaluation": "2026-06-01"}
    assert doc["consent"]["plan_work"]["given_by"] == "person"
    assert doc["cooperation"][0]["partner"] == "Frivilligsentralen"
    assert doc["subplans"][0]["kind"] == "iop"
    assert "plan.edit" in doc["allowed"]

    r = coord.delete(f"{API}/{pid}/resources/{doc['resources'][0]['id']}?based_on_version={doc['version']}")
    assert r.status_code == 200
    assert doc_of(coord, pid)["resources"] == []


def test_stale_edit_of_the_same_item_gets_409_with_changes_and_other_items_go_through(api_plan, coord, client_for):
    pid, v = api_plan["id"], api_plan["version"]
    made = post(coord, f"{API}/{pid}/goals", {"based_on_version": v, "text": "Først"})
    assert made.status_code == 201
    goal = made.json()["id"]
    # Adding from the same version is no conflict (per-item versions).
    assert post(client_for("ke"), f"{API}/{pid}/goals", {"based_on_version": v, "text": "Samtidig"}).status_code == 201
    v = doc_of(coord, pid)["version"]
    assert patch(coord, f"{API}/{pid}/goals/{goal}", {"based_on_version": v, "text": "Først, endret"}).status_code == 200
    r = patch(client_for("ke"), f"{API}/{pid}/goals/{goal}", {"based_on_version": v, "text": "Samme mål, samtidig"})
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "stale" and body["details"]["current_version"] == v + 1
    assert body["details"]["changes"][0]["section"] == "goals" and body["details"]["changes"][0]["item_id"] == goal
    assert "Først, endret" in body["message"]


def test_bad_input_is_400_not_500(api_plan, coord):
    pid, v = api_plan["id"], api_plan["version"]
    assert post(coord, f"{API}/{pid}/goals", {"based_on_version": v, "nonsense": 1}).status_code == 400
    assert post(coord, f"{API}/{pid}/measures", {"based_on_version": v, "title": "x", "start": "not a date"}).status_code == 400
    assert post(coord, f"{API}/{pid}/goals", {"text": "no version"}).status_code == 400
    assert post(coord, f"{API}/{pid}/unknown", {"based_on_version": v}).status_code == 404


def test_publish_versions_and_diff(api_plan, coord):
    pid, v = api_plan["id"], api_plan["version"]
    r = post(coord, f"{API}/{pid}/goals", {"based_on_version": v, "text": "Bo hjemme"})
    goal, v = r.json()["id"], r.json()["version"]
    r = post(coord, f"{API}/{pid}/publish", {"based_on_version": v, "reason": "Første versjon"})
    assert r.status_code == 201 and r.json()["number"] == 1
    assert post(coord, f"{API}/{pid}/publish", {"based_on_version": v, "reason": "Igjen"}).status_code == 409  # nothing changed
    r = patch(coord, f"{API}/{pid}/goals/{goal}", {"based_on_version": v, "text": "Bo hjemme med hjelp"})
    v = r.json()["version"]
    r = post(coord, f"{API}/{pid}/measures", {"based_on_version": v, "title": "Hjemmehjelp", "goal_ids": [goal]})
    v = r.json()["version"]
    assert post(coord, f"{API}/{pid}/publish", {"based_on_version": v, "reason": "Nytt tiltak"}).json()["number"] == 2

    versions = coord.get(f"{API}/{pid}/versions").json()
    assert [x["number"] for x in versions] == [2, 1] and versions[1]["reason"] == "Første versjon"
    assert coord.get(f"{API}/{pid}/versions/1").json()["snapshot"]["goals"][0]["text"] == "Bo hjemme"
    diff = coord.get(f"{API}/{pid}/diff?from_version=1&to_version=2").json()
    by_section = {s["section"]: s for s in diff}
    assert by_section["goals"]["label"] == "Mål"
    assert by_section["goals"]["changed"][0]["fields"][0] == {"field": "text", "label": "Tekst", "old": "Bo hjemme", "new": "Bo hjemme med hjelp"}
    assert by_section["measures"]["added"][0]["label"] == "Hjemmehjelp"
    assert coord.get(f"{API}/{pid}/diff?from_version=2").json() == []  # working copy equals version 2


def test_close_locks_and_ke_reopens(api_plan, coord, client_for):
    pid, v = api_plan["id"], api_plan["version"]
    r = post(coord, f"{API}/{pid}/close", {"based_on_version": v, "reason": "need_ended", "note": "Klarer seg selv"})
    assert r.status_code == 200
    v = r.json()["version"]
    doc = doc_of(coord, pid)
    assert doc["status"] == "closed" and doc["closed"]["reason"] == "need_ended"
    assert post(coord, f"{API}/{pid}/goals", {"based_on_version": v, "text": "x"}).json()["code"] == "closed"
    assert post(coord, f"{API}/{pid}/reopen", {"based_on_version": v, "reason": "Nytt behov"}).status_code == 404  # KE only
    r = post(client_for("ke"), f"{API}/{pid}/reopen", {"based_on_version": v, "reason": "Nytt behov"})
    assert r.status_code == 200
    doc = doc_of(coord, pid)
    assert doc["status"] == "active"
    assert [s["to_status"] for s in doc["status_history"]] == ["draft", "closed", "active"]


def _upload(client, pid, v, world, name, content, content_type="application/octet-stream"):
    return client.post(f"{API}/{pid}/subplans", {"based_on_version": v, "kind": "treatment", "title": "Behandlingsplan",
                                                "responsible_unit_id": world.units["trust_ward"].pk,
                                                "file": SimpleUploadedFile(name, content, content_type=content_type)})


@pytest.mark.parametrize("name,content", [("plan.pdf", PDF), ("bilde.png", PNG), ("iop.docx", _docx()), ("iop.odt", _odt()),
                                          ("foto.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 32)])
def test_upload_accepts_allowed_types_and_download_checks_access(api_plan, coord, world, client_for, name, content):
    pid, v = api_plan["id"], api_plan["version"]
    r = _upload(coord, pid, v, world, name, content)
    assert r.status_code == 201, r.content
    sid = r.json()["id"]
    doc = doc_of(coord, pid)
    assert doc["subplans"][0]["file"]["name"] == name
    r = coord.get(f"{API}/{pid}/subplans/{sid}/file")
    assert r.status_code == 200 and b"".join(r.streaming_content) == content
    assert name in r["Content-Disposition"]
    assert client_for("outsider").get(f"{API}/{pid}/subplans/{sid}/file").status_code == 404
    assert AuditEvent.objects.filter(action="view", object_type="subplan", object_id=str(sid)).exists()


def test_stored_file_name_is_not_guessable(api_plan, coord, world):
    from helhet.plans.models import SubPlan

    _upload(coord, api_plan["id"], api_plan["version"], world, "plan.pdf", PDF)
    stored = SubPlan.objects.get().file.name
    assert "plan.pdf" not in stored and len(stored.rsplit("/", 1)[-1]) > 30


def test_upload_refuses_too_large(api_plan, coord, world, settings):
    big = PDF + b"0" * (10 * 1024 * 1024)
    r = _upload(coord, api_plan["id"], api_plan["version"], world, "stor.pdf", big, "application/pdf")
    assert r.status_code == 400 and r.json()["code"] == "file_too_large"
    from helhet.plans.models import SubPlan

    assert not SubPlan.objects.exists()
    assert not list((settings.MEDIA_ROOT).rglob("*.pdf")) if settings.MEDIA_ROOT.exists() else True


@pytest.mark.parametrize("name,content", [("skript.exe", b"MZ\x90\x00"), ("falsk.pdf", b"<html>not a pdf</html>"),
                                          ("bilde.png", PDF), ("dok.docx", PNG), ("notat.txt", b"hei")])
def test_upload_refuses_wrong_type(api_plan, coord, world, name, content):
    r = _upload(coord, api_plan["id"], api_plan["version"], world, name, content, "application/pdf")
    assert r.status_code == 400 and r.json()["code"] == "file_type"


@pytest.mark.parametrize("persona", ["outsider", "teacher", "clinician"])
def test_outsiders_get_404_for_plan_versions_diff_files_and_subplans(api_plan, coord, world, client_for, users, plan_person, persona):
    pid, v = api_plan["id"], api_plan["version"]
    r = _upload(coord, pid, v, world, "plan.pdf", PDF)
    sid, v = r.json()["id"], r.json()["version"]
    assert post(coord, f"{API}/{pid}/publish", {"based_on_version": v, "reason": "v1"}).status_code == 201
    other = client_for(persona)
    for url in [f"{API}/{pid}", f"{API}/{pid}/versions", f"{API}/{pid}/versions/1", f"{API}/{pid}/diff?from_version=1",
                f"{API}/{pid}/changes", f"{API}/{pid}/subplans/{sid}/file", f"{API}/person/{plan_person.pk}",
                f"{API}/person/{plan_person.pk}/history"]:
        assert other.get(url).status_code == 404, url
    assert post(other, f"{API}/{pid}/goals", {"based_on_version": v, "text": "x"}).status_code == 404
    assert other.delete(f"{API}/{pid}/subplans/{sid}?based_on_version={v}").status_code == 404
    assert post(other, f"{API}/{pid}/publish", {"based_on_version": v, "reason": "x"}).status_code == 404
    assert post(other, f"{API}/{pid}/close", {"based_on_version": v, "reason": "need_ended"}).status_code == 404
    assert AuditEvent.objects.filter(action="denied", actor=users[persona], person=plan_person).count() >= 12


def test_a_missing_plan_is_404(coord):
    assert coord.get(f"{API}/999999").status_code == 404


def test_login_is_required(api_plan):
    from django.test import Client

    assert Client().get(f"{API}/{api_plan['id']}").status_code == 401


def test_every_read_and_write_leaves_an_audit_event(api_plan, coord, users):
    pid, v = api_plan["id"], api_plan["version"]
    before = AuditEvent.objects.count()
    coord.get(f"{API}/{pid}")
    assert AuditEvent.objects.filter(action="view", object_type="individualplan", object_id=str(pid)).count() == 1
    r = post(coord, f"{API}/{pid}/goals", {"based_on_version": v, "text": "Mål"})
    assert AuditEvent.objects.filter(action="create", object_type="goal", object_id=str(r.json()["id"])).exists()
    coord.get(f"{API}/{pid}/versions")
    post(coord, f"{API}/{pid}/publish", {"based_on_version": v + 1, "reason": "v1"})
    coord.get(f"{API}/{pid}/diff?from_version=1")
    assert AuditEvent.objects.count() == before + 5
    assert AuditEvent.objects.filter(actor=users["coordinator"], person__isnull=False).count() >= 5
