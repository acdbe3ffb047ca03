"""Browser views for the coordination loop. Thin: parse a form, call one service, render or redirect (people.views.form_page)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhet.access.policy import Action
from helhet.cases.models import CoordinatorAppointment
from helhet.consent.forms import consenter_relatives
from helhet.core.errors import DomainError, NotFound, invalid
from helhet.core.forms import form_page, submit
from helhet.core.paging import offset_page
from helhet.directory.selectors import outside_municipality_choices
from helhet.documents.selectors import letters_for
from helhet.organizations.models import Level, Organization, ServiceUnit
from helhet.people import selectors as people_selectors
from helhet.people.selectors import staff_choices

from . import selectors, services
from .forms import (
    AcknowledgeForm,
    ActForm,
    CancelForm,
    DisagreementForm,
    DisagreementResolveForm,
    HospitalCoordinatorRequestForm,
    NeedNotificationForm,
    ObjectionForm,
    ObjectionWithdrawForm,
    PartnersInformForm,
    RespondForm,
    TransferCompleteForm,
    TransferItemForm,
    TransferStartForm,
)
from .models import Disagreement, PartnerInformation, PartnerInformationObjection

FORM_PAGE = "people/_form_page.html"
SEND_FORM_PAGE = "coordination/need_notification_form.html"  # FORM_PAGE with the consent fields grouped: one of the two is required


def _data(request):
    return request.POST if request.method == "POST" else None


def _int(value):
    return int(value) if value not in (None, "") else None


def _person_page(person_id) -> str:
    return reverse("person_coordination", args=[person_id])


def _trusts():
    return list(Organization.objects.filter(kind=Organization.Kind.HEALTH_TRUST).order_by("name"))


def _consent_kwargs(cd) -> dict:
    return {"consent_id": cd["consent"] or None, "consent_given_by": cd["consent_given_by"],
            "consent_given_by_relative_id": cd["consent_given_by_relative"] or None, "consent_method": cd["consent_method"],
            "consent_given_on": cd["consent_given_on"]}


def _consent_choices(actor, person, direction: str) -> dict:
    """The send forms' consent choices: the sharing consents that could cover the receiving side, and the relatives who
    could have consented. The service decides the chosen one."""
    return {"consents": selectors.need_notification_consent_choices(actor=actor, person=person, direction=direction),
            "relatives": consenter_relatives(person)}


# --- lists ---------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def inbox(request):
    return render(request, "coordination/inbox.html", selectors.inbox(actor=request.user, params=request.GET))


@login_required
@require_GET
def outbox(request):
    return render(request, "coordination/outbox.html", {"notifications": selectors.outbox(actor=request.user, params=request.GET)})


@login_required
@require_GET
def person_coordination(request, pk: int):
    person = people_selectors.person_for_action(actor=request.user, person_id=pk, action=Action.PERSON_VIEW)
    return render(request, "coordination/person.html", {"person": person, **selectors.person_coordination(actor=request.user, person=person)})


# --- need notifications ------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def need_notification_create(request, pk: int):
    person = people_selectors.person_for_action(actor=request.user, person_id=pk, action=Action.NEED_NOTIFICATION_SEND)

    def run(cd):
        return services.need_notification_send(
            actor=request.user, person=person, direction="to_municipality", sent_on=cd["sent_on"], summary=cd["summary"],
            contact_name=cd["contact_name"], contact_phone=cd["contact_phone"], needs_ip=cd["needs_ip"], needs_coordinator=cd["needs_coordinator"],
            needs_child_coordinator=cd["needs_child_coordinator"], **_consent_kwargs(cd))

    return form_page(
        request, form=NeedNotificationForm(_data(request), **_consent_choices(request.user, person, "to_municipality")), template=SEND_FORM_PAGE,
        context={"title": _("Melding om behov til kommunen"), "person": person, "cancel_url": _person_page(person.pk),
                 "intro": _("Meldingen går til koordinerende enhet i %(home)s, personens hjemkommune. Den sendes bare med personens samtykke.") % {
                     "home": person.home_municipality or person.home_municipality_label}, "submit_label": _("Send melding")},
        run=run, success=lambda n: reverse("need_notification_detail", args=[n.pk]), message=_("Meldingen er sendt."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def hospital_coordinator_request(request, pk: int):
    person = people_selectors.person_for_action(actor=request.user, person_id=pk, action=Action.NEED_NOTIFICATION_SEND)
    units = list(ServiceUnit.objects.filter(level=Level.SPECIALIST, organization__kind=Organization.Kind.HEALTH_TRUST, is_coordinating_unit=False)
                 .select_related("organization").order_by("organization__name", "name"))

    def run(cd):
        return services.need_notification_send(
            actor=request.user, person=person, direction="to_hospital", sent_on=cd["sent_on"], summary=cd["summary"],
            contact_name=cd["contact_name"], contact_phone=cd["contact_phone"], to_unit_id=_int(cd["to_unit"]),
            to_organization_id=_int(cd["to_organization"]), **_consent_kwargs(cd))

    return form_page(
        request, form=HospitalCoordinatorRequestForm(_data(request), units=units, trusts=_trusts(),
                                                     **_consent_choices(request.user, person, "to_hospital")),
        template=SEND_FORM_PAGE,
        context={"title": _("Be om koordinator i spesialisthelsetjenesten"), "person": person, "cancel_url": _person_page(person.pk),
                 "submit_label": _("Send forespørsel")},
        run=run, success=lambda n: reverse("need_notification_detail", args=[n.pk]), message=_("Forespørselen er sendt."),
    )


@login_required
@require_GET
def need_notification_detail(request, pk: int):
    n, data = selectors.notification_detail(actor=request.user, notification_id=pk)
    # The receipts and letters made from it (links; opening one goes through the document area's access check).
    letters = letters_for("neednotification", [n.pk]).get(n.pk, [])
    return render(request, "coordination/notification_detail.html", {"n": n, **data, "letters": letters})


@login_required
@require_POST
def need_notification_receipt(request, pk: int):
    """The receiving KE makes (or fetches) the receipt letter (kvittering) for the sender, and opens it."""
    from helhet.documents import services as documents

    try:
        doc = documents.need_notification_receipt_create(actor=request.user, notification_id=pk, language=request.POST.get("language", "nb"))
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
        return redirect("need_notification_detail", pk=pk)
    messages.success(request, _("Kvitteringen er lagret i personens dokumenter."))
    return redirect("document_file", pk=doc.pk)


def _receiver_form(request, pk, *, form, title, run, message, intro=""):
    n = selectors.notification_for_receiver(actor=request.user, notification_id=pk)
    return form_page(request, form=form, template=FORM_PAGE,
                     context={"title": title, "person": n.person, "intro": intro, "cancel_url": reverse("need_notification_detail", args=[n.pk])},
                     run=lambda cd: run(n, cd), success=lambda _obj: reverse("need_notification_detail", args=[n.pk]), message=message)


@login_required
@require_http_methods(["GET", "POST"])
def need_notification_acknowledge(request, pk: int):
    return _receiver_form(request, pk, form=AcknowledgeForm(_data(request)), title=_("Kvitter for melding om behov"),
                          run=lambda n, cd: services.need_notification_acknowledge(actor=request.user, notification_id=n.pk, **cd),
                          message=_("Meldingen er kvittert. Avsenderen ser det."))


@login_required
@require_http_methods(["GET", "POST"])
def need_notification_register(request, pk: int):
    return _receiver_form(request, pk, form=ActForm(_data(request)), title=_("Registrer meldingen som henvendelse"),
                          intro=_("Meldingen registreres som en henvendelse med kanal «melding om behov», og kan så vurderes og avgjøres."),
                          run=lambda n, cd: services.need_notification_register_request(actor=request.user, notification_id=n.pk, **cd),
                          message=_("Henvendelsen er registrert."))


@login_required
@require_http_methods(["GET", "POST"])
def need_notification_respond(request, pk: int):
    return _receiver_form(request, pk, form=RespondForm(_data(request)), title=_("Svar på forespørsel om koordinator"),
                          intro=_("Oppnevn koordinator i spesialisthelsetjenesten fra personens side først; den kobles til svaret."),
                          run=lambda n, cd: services.need_notification_respond(actor=request.user, notification_id=n.pk, **cd),
                          message=_("Svaret er registrert."))


# --- transfers -----------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def transfer_start(request, pk: int):
    person = people_selectors.person_for_action(actor=request.user, person_id=pk, action=Action.TRANSFER_MANAGE)
    appointments = list(CoordinatorAppointment.objects.filter(person=person, end__isnull=True).select_related("coordinator", "unit"))
    orgs = list(Organization.objects.exclude(pk=person.home_municipality_id).order_by("kind", "name"))
    form = TransferStartForm(_data(request), appointments=appointments, organizations=orgs)

    def run(cd):
        return services.transfer_start(actor=request.user, person=person, kind=cd["kind"], effective_on=cd["effective_on"],
                                       from_appointment_id=_int(cd["from_appointment"]), to_organization_id=_int(cd["to_organization"]),
                                       note=cd["note"])

    return form_page(request, form=form, template=FORM_PAGE,
                     context={"title": _("Start overføring"), "person": person, "cancel_url": _person_page(person.pk),
                              "intro": _("Nåværende koordinator fortsetter til en ny er oppnevnt. Mottakende koordinerende enhet får overføringen i innboksen."),
                              "submit_label": _("Start overføring")},
                     run=run, success=lambda t: reverse("transfer_detail", args=[t.pk]), message=_("Overføringen er startet."))


@login_required
@require_GET
def transfer_detail(request, pk: int):
    t, data = selectors.transfer_detail(actor=request.user, transfer_id=pk)
    forms = [(item, TransferItemForm(initial={"key": item.key, "state": "not_applicable" if item.not_applicable else ("done" if item.done_on else "undone"),
                                              "note": item.note}, prefix=f"item-{item.key}")) for item in data["items"]]
    return render(request, "coordination/transfer_detail.html", {"t": t, "item_forms": forms, **data})


@login_required
@require_http_methods(["POST"])
def transfer_item(request, pk: int, key: str):
    t, data = selectors.transfer_detail(actor=request.user, transfer_id=pk)
    form = TransferItemForm(request.POST, prefix=f"item-{key}")

    def run(cd):
        if cd["key"] != key:
            raise invalid("state", _("Velg en gyldig status for punktet."))
        return services.transfer_item_set(actor=request.user, transfer_id=t.pk, key=key, done=cd["state"] == "done",
                                          not_applicable=cd["state"] == "not_applicable", note=cd["note"])

    outcome = submit(request, form, run)
    if outcome.done:
        messages.success(request, _("Sjekklisten er oppdatert."))
        return redirect(reverse("transfer_detail", args=[t.pk]))
    error, status = outcome.error or DomainError("invalid", _("Velg en gyldig status for punktet.")), outcome.status
    forms = [(item, form if item.key == key else TransferItemForm(initial={"key": item.key}, prefix=f"item-{item.key}")) for item in data["items"]]
    return render(request, "coordination/transfer_detail.html", {"t": t, "item_forms": forms, "error": error, **data}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def transfer_complete(request, pk: int):
    t, _data_ = selectors.transfer_detail(actor=request.user, transfer_id=pk)
    units = list(ServiceUnit.objects.filter(organization=t.to_organization, is_coordinating_unit=False).select_related("organization")
                 .order_by("name"))
    unit_id = request.GET.get("unit", "")
    shown = [u for u in units if str(u.pk) == unit_id] or units
    form = TransferCompleteForm(_data(request), units=units, staff=staff_choices(shown))

    def run(cd):
        return services.transfer_complete(actor=request.user, transfer_id=t.pk, coordinator_id=int(cd["coordinator"]), unit_id=int(cd["unit"]),
                                          on=cd["on"], reason=cd["reason"], person_wish=cd["person_wish"])

    return form_page(request, form=form, template=FORM_PAGE,
                     context={"title": _("Fullfør overføring: oppnevn ny koordinator"), "person": t.person,
                              "cancel_url": reverse("transfer_detail", args=[t.pk]), "submit_label": _("Fullfør overføring"),
                              "intro": _("Den nye koordinatoren starter samme dag som den nåværende avslutter. Historikken beholdes.")},
                     run=run, success=lambda t: reverse("transfer_detail", args=[t.pk]), message=_("Overføringen er fullført."))


@login_required
@require_http_methods(["GET", "POST"])
def transfer_main_confirm(request, pk: int):
    """After a move: the new municipality's KE confirms main responsibility for the plan (docs/decisions/0009)."""
    from .forms import MainResponsibilityConfirmForm

    t, data = selectors.transfer_detail(actor=request.user, transfer_id=pk)
    if not (data["is_receiver"] and t.main_pending):
        raise NotFound()
    units = selectors.main_responsibility_units(t)
    form = MainResponsibilityConfirmForm(_data(request), units=units, initial={"unit": t.main_proposed_unit_id})
    return form_page(request, form=form, template=FORM_PAGE,
                     context={"title": _("Bekreft hovedansvar"), "person": t.person, "cancel_url": reverse("transfer_detail", args=[t.pk]),
                              "intro": _("Personen har flyttet fra %(from)s. Helhet foreslår at %(unit)s får hovedansvaret for den "
                                         "individuelle planen.") % {"from": t.from_organization.name, "unit": t.main_proposed_unit.name},
                              "submit_label": _("Bekreft hovedansvar")},
                     run=lambda cd: services.transfer_main_responsibility_confirm(actor=request.user, transfer_id=t.pk, unit_id=int(cd["unit"]),
                                                                                  reason=cd["reason"]),
                     success=lambda t: reverse("transfer_detail", args=[t.pk]), message=_("Hovedansvaret er bekreftet."))


@login_required
@require_http_methods(["GET", "POST"])
def transfer_cancel(request, pk: int):
    t, _data_ = selectors.transfer_detail(actor=request.user, transfer_id=pk)
    return form_page(request, form=CancelForm(_data(request)), template=FORM_PAGE,
                     context={"title": _("Avbryt overføring"), "person": t.person, "cancel_url": reverse("transfer_detail", args=[t.pk])},
                     run=lambda cd: services.transfer_cancel(actor=request.user, transfer_id=t.pk, **cd),
                     success=lambda t: reverse("transfer_detail", args=[t.pk]), message=_("Overføringen er avbrutt."))


@login_required
@require_GET
def turning_18(request):
    return render(request, "coordination/turning_18.html", {"rows": offset_page(selectors.turning_18(actor=request.user), request.GET)})


# --- informing partners ------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def partners_inform(request, pk: int):
    person = people_selectors.person_for_action(actor=request.user, person_id=pk, action=Action.PARTNERS_INFORM)
    recipients = services.partner_recipients(person)
    objection = services.active_objection(person)
    intro = _("Fastlegen og samarbeidspartnere informeres når koordinator oppnevnes, når planarbeidet starter og når ordningen avsluttes.")
    if objection:
        intro = _("NB: %(name)s har reservert seg mot slik informasjon (registrert %(day)s). Ingenting blir sendt.") % {
            "name": person.full_name, "day": objection.objected_on.strftime("%d.%m.%Y")}

    def run(cd):
        return services.partners_inform(actor=request.user, person=person, event=cd["event"], unit_ids=[int(u) for u in cd["units"]],
                                        method=cd["method"], outside_municipality_number=cd["municipality"])

    # The task on the coordinator's deadline list links here with the event (helhet.cases.deadlines.partners_inform_deadlines).
    event = request.GET.get("event", "")
    initial = {"event": event} if event in PartnerInformation.Event.values else {}
    form = PartnersInformForm(_data(request), recipients=recipients, initial=initial,
                              municipalities=outside_municipality_choices(timezone.localdate()))
    return form_page(request, form=form, template=FORM_PAGE,
                     context={"title": _("Informer fastlege og samarbeidspartnere"), "person": person, "intro": intro,
                              "cancel_url": _person_page(person.pk), "submit_label": _("Send informasjon")},
                     run=run, success=lambda _obj: _person_page(person.pk), message=_("Informasjonen er sendt og registrert."))


@login_required
@require_http_methods(["GET", "POST"])
def objection_record(request, pk: int):
    person = people_selectors.person_for_action(actor=request.user, person_id=pk, action=Action.PARTNERS_INFORM)
    return form_page(request, form=ObjectionForm(_data(request), initial={"given_by_name": person.full_name}), template=FORM_PAGE,
                     context={"title": _("Reservasjon mot informasjon til fastlege og samarbeidspartnere"), "person": person,
                              "cancel_url": _person_page(person.pk)},
                     run=lambda cd: services.partner_objection_record(actor=request.user, person=person, **cd),
                     success=lambda _obj: _person_page(person.pk), message=_("Reservasjonen er registrert."))


@login_required
@require_http_methods(["GET", "POST"])
def objection_withdraw(request, pk: int):
    objection = PartnerInformationObjection.objects.select_related("person").filter(pk=pk).first()
    if objection is None:
        raise NotFound()
    person = people_selectors.person_for_action(actor=request.user, person_id=objection.person_id, action=Action.PARTNERS_INFORM)
    return form_page(request, form=ObjectionWithdrawForm(_data(request)), template=FORM_PAGE,
                     context={"title": _("Trekk tilbake reservasjon"), "person": person, "cancel_url": _person_page(person.pk)},
                     run=lambda cd: services.partner_objection_withdraw(actor=request.user, objection_id=objection.pk, **cd),
                     success=lambda _obj: _person_page(person.pk), message=_("Reservasjonen er trukket tilbake."))


# --- disagreements -----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def disagreement_create(request, pk: int):
    person = people_selectors.person_for_action(actor=request.user, person_id=pk, action=Action.DISAGREEMENT_MANAGE)

    def run(cd):
        return services.disagreement_raise(actor=request.user, person=person, kind=cd["kind"], description=cd["description"],
                                           raised_on=cd["raised_on"], health_trust_id=_int(cd["health_trust"]), parties=cd["parties"])

    return form_page(request, form=DisagreementForm(_data(request), trusts=_trusts()), template=FORM_PAGE,
                     context={"title": _("Registrer uenighet"), "person": person, "cancel_url": _person_page(person.pk),
                              "intro": _("Uenighet mellom sykehus og kommune om behov eller rettigheter vurderes av begge koordinerende enheter sammen. "
                                         "Uenighet mellom velferdstjenester om hovedansvar avgjøres av kommunen.")},
                     run=run, success=lambda d: reverse("disagreement_detail", args=[d.pk]), message=_("Uenigheten er registrert."))


@login_required
@require_GET
def disagreement_detail(request, pk: int):
    d = selectors.disagreement_detail(actor=request.user, disagreement_id=pk)
    return render(request, "coordination/disagreement_detail.html", {"d": d})


@login_required
@require_http_methods(["GET", "POST"])
def disagreement_resolve(request, pk: int):
    d = selectors.disagreement_detail(actor=request.user, disagreement_id=pk)
    units = []
    if d.kind == Disagreement.Kind.MAIN_RESPONSIBILITY:
        units = list(ServiceUnit.objects.filter(Q(organization=d.municipality) | Q(level=Level.SPECIALIST), is_coordinating_unit=False)
                     .select_related("organization").order_by("organization__name", "name"))

    def run(cd):
        return services.disagreement_resolve(actor=request.user, disagreement_id=d.pk, resolved_on=cd["resolved_on"], outcome=cd["outcome"],
                                             decided_sector=cd["decided_sector"], decided_unit_id=_int(cd["decided_unit"]))

    return form_page(request, form=DisagreementResolveForm(_data(request), units=units), template=FORM_PAGE,
                     context={"title": _("Registrer utfall av uenighet"), "person": d.person, "cancel_url": reverse("disagreement_detail", args=[d.pk]),
                              "intro": _("Ved uenighet om hovedansvar: kommunens avgjørelse med begrunnelse. Har personen en plan, oppdateres hovedansvaret i planen.")},
                     run=run, success=lambda d: reverse("disagreement_detail", args=[d.pk]), message=_("Utfallet er registrert."))
