"""The archive copy: a plan as PDF/A, and a Noark 5 style package per closed plan (manage.py archive_export).

PDF: the plan's print view (helhet/plans: plans/_header.html and plans/_section.html over the plan document that
helhet.plans.selectors gives the actor), rendered by helhet.documents.letters.render_pdf (WeasyPrint, PDF/A-3b) with
the template interop/archive/_plan.html, whose <head> gives the XMP metadata: title, the Helhet references of the plan
and the person (never a national id), the creation date.

Package (docs/archive.md lists the elements and the source, Noark 5 versjon 5.0): per closed plan a directory
`ip-<plan id>/` with `arkivstruktur.xml` (arkiv -> arkivskaper, arkivdel -> mappe (the plan) -> registrering (one per
document) -> dokumentbeskrivelse -> dokumentobjekt with SHA-256 sjekksum and filstoerrelse) and `DOKUMENT/` with the
PDF/A files: every published version and the plan as it was closed.

Access: every read goes through the plan selectors (the one policy, a 'view' event each) and the export writes an
'export' event per plan. A plan is archived only when the actor sees all of it (no consent-restricted copy is ever
archived as if it were the plan); others are skipped and reported.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import uuid
from pathlib import Path
from xml.etree import ElementTree as ET

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

NS = "http://www.arkivverket.no/standarder/noark5/arkivstruktur"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# systemID: stable UUIDs (uuid5) per object, so a re-export of the same plan gives the same identifiers.
_UUID_NS = uuid.UUID("6f1c7a52-61a2-4d0e-9a4a-1b2c3d4e5f60")
PDF_FORMAT = "fmt/480"  # PRONOM: PDF/A-3b *check* against the format list the receiving archive requires
PDF_FORMAT_DETAILS = "PDF/A-3b (ISO 19005-3:2012)"
CHECKSUM_ALGORITHM = "SHA-256"
DOCUMENT_DIR = "DOKUMENT"  # Riksarkivarens forskrift § 5-31 b: the document files under DOKUMENT/

# The element order of each level, as written (docs/archive.md; Noark 5 v5.0, vedlegg 2 "Metadata gruppert på
# objekter"). Elements marked optional there and left out here are listed in the docs.
ELEMENTS: dict[str, tuple[str, ...]] = {
    "arkiv": ("systemID", "tittel", "beskrivelse", "arkivstatus", "dokumentmedium", "opprettetDato", "opprettetAv",
              "avsluttetDato", "avsluttetAv", "arkivskaper", "arkivdel"),
    "arkivskaper": ("arkivskaperID", "arkivskaperNavn"),
    "arkivdel": ("systemID", "tittel", "arkivdelstatus", "dokumentmedium", "opprettetDato", "opprettetAv", "avsluttetDato",
                 "avsluttetAv", "mappe"),
    "mappe": ("systemID", "mappeID", "tittel", "offentligTittel", "noekkelord", "dokumentmedium", "opprettetDato",
              "opprettetAv", "avsluttetDato", "avsluttetAv", "registrering"),
    "registrering": ("systemID", "opprettetDato", "opprettetAv", "arkivertDato", "arkivertAv", "registreringsID", "tittel",
                     "offentligTittel", "forfatter", "dokumentmedium", "dokumentbeskrivelse"),
    "dokumentbeskrivelse": ("systemID", "dokumenttype", "dokumentstatus", "tittel", "forfatter", "opprettetDato",
                            "opprettetAv", "dokumentmedium", "tilknyttetRegistreringSom", "dokumentnummer",
                            "tilknyttetDato", "tilknyttetAv", "dokumentobjekt"),
    "dokumentobjekt": ("systemID", "versjonsnummer", "variantformat", "format", "formatDetaljer", "opprettetDato",
                       "opprettetAv", "referanseDokumentfil", "sjekksum", "sjekksumAlgoritme", "filstoerrelse"),
}


def _sid(*parts) -> str:
    return str(uuid.uuid5(_UUID_NS, "/".join(str(p) for p in parts)))


def _dt(value) -> str:
    """Noark 'Dato og klokkeslett': xs:dateTime with the zone."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(0, 0), tzinfo=timezone.get_current_timezone())
    return timezone.localtime(value).isoformat(timespec="seconds")


# ---------------------------------------------------------------- the PDF


def _print_context(doc: dict) -> dict:
    """The plan document as the print view gives it to its templates (helhet.plans.views.plan_print)."""
    from helhet.plans.views import SECTION_ORDER, _dates

    plan = _dates(doc)
    plan["may_edit"] = plan["may_publish"] = plan["may_close"] = plan["may_reopen"] = False  # paper has no buttons
    plan["is_closed"] = plan.get("status") == "closed"
    return {"plan": plan, "sections": SECTION_ORDER}


def plan_pdf(doc: dict, *, kind_label: str, reference: str, created: dt.datetime, language: str = "nb") -> bytes:
    """The plan document `doc` (from the plan selectors) as PDF/A bytes."""
    from helhet.documents.letters import render_pdf

    created = timezone.localtime(created)
    person = doc["person"]
    context = {
        **_print_context(doc),
        "title": _("Individuell plan for %(name)s – %(kind)s") % {"name": person["name"], "kind": kind_label},
        "author": doc.get("main_responsibility", {}).get("unit", "Helhet"),
        "description": reference,
        # The references a reader of the archive needs to find the plan in Helhet: ids, never the national id.
        "keywords": f"individuell plan, helhet-plan:{doc['id']}, helhet-person:{person['id']}",
        "created": created.isoformat(timespec="seconds"),
        "created_display": created.strftime("%d.%m.%Y %H:%M"),
        "kind_label": kind_label,
        "reference": reference,
    }
    return render_pdf("plan_archive", context, language=language)


# ---------------------------------------------------------------- the package


@dataclasses.dataclass
class ArchiveDocument:
    title: str
    author: str
    created: dt.datetime
    filename: str
    content: bytes


@dataclasses.dataclass
class ExportResult:
    written: list[Path] = dataclasses.field(default_factory=list)
    skipped: list[tuple[int, str]] = dataclasses.field(default_factory=list)


def _plan_documents(actor, plan, *, language: str, now) -> tuple[dict, list[ArchiveDocument]] | None:
    """The closed plan and each published version, read through the plan selectors; None unless the actor sees all."""
    from helhet.plans.selectors import plan_document, plan_version, plan_versions

    doc = plan_document(actor=actor, plan_id=plan.pk)
    if "restricted" in doc:
        return None
    out = []
    for meta in sorted(plan_versions(actor=actor, plan_id=plan.pk), key=lambda v: v["number"]):
        version = plan_version(actor=actor, plan_id=plan.pk, number=meta["number"])
        snapshot = {**version["snapshot"], "id": plan.pk, "published_number": meta["number"]}
        if "restricted" in snapshot:
            return None
        label = _("publisert versjon %(n)s") % {"n": meta["number"]}
        published = version.get("published_at") or meta.get("published_at")
        out.append(ArchiveDocument(
            title=_("Individuell plan, versjon %(n)s") % {"n": meta["number"]},
            author=str(version.get("author") or meta.get("author") or ""),
            created=dt.datetime.fromisoformat(published) if isinstance(published, str) else (published or now),
            filename=f"ip-{plan.pk}-versjon-{meta['number']}.pdf",
            content=plan_pdf(snapshot, kind_label=label, reference=f"IP-{plan.pk} v{meta['number']}", created=now,
                             language=language),
        ))
    out.append(ArchiveDocument(
        title=_("Individuell plan, avsluttet %(d)s") % {"d": plan.closed_on.strftime("%d.%m.%Y") if plan.closed_on else ""},
        author=doc.get("main_responsibility", {}).get("unit", ""),
        created=now,
        filename=f"ip-{plan.pk}-avsluttet.pdf",
        content=plan_pdf(doc, kind_label=_("avsluttet plan"), reference=f"IP-{plan.pk}", created=now, language=language),
    ))
    return doc, out


def _sub(parent, name: str, text=None):
    el = ET.SubElement(parent, f"{{{NS}}}{name}")
    if text is not None:
        el.text = str(text)
    return el


def arkivstruktur(*, plan, doc: dict, documents: list[ArchiveDocument], organization, actor_name: str, now) -> bytes:
    """arkivstruktur.xml for one closed plan, in ELEMENTS order."""
    ET.register_namespace("", NS)  # one registry per process: the statistics charts do not depend on it (charts.py)
    ET.register_namespace("xsi", XSI)
    stamp = _dt(now)
    root = ET.Element(f"{{{NS}}}arkiv")
    root.set(f"{{{XSI}}}schemaLocation", f"{NS} arkivstruktur.xsd")
    _sub(root, "systemID", _sid("arkiv", organization.pk if organization else 0))
    _sub(root, "tittel", _("Individuelle planer – %(org)s") % {"org": organization.name if organization else "Helhet"})
    _sub(root, "beskrivelse", _("Arkivkopi fra Helhet av avsluttede individuelle planer."))
    _sub(root, "arkivstatus", "Avsluttet")
    _sub(root, "dokumentmedium", "Elektronisk arkiv")
    _sub(root, "opprettetDato", stamp)
    _sub(root, "opprettetAv", actor_name)
    _sub(root, "avsluttetDato", stamp)
    _sub(root, "avsluttetAv", actor_name)
    creator = _sub(root, "arkivskaper")
    _sub(creator, "arkivskaperID", organization.org_number if organization else "")
    _sub(creator, "arkivskaperNavn", organization.name if organization else "")
    part = _sub(root, "arkivdel")
    _sub(part, "systemID", _sid("arkivdel", organization.pk if organization else 0, "individuelle-planer"))
    _sub(part, "tittel", _("Individuelle planer"))
    _sub(part, "arkivdelstatus", "Avsluttet periode")
    _sub(part, "dokumentmedium", "Elektronisk arkiv")
    _sub(part, "opprettetDato", stamp)
    _sub(part, "opprettetAv", actor_name)
    _sub(part, "avsluttetDato", stamp)
    _sub(part, "avsluttetAv", actor_name)
    folder = _sub(part, "mappe")
    _sub(folder, "systemID", _sid("mappe", plan.pk))
    _sub(folder, "mappeID", f"IP-{plan.pk}")
    _sub(folder, "tittel", _("Individuell plan for %(name)s") % {"name": doc["person"]["name"]})
    _sub(folder, "offentligTittel", _("Individuell plan for *****"))
    _sub(folder, "noekkelord", "individuell plan")
    _sub(folder, "dokumentmedium", "Elektronisk arkiv")
    _sub(folder, "opprettetDato", _dt(plan.created_at))
    _sub(folder, "opprettetAv", doc.get("main_responsibility", {}).get("unit", "Helhet"))
    _sub(folder, "avsluttetDato", _dt(plan.closed_on or now))
    _sub(folder, "avsluttetAv", doc.get("main_responsibility", {}).get("unit", "Helhet"))
    for n, d in enumerate(documents, start=1):
        reg = _sub(folder, "registrering")
        _sub(reg, "systemID", _sid("registrering", plan.pk, d.filename))
        _sub(reg, "opprettetDato", _dt(d.created))
        _sub(reg, "opprettetAv", d.author or "Helhet")
        _sub(reg, "arkivertDato", stamp)
        _sub(reg, "arkivertAv", actor_name)
        _sub(reg, "registreringsID", f"IP-{plan.pk}-{n}")
        _sub(reg, "tittel", d.title)
        _sub(reg, "offentligTittel", d.title)
        if d.author:
            _sub(reg, "forfatter", d.author)
        _sub(reg, "dokumentmedium", "Elektronisk arkiv")
        desc = _sub(reg, "dokumentbeskrivelse")
        _sub(desc, "systemID", _sid("dokumentbeskrivelse", plan.pk, d.filename))
        _sub(desc, "dokumenttype", "Individuell plan")
        _sub(desc, "dokumentstatus", "Dokumentet er ferdigstilt")
        _sub(desc, "tittel", d.title)
        if d.author:
            _sub(desc, "forfatter", d.author)
        _sub(desc, "opprettetDato", _dt(d.created))
        _sub(desc, "opprettetAv", d.author or "Helhet")
        _sub(desc, "dokumentmedium", "Elektronisk arkiv")
        _sub(desc, "tilknyttetRegistreringSom", "Hoveddokument")
        _sub(desc, "dokumentnummer", 1)
        _sub(desc, "tilknyttetDato", stamp)
        _sub(desc, "tilknyttetAv", actor_name)
        obj = _sub(desc, "dokumentobjekt")
        _sub(obj, "systemID", _sid("dokumentobjekt", plan.pk, d.filename))
        _sub(obj, "versjonsnummer", 1)
        _sub(obj, "variantformat", "Arkivformat")
        _sub(obj, "format", PDF_FORMAT)
        _sub(obj, "formatDetaljer", PDF_FORMAT_DETAILS)
        _sub(obj, "opprettetDato", stamp)
        _sub(obj, "opprettetAv", actor_name)
        _sub(obj, "referanseDokumentfil", f"{DOCUMENT_DIR}/{d.filename}")
        _sub(obj, "sjekksum", hashlib.sha256(d.content).hexdigest())
        _sub(obj, "sjekksumAlgoritme", CHECKSUM_ALGORITHM)
        _sub(obj, "filstoerrelse", len(d.content))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def closed_plans_for(actor, *, since: dt.date | None = None):
    """The closed plans of the persons the policy lets `actor` see plans of (the candidates; each is read again)."""
    from helhet.access.policy import Action
    from helhet.access.queries import visible_persons_q
    from helhet.people.models import Person
    from helhet.plans.models import IndividualPlan

    persons = Person.objects.filter(visible_persons_q(actor, action=Action.PLAN_VIEW)).values("pk")
    plans = IndividualPlan.objects.filter(status=IndividualPlan.Status.CLOSED, person__in=persons)
    if since is not None:
        plans = plans.filter(closed_on__gte=since)
    return plans.select_related("person").order_by("closed_on", "pk")


def export(*, actor, out: Path, since: dt.date | None = None, language: str = "nb", now=None) -> ExportResult:
    """Write one package per closed plan the actor may read in full under `out` (module docstring)."""
    from django.db import transaction

    from helhet.access.queries import primary_organization
    from helhet.audit.services import record
    from helhet.core.errors import NotFound

    now = now or timezone.now()
    result = ExportResult()
    organization = primary_organization(actor)
    actor_name = actor.get_full_name() or actor.username
    for plan in closed_plans_for(actor, since=since):
        try:
            with transaction.atomic():
                found = _plan_documents(actor, plan, language=language, now=now)
                if found is None:
                    result.skipped.append((plan.pk, _("du ser ikke hele planen (samtykket omfatter deg ikke)")))
                    continue
                doc, documents = found
                folder = out / f"ip-{plan.pk}"
                (folder / DOCUMENT_DIR).mkdir(parents=True, exist_ok=True)
                for d in documents:
                    (folder / DOCUMENT_DIR / d.filename).write_bytes(d.content)
                xml = arkivstruktur(plan=plan, doc=doc, documents=documents, organization=organization,
                                    actor_name=actor_name, now=now)
                (folder / "arkivstruktur.xml").write_bytes(xml)
                record(actor=actor, action="export", obj=plan, person=plan.person, reason="archive",
                       summary=gettext_noop("Eksporterte planen til arkivet (%(n)s dokumenter)"), params={"n": len(documents)})
                result.written.append(folder)
        except NotFound:
            result.skipped.append((plan.pk, _("ingen tilgang")))
    return result
