"""Reads of the document area. Every read goes through the access policy and is audited.

    person_documents(*, actor, person_id) -> (person, [Document], hidden: int)
        The documents of the person the actor may see (Action.DOCUMENT_VIEW on the person, then each document by the
        record's field rules, policy.DOCUMENT_FIELDS). `hidden`: how many were held back (the page says so).
    document_file(*, actor, document_id) -> (Document, file handle)
        One document's bytes; outsiders and readers the field rules do not open it to get 404 and a 'denied' event.
    letters_for(source_type, source_ids) -> {source_id: [Document]}
        The letters made from coordination objects, for the pages that list those objects (a link, not a read: opening
        one is document_file). The caller has already loaded the objects through the access policy.
    consent_scans(consent) -> [Document]
        The scans attached to a consent record (the caller loaded the consent through the access policy).
    document_detail(*, actor, document_id) -> Document
        One document's metadata (FHIR DocumentReference), by the same rules as document_file; audited.
    documents_if_allowed(*, actor, person_id) -> [Document]
        person_documents for a reader the policy lets see the document area, else [] (no refusal: FHIR's
        DocumentReference search also lists sub-plans, which such a reader may see).
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from helhet.access.policy import DOCUMENT_FIELDS, Action, Field
from helhet.access.queries import deny, get_person, load, may, person_access
from helhet.audit.services import record
from helhet.core.errors import NotFound

from .models import Document


def _field(doc: Document) -> Field:
    return DOCUMENT_FIELDS.get(doc.kind, Field.CASE)


def person_documents(*, actor, person_id):
    person, why = get_person(actor, person_id, action=Action.DOCUMENT_VIEW)
    access = person_access(actor, person)
    docs = list(Document.objects.filter(person=person).select_related("created_by"))
    shown = [d for d in docs if access.sees(_field(d))]
    hidden = len(docs) - len(shown)
    record(actor=actor, action="view", object_type="document", object_id="list", person=person, reason=why,
           summary=gettext_noop("Så personens dokumenter"), withheld=[Field.CASE.value] if hidden else None)
    return person, shown, hidden


def document_file(*, actor, document_id):
    doc, why = load(actor, Document, document_id, Action.DOCUMENT_VIEW, queryset=Document.objects.select_related("person"))
    if not person_access(actor, doc.person).sees(_field(doc)):
        deny(actor, Action.DOCUMENT_VIEW, obj=doc, person=doc.person)
    try:
        handle = doc.file.storage.open(doc.file.name, "rb")
    except FileNotFoundError:
        raise NotFound() from None
    record(actor=actor, action="view", obj=doc, person=doc.person, reason=why, summary=gettext_noop("Åpnet dokument: %(title)s"),
           params={"title": doc.title})
    return doc, handle


def letters_for(source_type: str, source_ids) -> dict[int, list[Document]]:
    out: dict[int, list[Document]] = {}
    ids = [i for i in source_ids if i is not None]
    if not ids:
        return out
    for doc in Document.objects.filter(source_type=source_type, source_id__in=ids).order_by("language", "id"):
        out.setdefault(doc.source_id, []).append(doc)
    return out


def consent_scans(consent) -> list[Document]:
    return list(Document.objects.filter(consent=consent, kind=Document.Kind.SCANNED_CONSENT).select_related("created_by"))


def document_detail(*, actor, document_id) -> Document:
    doc, why = load(actor, Document, document_id, Action.DOCUMENT_VIEW, queryset=Document.objects.select_related("person", "created_by"))
    if not person_access(actor, doc.person).sees(_field(doc)):
        deny(actor, Action.DOCUMENT_VIEW, obj=doc, person=doc.person)
    record(actor=actor, action="view", obj=doc, person=doc.person, reason=why, summary=gettext_noop("Så dokument: %(title)s"),
           params={"title": doc.title})
    return doc


def documents_if_allowed(*, actor, person_id) -> list[Document]:
    person, _why = get_person(actor, person_id)
    if not may(actor, Action.DOCUMENT_VIEW, person):
        return []
    return person_documents(actor=actor, person_id=person_id)[1]
