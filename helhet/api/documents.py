"""The document area's API: list a person's documents, fetch one (PDF/A), make a decision letter. Thin: every
decision is in helhet.documents' selectors and services (through the access policy)."""

from __future__ import annotations

import datetime as dt

from django.http import FileResponse
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from helhet.documents import selectors, services

from .schemas import file_response

PREFIX = "/documents"
router = Router(tags=["documents"])


class DocumentOut(Schema):
    id: int
    person_id: int
    kind: str
    title: str
    language: str
    decision_id: int | None = None
    content_type: str
    size: int
    sha256: str
    pdf_variant: str
    created_at: dt.datetime


class DecisionLetterIn(Schema):
    decision_id: int
    language: str = "nb"


@router.get("/person/{person_id}", response=list[DocumentOut])
def person_documents(request, person_id: int):
    _person, documents, _hidden = selectors.person_documents(actor=request.user, person_id=person_id)
    return documents


@router.get("/{document_id}/file", openapi_extra=file_response("The letter (PDF/A).", "application/pdf"))
def document_file(request, document_id: int):
    doc, handle = selectors.document_file(actor=request.user, document_id=document_id)
    response = FileResponse(handle, as_attachment=True, filename=f"dokument-{doc.pk}.pdf", content_type=doc.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@router.post("/decision-letters", response={201: DocumentOut})
def decision_letter_create(request, payload: DecisionLetterIn):
    return 201, services.decision_letter_create(actor=request.user, **payload.dict())


# --- letters made from coordination objects, and scanned consent (helhet.documents.services, helhet.consent.scans) ---


class ReceiptIn(Schema):
    notification_id: int
    language: str = "nb"


@router.post("/need-notification-receipts", response={201: DocumentOut})
def need_notification_receipt_create(request, payload: ReceiptIn):
    """The receiving KE's receipt letter (kvittering) of a need notification, for the sender."""
    return 201, services.need_notification_receipt_create(actor=request.user, **payload.dict())


@router.post("/consent-scans/{consent_id}", response={201: DocumentOut})
def consent_scan_upload(request, consent_id: int, file: UploadedFile = File(...)):  # noqa: B008 (ninja's File marker)
    """Attach a scanned paper consent (PDF, JPEG or PNG; the type is sniffed from the content, the size limited)."""
    from helhet.consent import scans

    return 201, scans.consent_scan_attach(actor=request.user, consent_id=consent_id, upload=file)
