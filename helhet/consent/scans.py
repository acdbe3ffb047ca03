"""Scanned paper consent (issue 11: "scanned paper consent uploaded and attached to its consent record").

    consent_scan_attach(*, actor, consent_id, upload) -> documents.Document
        Attach a scan (PDF, JPEG or PNG, at most settings.HELHET_SCAN_MAX_BYTES) to a consent record. Whoever may record
        the person's consents (Action.CONSENT_RECORD) may attach one; anyone else gets 404 and a 'denied' event. The
        type is sniffed from the file's first bytes, never taken from the browser's Content-Type or the file name; any
        other file is refused with a Norwegian message. The file is kept in the person's document area (kind
        scanned_consent, linked to the consent) and served only through the access policy (document.view), logged.
    consent_detail(*, actor, consent_id) -> dict
        The consent's page: the record, its scans (those the reader may open) and whether the reader may attach one.
        Readers who do not see the consent (person_access.sees_consent) get 404 and a 'denied' event.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from helhet.access.policy import DOCUMENT_FIELDS, Action, Field
from helhet.access.queries import deny, load, may, person_access
from helhet.audit.services import record
from helhet.core.errors import invalid

from .models import Consent

DEFAULT_MAX_BYTES = 10 * 1024 * 1024  # a scanned A4 page or three; settings.HELHET_SCAN_MAX_BYTES overrides

# The magic numbers of the formats a scanner produces (the first bytes of the file).
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def max_bytes() -> int:
    return int(getattr(settings, "HELHET_SCAN_MAX_BYTES", DEFAULT_MAX_BYTES))


def sniff(head: bytes) -> str | None:
    """The content type of a file from its first bytes, or None when it is none of PDF, JPEG, PNG."""
    for magic, content_type in SIGNATURES:
        if head.startswith(magic):
            return content_type
    return None


def _read(upload) -> bytes:
    """The upload's bytes (an UploadedFile, a file object or bytes), refusing more than max_bytes() without reading it all."""
    limit = max_bytes()
    if upload is None:
        raise invalid("file", _("Velg en fil med det skannede samtykket."))
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        size = getattr(upload, "size", None)
        if size is not None and size > limit:
            raise _too_big(limit)
        data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_big(limit)
    if not data:
        raise invalid("file", _("Filen er tom."))
    return data


def _too_big(limit: int):
    return invalid("file", _("Filen er for stor. Største tillatte størrelse er %(mb)s MB.") % {"mb": limit // (1024 * 1024)})


def consent_scan_attach(*, actor, consent_id, upload):
    from helhet.documents.services import scan_store

    consent, why = load(actor, Consent, consent_id, Action.CONSENT_RECORD, queryset=Consent.objects.select_related("person"))
    data = _read(upload)
    content_type = sniff(data[:16])
    if content_type is None:
        raise invalid("file", _("Filen må være en PDF, JPEG eller PNG. Andre filtyper kan ikke lastes opp."))
    title = _("Skannet samtykke: %(kind)s, %(day)s") % {"kind": consent.get_kind_display(), "day": consent.given_on.strftime("%d.%m.%Y")}
    return scan_store(actor=actor, person=consent.person, consent=consent, data=data, content_type=content_type, title=title, why=why)


def consent_detail(*, actor, consent_id) -> dict:
    from helhet.documents.selectors import consent_scans

    consent, why = load(actor, Consent, consent_id, Action.PERSON_VIEW,
                        queryset=Consent.objects.select_related("person", "given_by_relative", "recorded_by", "withdrawn_by"))
    person = consent.person
    access = person_access(actor, person)
    if not access.sees_consent(consent):
        deny(actor, Action.PERSON_VIEW, obj=consent, person=person)
    scans, hidden = [], 0
    all_scans = consent_scans(consent)
    if all_scans:
        opens = may(actor, Action.DOCUMENT_VIEW, person) and access.sees(DOCUMENT_FIELDS.get("scanned_consent", Field.CASE))
        scans, hidden = (all_scans, 0) if opens else ([], len(all_scans))
    record(actor=actor, action="view", obj=consent, person=person, reason=why, summary=gettext_noop("Så samtykke"))
    return {"consent": consent, "person": person, "scans": scans, "hidden": hidden,
            "may_attach": may(actor, Action.CONSENT_RECORD, person), "max_mb": max_bytes() // (1024 * 1024)}

