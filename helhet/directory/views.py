"""Browser views for the directory: the list, a KE's own entry, items sent before the municipality joined, the
sender's record of an answer from outside Helhet, and the KE's training register. Thin: parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhet.access.policy import Action
from helhet.access.queries import check_role, load, may_object, organizations
from helhet.coordination.models import NeedNotification
from helhet.core.errors import DomainError, NotFound
from helhet.core.forms import form_page
from helhet.core.paging import offset_page

from . import selectors, services
from .forms import ContactForm, OutsideAnswerForm, TrainingForm
from .models import Municipality

FORM_PAGE = "people/_form_page.html"


def _data(request):
    return request.POST if request.method == "POST" else None


@login_required
@require_GET
def directory_list(request):
    check_role(request.user, Action.DIRECTORY_VIEW)
    search = (request.GET.get("q") or "").strip()[:100]
    rows = offset_page(selectors.directory_list(search=search, on=timezone.localdate()), request.GET)
    editable = {m.pk for m in rows if may_object(request.user, Action.DIRECTORY_EDIT, m)}
    return render(request, "directory/list.html", {"rows": rows, "q": search, "editable": editable})


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request, pk: int):
    municipality, _why = load(request.user, Municipality, pk, None, person_of=None, object_action=Action.DIRECTORY_EDIT)
    contact = selectors.contact_for(municipality)
    initial = {f: getattr(contact, f) for f in services.CONTACT_FIELDS} if contact else {}
    form = ContactForm(_data(request), initial=initial)
    return form_page(request, form=form, template=FORM_PAGE,
                     context={"title": _("Koordinerende enhet i %(name)s") % {"name": municipality},
                              "intro": _("Opplysningene vises for sykehus og kommuner som skal nå dere. Når du lagrer, regnes de som "
                                         "kontrollert og blir ikke overskrevet av oppdateringer av kommuneregisteret."),
                              "cancel_url": reverse("directory_list")},
                     run=lambda cd: services.contact_update(actor=request.user, municipality_id=municipality.pk, **cd),
                     success=lambda _c: reverse("directory_list") + f"?q={municipality.number}", message=_("Oppføringen er lagret."))


@login_required
@require_GET
def outside_list(request):
    check_role(request.user, Action.COORDINATION_INBOX)
    # One table, oldest first (what waited longest on top), paged in the database: a Page of (kind, day, item).
    return render(request, "directory/outside.html", {"items": services.outside_open(actor=request.user, params=request.GET)})


@login_required
@require_POST
def outside_accept(request, kind: str, pk: int):
    try:
        item = services.outside_accept(actor=request.user, kind=kind, object_id=pk)
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
        return redirect("directory_outside")
    messages.success(request, _("Referanse %(ref)s er tatt inn i innboksen.") % {"ref": item.outside_reference})
    return redirect("coordination_inbox")


@login_required
@require_http_methods(["GET", "POST"])
def outside_answer(request, pk: int):
    n, _why = load(request.user, NeedNotification, pk, None, person_of=None, object_action=Action.OUTSIDE_ANSWER,
                   queryset=NeedNotification.objects.select_related("to_municipality"))
    if not n.is_outside:
        raise NotFound()
    form = OutsideAnswerForm(_data(request))
    return form_page(request, form=form, template=FORM_PAGE,
                     context={"title": _("Registrer svar fra %(name)s") % {"name": n.to_municipality},
                              "intro": _("Referanse %(ref)s. Svarfristen regnes som for kommuner i Helhet til svaret er registrert.") % {
                                  "ref": n.outside_reference},
                              "cancel_url": reverse("need_notification_detail", args=[n.pk])},
                     run=lambda cd: services.outside_answer_record(actor=request.user, notification_id=n.pk, on=cd["on"], note=cd["note"]),
                     success=lambda _n: reverse("need_notification_detail", args=[n.pk]), message=_("Svaret er registrert."))


@login_required
@require_GET
def outside_item(request, kind: str, pk: int):
    """The sender's page for an item sent outside Helhet: reference, e-mail, the letter to print, the answer."""
    return render(request, "directory/outside_item.html", selectors.outside_item(actor=request.user, kind=kind, object_id=pk))


def _outside_answer(request, kind: str, pk: int, record):
    """The answer form of an item sent outside Helhet (a transfer or partner information); `record(cd, item)` saves it."""
    item = selectors.outside_item(actor=request.user, kind=kind, object_id=pk)["item"]
    page = reverse("directory_outside_item", args=[kind, item.pk])
    return form_page(request, form=OutsideAnswerForm(_data(request)), template=FORM_PAGE,
                     context={"title": _("Registrer svar fra %(name)s") % {"name": item.to_municipality},
                              "intro": _("Referanse %(ref)s.") % {"ref": item.outside_reference}, "cancel_url": page},
                     run=lambda cd: record(cd, item), success=lambda _a: page, message=_("Svaret er registrert."))


@login_required
@require_http_methods(["GET", "POST"])
def outside_transfer_answer(request, pk: int):
    return _outside_answer(request, "transfer", pk, lambda cd, t: services.outside_transfer_answer_record(
        actor=request.user, transfer_id=t.pk, on=cd["on"], note=cd["note"]))


@login_required
@require_http_methods(["GET", "POST"])
def outside_partner_answer(request, pk: int):
    return _outside_answer(request, "partner_information", pk, lambda cd, info: services.outside_partner_answer_record(
        actor=request.user, information_id=info.pk, on=cd["on"], note=cd["note"]))


@login_required
@require_POST
def outside_letter(request, kind: str, pk: int):
    """Make (or fetch) the letter with the content in the chosen language and open it."""
    from helhet.documents import services as documents

    try:
        doc = documents.outside_letter_create(actor=request.user, kind=kind, object_id=pk, language=request.POST.get("language", "nb"))
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
        return redirect("directory_outside_item", kind=kind, pk=pk)
    return redirect("document_file", pk=doc.pk)


@login_required
@require_GET
def training_list(request):
    check_role(request.user, Action.KE_WORKLIST)
    # Each organisation's coordinators page on their own (?opplaering_<org>_side=), in the database.
    tenants = selectors.training_overview(actor=request.user, params=request.GET)
    return render(request, "directory/training.html", {"tenants": tenants})


@login_required
@require_http_methods(["GET", "POST"])
def training_add(request, org_id: int):
    orgs = {o.pk: o for o in organizations(request.user, Action.TRAINING_RECORD)}
    org = orgs.get(org_id)
    if org is None:
        raise NotFound()
    form = TrainingForm(_data(request), coordinators=selectors.active_coordinators(org))
    return form_page(request, form=form, template=FORM_PAGE,
                     context={"title": _("Registrer opplæring eller veiledning"), "intro": org.name, "cancel_url": reverse("directory_training")},
                     run=lambda cd: services.training_record(actor=request.user, organization_id=org.pk, coordinator_id=cd["coordinator"],
                                                             kind=cd["kind"], held_on=cd["held_on"], given_by=cd["given_by"], topic=cd["topic"]),
                     success=lambda _t: reverse("directory_training"), message=_("Opplæringen er registrert."))
