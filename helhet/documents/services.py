"""Writes for the document area: generating letters. Views and the API call these and nothing else.

    decision_letter_create(*, actor, decision_id, language="nb") -> Document
        The decision letter (PDF/A) of a decision, in bokmål or nynorsk. Only the KE that handles the request
        (Action.CASE_HANDLE) generates it; whoever else may see the case gets 404 when it is not theirs. Idempotent:
        a letter already written for that decision and language is returned (the database's unique index turns a
        race into the same answer).
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


def decision_letter_create(*, actor, decision_id, language: str = "nb") -> Document:
    from helhet.cases.models import Decision

    if language not in letters.LANGUAGES:
        raise invalid("language", _("Velg bokmål eller nynorsk."))
    decision, _seen = load(actor, Decision, decision_id, Action.REQUEST_VIEW, person_of=lambda d: d.request.person,
                           queryset=Decision.objects.select_related("request__person", "request__organization", "decided_by"))
    why = check_object(actor, Action.CASE_HANDLE, decision.request, person=decision.request.person)
    existing = Document.objects.filter(decision=decision, language=language).first()
    if existing is not None:
        return existing
    person = decision.request.person
    pdf = letters.render_pdf("decision_letter", letters.decision_letter_context(decision, today=timezone.localdate()), language=language)
    doc = Document(person=person, kind=Document.Kind.DECISION_LETTER, language=language, decision=decision,
                   title=_("Vedtaksbrev %(date)s") % {"date": decision.decided_on.strftime("%d.%m.%Y")},
                   content_type="application/pdf", size=len(pdf), sha256=hashlib.sha256(pdf).hexdigest(), pdf_variant=letters.PDF_VARIANT,
                   created_by=actor)
    try:
        with transaction.atomic():
            doc.file.save(f"{decision.pk}-{language}.pdf", ContentFile(pdf), save=False)
            doc.save()
            record(actor=actor, action="create", obj=doc, person=person, reason=why, summary=gettext_noop("Laget vedtaksbrev (%(language)s)"),
                   params={"language": doc.get_language_display()}, detail={"decision": decision.pk, "sha256": doc.sha256})
    except IntegrityError:
        doc.file.delete(save=False)
        return Document.objects.get(decision=decision, language=language)
    return doc
