"""Browser views for persons. Thin: parse a form, call one service (people/services.py), render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from helhet.access.policy import Action
from helhet.access.queries import may_role, primary_organization
from helhet.core.forms import form_page
from helhet.core.paging import keyset_page

from . import selectors, services
from .forms import CapacityFindingForm, InvolvementForm, PersonCreateForm, RelativeForm


def _data(request):
    return request.POST if request.method == "POST" else None


@login_required
@require_GET
def person_list(request):
    search = request.GET.get("q", "")
    persons = keyset_page(selectors.person_list(actor=request.user, search=search, limit=None), request.GET)
    may_create = may_role(request.user, Action.PERSON_CREATE)
    return render(request, "people/person_list.html", {"persons": persons, "q": search, "may_create": may_create})


@login_required
@require_GET
def person_detail(request, pk: int):
    person, data = selectors.person_detail(actor=request.user, person_id=pk)
    return render(request, "people/person_detail.html", {"person": person, **data})


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request):
    selectors.may_create_person(actor=request.user)
    initial = {}
    home = primary_organization(request.user)
    if home is not None and home.kind == "municipality":
        initial["home_municipality"] = home.municipality_number
    form = PersonCreateForm(_data(request), initial=initial)

    def run(cd):
        fields = {k: v for k, v in cd.items() if k not in ("national_id", "given_name", "family_name", "home_municipality")}
        person = services.person_create(actor=request.user, national_id=cd["national_id"], given_name=cd["given_name"],
                                        family_name=cd["family_name"], home_municipality_number=cd["home_municipality"], **fields)
        if person.home_municipality_note:  # a merged municipality became its successor: say so
            messages.info(request, person.home_municipality_note)
        return person

    return form_page(request, form=form, template="people/person_form.html",
                     context={"title": _("Registrer person"), "submit_label": _("Registrer person"), "cancel_url": reverse("person_list")},
                     run=run, success=lambda p: reverse("person_detail", args=[p.pk]), message=_("Personen er registrert."))


def _person_form(request, pk, *, action, form, title, run, message, intro=""):
    person = selectors.person_for_action(actor=request.user, person_id=pk, action=action)
    return form_page(request, form=form, template="people/_form_page.html",
                     context={"title": title, "intro": intro, "person": person, "cancel_url": reverse("person_detail", args=[person.pk])},
                     run=lambda cd: run(person, cd), success=lambda _obj: reverse("person_detail", args=[person.pk]), message=message)


@login_required
@require_http_methods(["GET", "POST"])
def relative_add(request, pk: int):
    return _person_form(
        request, pk, action=Action.RELATIVE_MANAGE, form=RelativeForm(_data(request)), title=_("Legg til pårørende"),
        run=lambda person, cd: services.relative_add(actor=request.user, person=person, **cd), message=_("Pårørende er lagt til."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def involvement_add(request, pk: int):
    person = selectors.person_for_action(actor=request.user, person_id=pk, action=Action.INVOLVEMENT_MANAGE)
    units = selectors.unit_choices(actor=request.user, person=person)
    form = InvolvementForm(_data(request), units=units, staff=selectors.staff_choices(units))

    def run(cd):
        return services.involvement_add(actor=request.user, person=person, unit_id=int(cd["unit"]), staff_id=int(cd["staff"]) if cd["staff"] else None,
                                        description=cd["description"], start=cd["start"])

    return form_page(request, form=form, template="people/_form_page.html",
                     context={"title": _("Registrer involvert tjeneste"), "person": person, "cancel_url": reverse("person_detail", args=[person.pk])},
                     run=run, success=lambda _obj: reverse("person_detail", args=[person.pk]), message=_("Tjenesten er registrert."))


@login_required
@require_http_methods(["GET", "POST"])
def capacity_finding_record(request, pk: int):
    return _person_form(
        request, pk, action=Action.CAPACITY_RECORD, form=CapacityFindingForm(_data(request)), title=_("Vurder samtykkekompetanse"),
        intro=_("En vurdering av at personen mangler samtykkekompetanse skal være skriftlig og begrunnet."),
        run=lambda person, cd: services.capacity_finding_record(actor=request.user, person=person, **cd),
        message=_("Vurderingen av samtykkekompetanse er registrert."),
    )
