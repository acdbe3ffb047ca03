"""Browser views for sharing consent. Thin: parse the form, call one service, redirect (people.views.form_page)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhet.access.policy import Action
from helhet.core.forms import form_page, submit
from helhet.people import selectors as people_selectors

from . import parents_objection as objections
from . import scans, selectors, services
from .forms import (
    ConsentForm,
    ConsentScanForm,
    ParentsObjectionAssessForm,
    ParentsObjectionForm,
    SharingConsentForm,
    consenter_relatives,
)
from .models import ParentsInformationObjection


def _recipient_choices(person):
    """Staff and units that take part in the person's plan group or give them services (the likely recipients)."""
    from helhet.people.models import Involvement
    from helhet.plans.models import Participant

    users, units = {}, {}
    for p in Participant.objects.filter(plan__person=person, active=True, kind=Participant.Kind.STAFF).select_related("user", "unit"):
        users[p.user_id] = f"{p.user.get_full_name() or p.user.username}" + (f" ({p.unit.name})" if p.unit else "")
        if p.unit:
            units[p.unit_id] = p.unit.name
    for i in Involvement.objects.filter(person=person).select_related("staff", "unit"):
        units.setdefault(i.unit_id, i.unit.name)
        if i.staff_id:
            users.setdefault(i.staff_id, f"{i.staff.get_full_name() or i.staff.username} ({i.unit.name})")
    return sorted(users.items(), key=lambda x: x[1]), sorted(units.items(), key=lambda x: x[1])


@login_required
@require_http_methods(["GET", "POST"])
def sharing_consent_record(request, pk: int):
    person = people_selectors.person_for_action(actor=request.user, person_id=pk, action=Action.CONSENT_RECORD)
    users, units = _recipient_choices(person)
    relatives = consenter_relatives(person)
    form = SharingConsentForm(request.POST if request.method == "POST" else None, users=users, units=units, relatives=relatives,
                              initial={"given_by": "person"})

    def run(cd):
        return services.sharing_consent_record(
            actor=request.user, person=person, given_by=cd["given_by"], method=cd["method"], given_on=cd["given_on"],
            categories=cd["categories"], purpose=cd["purpose"], valid_from=cd["valid_from"], valid_to=cd["valid_to"],
            exclusions=cd["exclusions"], recipient_user_ids=cd["recipient_users"], recipient_unit_ids=cd["recipient_units"],
            given_by_relative_id=cd["given_by_relative"] or None, note=cd["note"])

    return form_page(
        request, form=form, template="consent/sharing_form.html",
        context={"title": _("Samtykke til deling av opplysninger"), "person": person, "cancel_url": reverse("person_detail", args=[person.pk]),
                 "intro": _("Hvilke opplysninger, med hvem, til hva og for hvilken periode. Samtykket kan trekkes tilbake når som helst.")},
        run=run, success=lambda _obj: reverse("person_detail", args=[person.pk]) + "#h-sharing", message=_("Samtykket til deling er registrert."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_record(request, pk: int):
    """Consent to the plan work or to a coordinator: the relative is chosen among the person's registered relatives;
    services.consent_record decides whether they may consent (the same verdict as the API)."""
    person = people_selectors.person_for_action(actor=request.user, person_id=pk, action=Action.CONSENT_RECORD)
    kind = request.GET.get("kind", "coordinator")
    form = ConsentForm(request.POST if request.method == "POST" else None, relatives=consenter_relatives(person),
                       initial={"kind": kind if kind in ("coordinator", "plan_work") else "coordinator", "given_by": "person"})

    def run(cd):
        return services.consent_record(actor=request.user, person=person, kind=cd["kind"], given_by=cd["given_by"], method=cd["method"],
                                       given_on=cd["given_on"], given_by_relative_id=cd["given_by_relative"] or None,
                                       valid_to=cd["valid_to"], note=cd["note"])

    return form_page(
        request, form=form, template="people/_form_page.html",
        context={"title": _("Registrer samtykke"), "person": person, "cancel_url": reverse("person_detail", args=[person.pk]),
                 "intro": _("Registrer hvem som samtykket, i hvilken egenskap, når og hvordan.")},
        run=run, success=lambda _obj: reverse("person_detail", args=[person.pk]), message=_("Samtykket er registrert."),
    )


@login_required
@require_GET
def consent_detail(request, pk: int):
    return render(request, "consent/detail.html", {**scans.consent_detail(actor=request.user, consent_id=pk), "form": ConsentScanForm()})


@login_required
@require_POST
def consent_scan_upload(request, pk: int):
    """Attach a scanned paper consent. The service sniffs the type and checks the size; a refusal is shown on the page."""
    form = ConsentScanForm(request.POST, request.FILES)
    outcome = submit(request, form, lambda cd: scans.consent_scan_attach(actor=request.user, consent_id=pk, upload=cd["file"]))
    if outcome.done:
        messages.success(request, _("Det skannede samtykket er lagret."))
        return redirect("consent_detail", pk=pk)
    if outcome.error and not form.has_error("file"):
        form.add_error("file", outcome.error.message)  # the refusal belongs to the file, whatever field the service named
    data = scans.consent_detail(actor=request.user, consent_id=pk)
    return render(request, "consent/detail.html", {**data, "form": form}, status=outcome.status)


# ---------------------------------------------------------------- what the parents are told (parents_objection)


def _objection_page(request, person_id: int, *, form=None, assess_form=None, error=None, status: int = 200):
    data = objections.objection_overview(actor=request.user, person_id=person_id)
    return render(request, "consent/parents_objection.html", {
        **data, "form": form or ParentsObjectionForm(), "assess_form": assess_form or ParentsObjectionAssessForm(auto_id="assess-%s"),
        "error": error}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def parents_objection(request, pk: int):
    """The person's consent page for what the parents are told: the history, record (told staff), assess, withdraw."""
    if request.method == "GET":
        return _objection_page(request, pk)
    form = ParentsObjectionForm(request.POST)
    person = people_selectors.person_for_action(actor=request.user, person_id=pk, action=Action.PARENTS_OBJECTION_RECORD)
    outcome = submit(request, form, lambda cd: objections.objection_record(actor=request.user, person=person, note=cd["note"]))
    if outcome.done:
        messages.success(request, _("Registrert. Foreldrene får fortsatt opplysninger til helsepersonell har vurdert grunnene."))
        return redirect("parents_objection", pk=pk)
    return _objection_page(request, pk, form=form, error=outcome.error, status=outcome.status)


@login_required
@require_POST
def parents_objection_assess(request, pk: int):
    form = ParentsObjectionAssessForm(request.POST, auto_id="assess-%s")
    outcome = submit(request, form, lambda cd: objections.objection_assess(actor=request.user, objection_id=pk,
                                                                                  respected=cd["respected"], note=cd["note"]))
    person_id = ParentsInformationObjection.objects.filter(pk=pk).values_list("person_id", flat=True).first()
    if outcome.done:
        messages.success(request, _("Vurderingen er registrert."))
        return redirect("parents_objection", pk=person_id)
    return _objection_page(request, person_id, assess_form=form, error=outcome.error, status=outcome.status)


@login_required
@require_POST
def parents_objection_withdraw(request, pk: int):
    objection = objections.objection_withdraw(actor=request.user, objection_id=pk)
    messages.success(request, _("Trukket tilbake. Foreldrene får opplysninger igjen slik reglene sier."))
    return redirect("parents_objection", pk=objection.person_id)


@login_required
@require_GET
def consent_expiry_list(request):
    """Sharing consents that expire soon or have expired, for the persons the user records consent for, paged."""
    expiry = selectors.expiring_for(actor=request.user, params=request.GET, per_page=50)
    return render(request, "consent/expiry_list.html", {"expiry": expiry})
