"""Writes for the document area: generating letters and storing scans. Views and the API call these and nothing else.

Every letter goes through one pipeline (letters.render -> store_letter): rendered as PDF/A, stored as an immutable
Document in the person's document area with its sha256, audited. One letter per source object, kind and language:
generating again returns the one already written (the database's unique index turns a race into the same answer).

    decision_letter_create(*, actor, decision_id, language="nb") -> Document
        The decision letter of a decision. Only the KE that handles the request (Action.CASE_HANDLE) generates it;
        whoever else may see the case gets 404 when it is not theirs.
    need_notification_receipt_create(*, actor, notification_id, language="nb") -> Document
        The receiving KE's receipt (kvittering) of a need notification, for the sender (Action.NEED_NOTIFICATION_RECEIVE
        on the person and NEED_NOTIFICATION_ACKNOWLEDGE on the notification, as acknowledging it).
    outside_letter_create(*, actor, kind, object_id, language="nb") -> Document
        The letter with the content of a need notification, transfer or information to partners sent to a municipality
        outside Helhet, for the sender (Action.OUTSIDE_ANSWER: the sender or its KE; for information to partners
        Action.PARTNERS_INFORM on the person). Made in bokmål automatically when the item is sent
        (directory.services.outside_send); this makes it again or in nynorsk.
    partner_information_letter(info, *, actor, why) -> Document
        The letter to one GP or partner, called by coordination.services.partners_inform inside its transaction after
        it checked Action.PARTNERS_INFORM (so it checks nothing itself).
    scan_store(*, actor, person, consent, data, content_type, title, why) -> Document
        A scanned paper consent, called by consent.services.consent_scan_attach after its checks.
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from helhet.access.policy import Action
from helhet.access.queries import check_object, load
from helhet.audit.services import record
from helhet.core.errors import invalid

from . import letters
from .models import Document


def _language(language: str) -> str:
    if language not in letters.LANGUAGES:
        raise invalid("language", _("Velg bokmål eller nynorsk."))
    return language


def _existing(*, kind, language, decision=None, source=None) -> Document | None:
    if decision is not None:
        return Document.objects.filter(decision=decision, language=language).first()
    source_type, source_id = source
    return Document.objects.filter(source_type=source_type, source_id=source_id, kind=kind, language=language).first()


def store_letter(*, actor, person, kind: str, language: str, title: str, pdf: bytes, why: str, decision=None, source=None,
                 summary: str, detail: dict | None = None) -> Document:
    """Store a rendered letter as the person's Document and record its creation. `source` = (model name, pk) of what it
    was made from (or `decision`). Idempotent per source, kind and language."""
    source_type, source_id = source if source else ("", None)
    doc = Document(person=person, kind=kind, language=language, decision=decision, source_type=source_type, source_id=source_id,
                   title=title[:200], content_type="application/pdf", size=len(pdf), sha256=hashlib.sha256(pdf).hexdigest(),
                   pdf_variant=letters.PDF_VARIANT, created_by=actor)
    try:
        with transaction.atomic():
            doc.file.save(f"{kind}-{language}.pdf", ContentFile(pdf), save=False)
            doc.save()
            record(actor=actor, action="create", obj=doc, person=person, reason=why, summary=summary,
                   params={"language": doc.get_language_display()}, detail={**(detail or {}), "sha256": doc.sha256})
    except IntegrityError:
        doc.file.delete(save=False)
        return _existing(kind=kind, language=language, decision=decision, source=source)
    return doc


def _letter(*, actor, obj, person, kind: str, language: str, title: str, why: str, summary: str, decision=None, source=None,
            detail=None) -> Document:
    existing = _existing(kind=kind, language=language, decision=decision, source=source)
    if existing is not None:
        return existing
    pdf = letters.render(kind, obj, language=language, today=timezone.localdate())
    return store_letter(actor=actor, person=person, kind=kind, language=language, title=title, pdf=pdf, why=why, decision=decision,
                        source=source, summary=summary, detail=detail)


def decision_letter_create(*, actor, decision_id, language: str = "nb") -> Document:
    from helhet.cases.models import Decision

    language = _language(language)
    decision, _seen = load(actor, Decision, decision_id, Action.REQUEST_VIEW, person_of=lambda d: d.request.person,
                           queryset=Decision.objects.select_related("request__person", "request__organization", "decided_by"))
    why = check_object(actor, Action.CASE_HANDLE, decision.request, person=decision.request.person)
    return _letter(actor=actor, obj=decision, person=decision.request.person, kind=Document.Kind.DECISION_LETTER, language=language,
                   decision=decision, why=why, title=_("Vedtaksbrev %(date)s") % {"date": decision.decided_on.strftime("%d.%m.%Y")},
                   summary=gettext_noop("Laget vedtaksbrev (%(language)s)"), detail={"decision": decision.pk})


def partner_information_letter(info, *, actor, why: str, language: str = "nb") -> Document:
    """The letter to one recipient of coordination.PartnerInformation (method 'letter'). The caller checked access."""
    return _letter(actor=actor, obj=info, person=info.person, kind=Document.Kind.PARTNER_INFORMATION, language=language,
                   source=("partnerinformation", info.pk), why=why,
                   title=_("Brev til %(unit)s: %(event)s") % {"unit": info.recipient_unit.name, "event": info.get_event_display()},
                   summary=gettext_noop("Laget brev til fastlege/samarbeidspartner (%(language)s)"), detail={"partner_information": info.pk})


def need_notification_receipt_create(*, actor, notification_id, language: str = "nb") -> Document:
    from helhet.coordination.models import NeedNotification
    from helhet.core.errors import Conflict

    language = _language(language)
    n, why = load(actor, NeedNotification, notification_id, Action.NEED_NOTIFICATION_RECEIVE, object_action=Action.NEED_NOTIFICATION_ACKNOWLEDGE,
                  queryset=NeedNotification.objects.select_related("person", "to_organization", "to_unit", "from_organization", "from_unit",
                                                                   "acknowledged_by"))
    if n.is_outside:
        raise Conflict("not_accepted", _("Meldingen ble sendt før kommunen tok i bruk Helhet. Ta den inn i innboksen først."))
    return _letter(actor=actor, obj=n, person=n.person, kind=Document.Kind.NEED_NOTIFICATION_RECEIPT, language=language,
                   source=("neednotification", n.pk), why=why,
                   title=_("Kvittering for melding om behov %(date)s") % {"date": n.sent_on.strftime("%d.%m.%Y")},
                   summary=gettext_noop("Laget kvittering for melding om behov (%(language)s)"), detail={"need_notification": n.pk})


def outside_letter(item, *, actor, why: str, language: str = "nb") -> Document:
    """The letter for an item sent to a municipality outside Helhet. The caller checked access (sending it)."""
    model = item._meta.model_name
    what = {"neednotification": _("Melding om behov"), "partnerinformation": _("Informasjon til samarbeidspartnere")}.get(model, _("Overføring"))
    return _letter(actor=actor, obj=item, person=item.person, kind=Document.Kind.OUTSIDE_LETTER, language=language,
                   source=(model, item.pk), why=why,
                   title=_("%(what)s til %(municipality)s kommune, referanse %(ref)s") % {
                       "what": what, "municipality": item.to_municipality.name, "ref": item.outside_reference},
                   summary=gettext_noop("Laget brev til kommune utenfor Helhet (%(language)s)"), detail={model: item.pk})


def outside_letter_create(*, actor, kind: str, object_id, language: str = "nb") -> Document:
    from helhet.coordination.models import NeedNotification, PartnerInformation, Transfer
    from helhet.core.errors import Conflict

    language = _language(language)
    model = {"need_notification": NeedNotification, "transfer": Transfer, "partner_information": PartnerInformation}.get(kind)
    if model is None:
        raise invalid("kind", _("Ukjent type."))
    if model is PartnerInformation:  # whoever may inform the person's partners (it has no sender relationship of its own)
        item, why = load(actor, model, object_id, Action.PARTNERS_INFORM, queryset=model.objects.select_related("person", "to_municipality", "sent_by"))
    else:
        item, why = load(actor, model, object_id, None, person_of=None, object_action=Action.OUTSIDE_ANSWER,
                         queryset=model.objects.select_related("person", "to_municipality", "from_organization"))
    if item.to_municipality_id is None or not item.outside_reference:
        raise Conflict("not_outside", _("Mottakeren bruker Helhet; det lages ikke brev."))
    return outside_letter(item, actor=actor, why=why, language=language)


def scan_store(*, actor, person, consent, data: bytes, content_type: str, title: str, why: str) -> Document:
    """Store a scanned consent (already checked and sniffed by the caller) in the person's document area."""
    doc = Document(person=person, kind=Document.Kind.SCANNED_CONSENT, language=Document.Language.NB, consent=consent, title=title[:200],
                   content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(), created_by=actor)
    with transaction.atomic():
        doc.file.save("scan", ContentFile(data), save=False)
        try:
            doc.save()
            record(actor=actor, action="create", obj=doc, person=person, reason=why, summary=gettext_noop("La ved skannet samtykke"),
                   detail={"consent": consent.pk, "sha256": doc.sha256, "content_type": content_type, "size": len(data)})
        except Exception:
            doc.file.delete(save=False)
            raise
    return doc
