"""Browser views for the case process. Thin: parse a form, call one service, render or redirect (people.views.form_page)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from helhet.access.policy import Action
from helhet.access.queries import allowed_actions
from helhet.consent import selectors as consent_selectors
from helhet.consent import services as consent_services
from helhet.core.errors import NotFound
from helhet.core.forms import form_page
from helhet.core.paging import keyset_page
from helhet.people import selectors as people_selectors
from helhet.people.selectors import staff_choices

from . import selectors, services
from .forms import (
    AppealAdvanceForm,
    AppealForm,
    AppointForm,
    AssessmentForm,
    ConsentWithdrawForm,
    ContactDoctorAppointForm,
    ContactDoctorForm,
    CoordinationLeadForm,
    DecisionForm,
    EndForm,
    HandoverForm,
    InformationForm,
    PathwayCoordinatorForm,
    RequestForm,
)
from .models import PathwayCoordinator, Request
from .rules import appeal_route

FORM_PAGE = "people/_form_page.html"


def _data(request):
    return request.POST if request.method == "POST" else None


def _person_url(person_id) -> str:
    return reverse("person_detail", args=[person_id])


def _request_url(request_id) -> str:
    return reverse("request_detail", args=[request_id])


def _staff_for(request, units):
    """Staff choices; when htmx asks with ?unit=<id> (the unit select changed), only that unit's staff."""
    unit_id = request.GET.get("unit", "")
    if request.method == "GET" and unit_id.isdigit():
        units = [u for u in units if u.pk == int(unit_id)] or units
    return staff_choices(units)


def _filter_staff_by_unit(request, form) -> None:
    # Progressive enhancement: without JavaScript the coordinator list shows everyone, grouped by unit.
    form.fields["unit"].widget.attrs.update({
        "hx-get": request.path, "hx-trigger": "change", "hx-select": "#id_coordinator", "hx-target": "#id_coordinator",
        "hx-swap": "outerHTML", "hx-include": "this",
    })


@login_required
@require_GET
def my_persons(request):
    return render(request, "cases/my_persons.html", {"appointments": keyset_page(selectors.my_persons(actor=request.user), request.GET),
                                                     "consent_expiry": consent_selectors.expiring_for(actor=request.user)})


KINDS = [("ip", gettext_lazy("Individuell plan")), ("coordinator", gettext_lazy("Koordinator")), ("child_coordinator", gettext_lazy("Barnekoordinator"))]


@login_required
@require_GET
def ke_overview(request):
    filters = {"status": request.GET.get("status", ""), "search": request.GET.get("q", "")[:100], "kind": request.GET.get("kind", "")}
    if filters["status"] not in Request.Status.values:
        filters["status"] = ""
    if filters["kind"] not in {k for k, _label in KINDS}:
        filters["kind"] = ""
    data = selectors.ke_overview_page(actor=request.user, params=request.GET, **filters)
    status_counts = [(value, label, data["counts"].get(value, 0)) for value, label in Request.Status.choices]
    template = "cases/_ke_requests.html" if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "requests-region" else "cases/ke_overview.html"
    expiry = consent_selectors.expiring_for(actor=request.user) if template == "cases/ke_overview.html" else None
    return render(request, template, {**data, "filters": filters, "statuses": Request.Status.choices, "status_counts": status_counts,
                                      "total": sum(data["counts"].values()), "kinds": KINDS, "consent_expiry": expiry})


KE_LIST_TITLES = {"venter": gettext_lazy("Venter på koordinator"), "klager": gettext_lazy("Åpne klager"),
                  "koordinatorer": gettext_lazy("Koordinatorer"), "overforinger": gettext_lazy("Innkommende overføringer")}


@login_required
@require_GET
def ke_list(request, name: str):
    """One block of the KE overview in full, paged."""
    page = selectors.ke_list_page(actor=request.user, name=name, params=request.GET)
    return render(request, "cases/ke_list.html", {"page": page, "name": name, "title": KE_LIST_TITLES[name]})


# --- Information, consent ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def information_record(request, pk: int):
    person = people_selectors.person_for_action(actor=request.user, person_id=pk, action=Action.INFORMATION_RECORD)
    return form_page(
        request, form=InformationForm(_data(request)), template=FORM_PAGE,
        context={"title": _("Informert om individuell plan og koordinator"), "person": person, "cancel_url": _person_url(person.pk),
                 "intro": _("Registrer at personen er informert om retten til individuell plan og koordinator, og hva personen svarte. "
                            "Også et nei skal registreres.")},
        run=lambda cd: services.information_record(actor=request.user, person=person, **cd),
        success=lambda _obj: _person_url(person.pk), message=_("Informasjonen er registrert."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_withdraw(request, pk: int):
    consent = selectors.consent_for_action(actor=request.user, consent_id=pk)
    return form_page(
        request, form=ConsentWithdrawForm(_data(request)), template=FORM_PAGE,
        context={"title": _("Trekk tilbake samtykke"), "person": consent.person, "cancel_url": _person_url(consent.person_id),
                 "intro": f"{consent.get_kind_display()} – {consent.given_by_name}, {consent.given_on:%d.%m.%Y}",
                 "submit_label": _("Trekk tilbake samtykket")},
        run=lambda cd: consent_services.consent_withdraw(actor=request.user, consent_id=consent.pk, **cd),
        success=lambda _obj: _person_url(consent.person_id), message=_("Samtykket er trukket tilbake."),
    )


# --- Request, assessment, decision, appeal ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request, pk: int):
    person = people_selectors.person_for_action(actor=request.user, person_id=pk, action=Action.REQUEST_CREATE)
    return form_page(
        request, form=RequestForm(_data(request)), template=FORM_PAGE,
        context={"title": _("Registrer henvendelse"), "person": person, "cancel_url": _person_url(person.pk),
                 "intro": _("Alle henvendelser om individuell plan eller koordinator skal registreres, også muntlige."),
                 "submit_label": _("Registrer henvendelse")},
        run=lambda cd: services.request_create(actor=request.user, person=person, **cd),
        success=lambda req: _request_url(req.pk), message=_("Henvendelsen er registrert."),
    )


@login_required
@require_GET
def request_detail(request, pk: int):
    req, data = selectors.request_detail(actor=request.user, request_id=pk)
    advance_forms = [(a, AppealAdvanceForm(appeal=a)) for a in data["appeals"] if a.is_open] if Action.APPEAL_MANAGE.value in data["allowed"] else []
    return render(request, "cases/request_detail.html", {"req": req, "person": req.person, "advance_forms": advance_forms, **data})


@login_required
@require_http_methods(["GET", "POST"])
def assessment_create(request, pk: int):
    req = selectors.request_for_action(actor=request.user, request_id=pk, action=Action.ASSESSMENT_CREATE)
    return form_page(
        request, form=AssessmentForm(_data(request), pathway_coordinators=list(PathwayCoordinator.objects.filter(person=req.person))),
        template="cases/assessment_form.html",
        context={"title": _("Vurder henvendelsen"), "req": req, "person": req.person, "cancel_url": _request_url(req.pk),
                 "rules": selectors.criteria_rules(req), "age": req.person.age_on(timezone.localdate()),
                 "submit_label": _("Lagre vurdering")},
        run=lambda cd: services.assessment_create(actor=request.user, request_id=req.pk, **cd),
        success=lambda _obj: _request_url(req.pk), message=_("Vurderingen er registrert."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_create(request, pk: int):
    req = selectors.request_for_action(actor=request.user, request_id=pk, action=Action.DECISION_CREATE)
    return form_page(
        request, form=DecisionForm(_data(request), request_obj=req), template="cases/decision_form.html",
        context={"title": _("Treff avgjørelse"), "req": req, "person": req.person, "cancel_url": _request_url(req.pk),
                 "assessment": getattr(req, "assessment", None),
                 "appeal_route_preview": appeal_route(timezone.localdate(), req.organization), "submit_label": _("Lagre avgjørelse")},
        run=lambda cd: services.decision_create(actor=request.user, request_id=req.pk, **cd),
        success=lambda _obj: _request_url(req.pk), message=_("Avgjørelsen er registrert."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def appeal_create(request, pk: int):
    req = selectors.request_for_action(actor=request.user, request_id=pk, action=Action.APPEAL_MANAGE)
    decision = getattr(req, "decision", None)
    if decision is None:
        raise NotFound()
    return form_page(
        request, form=AppealForm(_data(request)), template=FORM_PAGE,
        context={"title": _("Registrer klage"), "person": req.person, "cancel_url": _request_url(req.pk),
                 "intro": _("Klage på avgjørelsen av %(date)s (%(outcome)s).") % {"date": f"{decision.decided_on:%d.%m.%Y}",
                                                                                   "outcome": decision.get_outcome_display().lower()},
                 "submit_label": _("Registrer klage")},
        run=lambda cd: services.appeal_create(actor=request.user, decision_id=decision.pk, **cd),
        success=lambda _obj: _request_url(req.pk), message=_("Klagen er registrert."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def appeal_advance(request, pk: int):
    appeal = selectors.appeal_for_action(actor=request.user, appeal_id=pk)
    req = appeal.request_obj
    return form_page(
        request, form=AppealAdvanceForm(_data(request), appeal=appeal), template=FORM_PAGE,
        context={"title": _("Oppdater klagen"), "person": req.person, "cancel_url": _request_url(req.pk),
                 "intro": _("Nåværende status: %(status)s.") % {"status": appeal.get_status_display()}, "submit_label": _("Oppdater status")},
        run=lambda cd: services.appeal_advance(actor=request.user, appeal_id=appeal.pk, **cd),
        success=lambda a: _request_url(req.pk), message=_("Klagen er oppdatert."),
    )


# --- Coordinators -------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def coordinator_appoint(request, pk: int):
    person = people_selectors.person_for_action(actor=request.user, person_id=pk, action=Action.PERSON_VIEW)
    kinds = selectors.appointment_kinds(allowed_actions(request.user, person))
    if not kinds:
        raise NotFound()
    units = selectors.appointee_units(actor=request.user, kinds=kinds)
    requests = list(Request.objects.filter(person=person).order_by("-received_on")[:20])
    initial = {"kind": request.GET.get("kind") or kinds[0], "request": request.GET.get("request", "")}
    form = AppointForm(_data(request), units=units, staff=_staff_for(request, units), kinds=kinds, requests=requests, initial=initial)
    _filter_staff_by_unit(request, form)

    def run(cd):
        return services.coordinator_appoint(actor=request.user, person=person, kind=cd["kind"], coordinator_id=int(cd["coordinator"]),
                                            unit_id=int(cd["unit"]), start=cd["start"], person_wish=cd["person_wish"],
                                            request_id=int(cd["request"]) if cd["request"] else None)

    return form_page(
        request, form=form, template=FORM_PAGE,
        context={"title": _("Oppnevn koordinator"), "person": person, "cancel_url": _person_url(person.pk),
                 "intro": _("Koordinatoren er normalt en av tjenesteyterne som allerede er involvert. Personens ønske skal veie tungt."),
                 "submit_label": _("Oppnevn")},
        run=run, success=lambda _obj: _person_url(person.pk), message=_("Koordinatoren er oppnevnt."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def coordinator_handover(request, pk: int):
    appointment = selectors.appointment_for_action(actor=request.user, appointment_id=pk)
    units = selectors.appointee_units(actor=request.user, kinds=[appointment.kind])
    form = HandoverForm(_data(request), units=units, staff=_staff_for(request, units))
    _filter_staff_by_unit(request, form)

    def run(cd):
        return services.coordinator_handover(actor=request.user, appointment_id=appointment.pk, coordinator_id=int(cd["coordinator"]),
                                             unit_id=int(cd["unit"]), on=cd["on"], reason=cd["reason"], person_wish=cd["person_wish"])

    return form_page(
        request, form=form, template=FORM_PAGE,
        context={"title": _("Bytt koordinator"), "person": appointment.person, "cancel_url": _person_url(appointment.person_id),
                 "intro": _("Nåværende %(kind)s: %(name)s (%(unit)s). Oppdraget avsluttes samme dag som den nye koordinatoren starter.") % {
                     "kind": appointment.get_kind_display().lower(), "name": appointment.coordinator, "unit": appointment.unit.name},
                 "submit_label": _("Bytt koordinator")},
        run=run, success=lambda _obj: _person_url(appointment.person_id), message=_("Koordinatoren er byttet."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def coordinator_end(request, pk: int):
    appointment = selectors.appointment_for_action(actor=request.user, appointment_id=pk)
    return form_page(
        request, form=EndForm(_data(request)), template=FORM_PAGE,
        context={"title": _("Avslutt koordinatoroppdrag"), "person": appointment.person, "cancel_url": _person_url(appointment.person_id),
                 "intro": f"{appointment.get_kind_display()}: {appointment.coordinator} ({appointment.unit.name})",
                 "submit_label": _("Avslutt oppdraget")},
        run=lambda cd: services.coordinator_end(actor=request.user, appointment_id=appointment.pk, **cd),
        success=lambda _obj: _person_url(appointment.person_id), message=_("Koordinatoroppdraget er avsluttet."),
    )



# --- Contact doctor, pathway coordinator, samordningsansvar (issue 11) ---------------------------------------------


def _opt_int(value):
    return int(value) if value not in (None, "") and str(value).isdigit() else None


@login_required
@require_http_methods(["GET", "POST"])
def contact_doctor_record(request, pk: int):
    person = people_selectors.person_for_action(actor=request.user, person_id=pk, action=Action.CONTACT_DOCTOR_APPOINT)
    units = selectors.contact_doctor_units(actor=request.user)
    form = ContactDoctorForm(_data(request), units=units, staff=staff_choices(units))

    def run(cd):
        return services.contact_doctor_record(actor=request.user, person=person, unit_id=_opt_int(cd["unit"]), kind=cd["kind"],
                                              need_found_on=cd["need_found_on"], clinician_id=_opt_int(cd["clinician"]),
                                              clinician_name=cd["clinician_name"])

    return form_page(
        request, form=form, template=FORM_PAGE,
        context={"title": _("Kontaktlege eller kontaktpsykolog"), "person": person, "cancel_url": _person_url(person.pk),
                 "intro": _("Pasienter med alvorlig sykdom, skade eller lidelse som trenger behandling av en viss varighet, har rett til "
                            "kontaktlege. Lederen for enheten oppnevner senest første virkedag etter at behovet er avdekket."),
                 "submit_label": _("Lagre")},
        run=run, success=lambda _obj: _person_url(person.pk), message=_("Kontaktlegen er registrert."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_doctor_appoint(request, pk: int):
    row = selectors.contact_doctor_for_action(actor=request.user, contact_doctor_id=pk)
    form = ContactDoctorAppointForm(_data(request), staff=staff_choices([row.unit]))

    def run(cd):
        return services.contact_doctor_appoint(actor=request.user, contact_doctor_id=row.pk, clinician_id=_opt_int(cd["clinician"]),
                                               clinician_name=cd["clinician_name"], appointed_on=cd["appointed_on"])

    return form_page(
        request, form=form, template=FORM_PAGE,
        context={"title": _("Oppnevn kontaktlege"), "person": row.person, "cancel_url": _person_url(row.person_id),
                 "intro": _("Behovet ble avdekket %(d)s i %(unit)s.") % {"d": row.need_found_on.strftime("%d.%m.%Y"), "unit": row.unit.name},
                 "submit_label": _("Oppnevn")},
        run=run, success=lambda _obj: _person_url(row.person_id), message=_("Kontaktlegen er oppnevnt."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def pathway_coordinator_record(request, pk: int):
    person = people_selectors.person_for_action(actor=request.user, person_id=pk, action=Action.PATHWAY_COORDINATOR_RECORD)
    form = PathwayCoordinatorForm(_data(request), units=selectors.service_units())

    def run(cd):
        return services.pathway_coordinator_record(actor=request.user, person=person, pathway=cd["pathway"], name=cd["name"],
                                                   unit_id=_opt_int(cd["unit"]), start=cd["start"], end=cd["end"])

    return form_page(
        request, form=form, template=FORM_PAGE,
        context={"title": _("Registrer forløpskoordinator"), "person": person, "cancel_url": _person_url(person.pk),
                 "intro": _("Forløpskoordinator i pakkeforløp for kreft eller for psykisk helse og rus. Om forløpskoordinatoren fyller "
                            "koordinatorrollen, registreres i vurderingen av henvendelsen."),
                 "submit_label": _("Registrer")},
        run=run, success=lambda _obj: _person_url(person.pk), message=_("Forløpskoordinatoren er registrert."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def coordination_lead_decide(request, pk: int):
    from helhet.access.queries import acting_ke_organization

    person = people_selectors.person_for_action(actor=request.user, person_id=pk, action=Action.COORDINATION_LEAD_DECIDE)
    units = selectors.service_units(organization=acting_ke_organization(request.user, person))
    requests = list(Request.objects.filter(person=person).order_by("-received_on")[:20])
    form = CoordinationLeadForm(_data(request), units=units, requests=requests)

    def run(cd):
        return services.coordination_lead_decide(actor=request.user, person=person, unit_id=_opt_int(cd["unit"]), decided_on=cd["decided_on"],
                                                 reason=cd["reason"], contact_name=cd["contact_name"], request_id=_opt_int(cd["request"]))

    return form_page(
        request, form=form, template=FORM_PAGE,
        context={"title": _("Samordningsansvar"), "person": person, "cancel_url": _person_url(person.pk),
                 "intro": _("Når personen ikke har rett til individuell plan eller koordinator, men får flere tjenester, bestemmer kommunen "
                            "etter sin retningslinje hvilken tjeneste som samordner."),
                 "submit_label": _("Lagre")},
        run=run, success=lambda _obj: _person_url(person.pk), message=_("Samordningsansvaret er registrert."),
    )
