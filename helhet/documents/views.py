"""Browser pages of the document area: thin, calling selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from helhet.core.errors import DomainError
from helhet.core.paging import offset_page

from . import selectors, services
from .models import EXTENSIONS


@login_required
@require_GET
def person_documents(request, person_id: int):
    person, documents, hidden = selectors.person_documents(actor=request.user, person_id=person_id)
    return render(request, "documents/person_documents.html", {"person": person, "documents": offset_page(documents, request.GET), "hidden": hidden})


@login_required
@require_GET
def document_file(request, pk: int):
    doc, handle = selectors.document_file(actor=request.user, document_id=pk)
    response = FileResponse(handle, as_attachment=request.GET.get("last_ned") == "1", filename=f"{doc.get_kind_display()}-{doc.pk}.{EXTENSIONS.get(doc.content_type, 'pdf')}",
                            content_type=doc.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def decision_letter(request, decision_id: int):
    """Make (or fetch) the decision letter in the chosen language and open it."""
    language = request.POST.get("language", "nb")
    try:
        doc = services.decision_letter_create(actor=request.user, decision_id=decision_id, language=language)
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
        target = request.POST.get("next", "")
        safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
        return redirect(target if safe and target else "home")
    messages.success(request, _("Vedtaksbrevet er lagret i personens dokumenter."))
    return redirect("document_file", pk=doc.pk)
