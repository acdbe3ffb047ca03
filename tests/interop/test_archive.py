"""The archive copy (helhet/interop/archive.py, manage.py archive_export): the Noark 5 style package and the PDF/A.

The element list below is the one written down in docs/archive.md (from Noark 5 versjon 5.0, vedlegg 2 "Metadata
gruppert på objekter", Arkivverket): the package is checked against it, not against the code's own table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from helhet.audit.models import AuditEvent
from helhet.plans import services
from tests.conftest import category_token

pytestmark = pytest.mark.django_db
NS = "{http://www.arkivverket.no/standarder/noark5/arkivstruktur}"

# docs/archive.md, "Elementer": element -> (children in order, required children)
SPEC = {
    "arkiv": (["systemID", "tittel", "beskrivelse", "arkivstatus", "dokumentmedium", "opprettetDato", "opprettetAv",
               "avsluttetDato", "avsluttetAv", "arkivskaper", "arkivdel"],
              {"systemID", "tittel", "opprettetDato", "opprettetAv", "avsluttetDato", "avsluttetAv", "arkivskaper", "arkivdel"}),
    "arkivskaper": (["arkivskaperID", "arkivskaperNavn"], {"arkivskaperID", "arkivskaperNavn"}),
    "arkivdel": (["systemID", "tittel", "arkivdelstatus", "dokumentmedium", "opprettetDato", "opprettetAv", "avsluttetDato",
                  "avsluttetAv", "mappe"],
                 {"systemID", "tittel", "arkivdelstatus", "opprettetDato", "opprettetAv", "avsluttetDato", "avsluttetAv", "mappe"}),
    "mappe": (["systemID", "mappeID", "tittel", "offentligTittel", "noekkelord", "dokumentmedium", "opprettetDato",
               "opprettetAv", "avsluttetDato", "avsluttetAv", "registrering"],
              {"systemID", "mappeID", "tittel", "opprettetDato", "opprettetAv", "avsluttetDato", "avsluttetAv", "registrering"}),
    "registrering": (["systemID", "opprettetDato", "opprettetAv", "arkivertDato", "arkivertAv", "registreringsID", "tittel",
                      "offentligTittel", "forfatter", "dokumentmedium", "dokumentbeskrivelse"],
                     {"systemID", "opprettetDato", "opprettetAv", "arkivertDato", "arkivertAv", "tittel", "dokumentbeskrivelse"}),
    "dokumentbeskrivelse": (["systemID", "dokumenttype", "dokumentstatus", "tittel", "forfatter", "opprettetDato",
                             "opprettetAv", "dokumentmedium", "tilknyttetRegistreringSom", "dokumentnummer",
                             "tilknyttetDato", "tilknyttetAv", "dokumentobjekt"],
                            {"systemID", "dokumenttype", "dokumentstatus", "tittel", "opprettetDato", "opprettetAv",
                             "tilknyttetRegistreringSom", "dokumentnummer", "tilknyttetDato", "tilknyttetAv"}),
    "dokumentobjekt": (["systemID", "versjonsnummer", "variantformat", "format", "formatDetaljer", "opprettetDato",
                        "opprettetAv", "referanseDokumentfil", "sjekksum", "sjekksumAlgoritme", "filstoerrelse"],
                       {"systemID", "versjonsnummer", "variantformat", "format", "opprettetDato", "opprettetAv",
                        "referanseDokumentfil", "sjekksum", "sjekksumAlgoritme", "filstoerrelse"}),
}
DATETIME = {"opprettetDato", "avsluttetDato", "arkivertDato", "tilknyttetDato"}
INTEGER = {"versjonsnummer", "dokumentnummer", "filstoerrelse"}


@pytest.fixture
def closed_plan(shared_plan, users):
    c = users["coordinator"]
    services.plan_publish(actor=c, plan_id=shared_plan.pk, based_on_version=shared_plan.version, reason="Første versjon")
    shared_plan.refresh_from_db()
    services.plan_close(actor=c, plan_id=shared_plan.pk, based_on_version=shared_plan.version, reason="need_ended")
    shared_plan.refresh_from_db()
    return shared_plan


@pytest.fixture
def package(closed_plan, tmp_path):
    call_command("archive_export", out=str(tmp_path), username="ke")
    return tmp_path / f"ip-{closed_plan.pk}"


def _check_element(el, path="arkiv"):
    name = el.tag.removeprefix(NS)
    order, required = SPEC[name]
    children = [c.tag.removeprefix(NS) for c in el]
    assert set(children) <= set(order), f"{path}: unknown {set(children) - set(order)}"
    assert required <= set(children), f"{path}: missing {required - set(children)}"
    positions = [order.index(c) for c in children]
    assert positions == sorted(positions), f"{path}: out of order {children}"
    for child in el:
        cname = child.tag.removeprefix(NS)
        if cname in SPEC:
            _check_element(child, f"{path}/{cname}")
        else:
            assert (child.text or "").strip(), f"{path}/{cname} is empty"
            if cname in DATETIME:
                assert dt.datetime.fromisoformat(child.text).tzinfo is not None
            if cname in INTEGER:
                assert int(child.text) >= 0


def test_the_package_follows_the_written_element_list(package, closed_plan):
    root = ET.parse(package / "arkivstruktur.xml").getroot()
    assert root.tag == f"{NS}arkiv"
    _check_element(root)
    folders = root.findall(f"{NS}arkivdel/{NS}mappe")
    assert len(folders) == 1 and folders[0].findtext(f"{NS}mappeID") == f"IP-{closed_plan.pk}"
    # One registrering per document: the published version and the plan as closed.
    titles = [r.findtext(f"{NS}tittel") for r in folders[0].findall(f"{NS}registrering")]
    assert len(titles) == 2 and "versjon 1" in titles[0] and "avsluttet" in titles[1]
    ids = [e.text for e in root.iter(f"{NS}systemID")]
    assert len(ids) == len(set(ids))


def test_every_checksum_and_size_matches_its_file(package):
    root = ET.parse(package / "arkivstruktur.xml").getroot()
    objects = list(root.iter(f"{NS}dokumentobjekt"))
    assert objects
    referenced = set()
    for obj in objects:
        ref = obj.findtext(f"{NS}referanseDokumentfil")
        assert ref.startswith("DOKUMENT/")
        data = (package / ref).read_bytes()
        referenced.add(ref)
        assert obj.findtext(f"{NS}sjekksumAlgoritme") == "SHA-256"
        assert obj.findtext(f"{NS}sjekksum") == hashlib.sha256(data).hexdigest()
        assert int(obj.findtext(f"{NS}filstoerrelse")) == len(data)
        assert obj.findtext(f"{NS}format") and obj.findtext(f"{NS}variantformat") == "Arkivformat"
    assert {f"DOKUMENT/{p.name}" for p in (package / "DOKUMENT").iterdir()} == referenced


def _resolve(obj):
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _fonts(reader):
    for page in reader.pages:
        resources = _resolve(page.get("/Resources")) or {}
        fonts = _resolve(resources.get("/Font")) or {}
        for ref in fonts.values():
            font = _resolve(ref)
            yield font
            for descendant in _resolve(font.get("/DescendantFonts")) or []:
                yield _resolve(descendant)


def _all_keys(obj, seen=None):
    """Every dictionary key reachable from obj (for /JavaScript, /JS)."""
    seen = seen if seen is not None else set()
    if isinstance(obj, IndirectObject):
        if (obj.idnum, obj.generation) in seen:
            return
        seen.add((obj.idnum, obj.generation))
        obj = obj.get_object()
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield k
            if k not in ("/Parent", "/P"):
                yield from _all_keys(v, seen)
    elif isinstance(obj, list):
        for v in obj:
            yield from _all_keys(v, seen)


def test_the_pdfs_are_pdf_a_with_xmp_embedded_fonts_no_encryption_or_javascript(package, closed_plan, person):
    pdfs = sorted((package / "DOKUMENT").iterdir())
    assert len(pdfs) == 2
    for path in pdfs:
        data = path.read_bytes()
        reader = PdfReader(io.BytesIO(data))
        assert not reader.is_encrypted and "/Encrypt" not in reader.trailer
        root = reader.trailer["/Root"]
        xmp = _resolve(root["/Metadata"]).get_data().decode()
        assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
        assert "Individuell plan for" in xmp  # dc:title
        assert f"helhet-person:{person.pk}" in xmp and f"helhet-plan:{closed_plan.pk}" in xmp
        assert "xmp:CreateDate" in xmp
        assert person.national_id not in xmp and person.national_id not in data.decode("latin-1")
        intents = _resolve(root["/OutputIntents"])
        assert intents and _resolve(intents[0])["/S"] == "/GTS_PDFA1" and "/DestOutputProfile" in _resolve(intents[0])
        fonts = list(_fonts(reader))
        assert fonts
        for font in fonts:
            if font.get("/Subtype") == "/Type0":
                continue  # the descendant font carries the descriptor
            descriptor = _resolve(font["/FontDescriptor"])
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys()), font.get("/BaseFont")
        keys = set(_all_keys(root))
        assert not {"/JavaScript", "/JS"} & keys
        text = "".join(page.extract_text() for page in reader.pages)
        assert person.full_name in re.sub(r"\s+", " ", text)
        assert category_token("general") in text


def test_the_export_is_read_through_the_policy_and_audited(package, closed_plan, person, users):
    assert AuditEvent.objects.filter(person=person, actor=users["ke"], action="export").count() == 1
    assert AuditEvent.objects.filter(person=person, actor=users["ke"], action="view", object_type="individualplan").exists()


def test_an_actor_with_no_relationship_exports_nothing(closed_plan, tmp_path):
    call_command("archive_export", out=str(tmp_path), username="havbygd-ke")
    assert not list(tmp_path.iterdir())


def test_a_reader_who_does_not_see_the_whole_plan_gets_it_skipped(closed_plan, tmp_path, users, capsys):
    # NAV is in the plan group but no consent names it: it may read the plan, not all of it.
    call_command("archive_export", out=str(tmp_path), username=users["nav"].username)
    assert not list(tmp_path.iterdir())
    assert f"hoppet over plan {closed_plan.pk}" in capsys.readouterr().out


def test_since_leaves_out_plans_closed_before(closed_plan, tmp_path):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    call_command("archive_export", out=str(tmp_path), username="ke", since=tomorrow.isoformat())
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("options", [{"username": "ke", "since": "i går"}, {"username": "finnes-ikke"}])
def test_bad_options_are_a_clear_error(options, tmp_path, world):
    with pytest.raises(CommandError):
        call_command("archive_export", out=str(tmp_path), **options)
