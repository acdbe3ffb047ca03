"""Browser views for personal access grants. Thin: parse the form, call one service, redirect."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from helhet.consent.forms import GrantForm, RevokeForm
from helhet.consent.models import Consent, valid_consents_q
from helhet.core.forms import form_page
from helhet.people import selectors as people_selectors

from . import services
from .forms import ObjectionForm, ObjectionWithdrawForm
from .models import AccessGrant, HealthSharingObjection
from .policy import Action
from .queries import load


def _data(request):
    return request.POST if request.method == "POST" else None


@login_required
@require_http_methods(["GET", "POST"])
def grant_create(request, pk: int):
    person = people_selectors.person_for_action(actor=request.user, person_id=pk, action=Action.GRANT_MANAGE)
    staff = people_selectors.staff_choices(people_selectors.unit_choices(actor=request.user, person=person))
    consents = list(Consent.objects.filter(valid_consents_q(timezone.localdate()), person=person, kind=Consent.Kind.SHARING))
    form = GrantForm(_data(request), staff=staff, consents=consents)

    def run(cd):
        return services.grant_create(actor=request.user, person=person, grantee_id=cd["grantee"], consent_id=cd["consent"],
                                     valid_from=cd["valid_from"], valid_to=cd["valid_to"], categories=cd["categories"], reason=cd["reason"])

    intro = _("Gi en navngitt tjenesteyter personlig, tidsbegrenset tilgang til planen, etter personens samtykke.")
    if not consents:
        intro += " " + _("Personen har ikke noe gyldig samtykke til deling ennå: registrer det først.")
    return form_page(
        request, form=form, template="consent/sharing_form.html",
        context={"title": _("Gi personlig tilgang"), "person": person, "cancel_url": reverse("person_detail", args=[person.pk]), "intro": intro},
        run=run, success=lambda _obj: reverse("person_detail", args=[person.pk]) + "#h-grants", message=_("Tilgangen er gitt."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def grant_revoke(request, pk: int):
    grant, _why = load(request.user, AccessGrant, pk, Action.GRANT_MANAGE, queryset=AccessGrant.objects.select_related("person", "grantee"))
    who = grant.grantee.get_full_name() or grant.grantee.username
    return form_page(
        request, form=RevokeForm(_data(request)), template="people/_form_page.html",
        context={"title": _("Trekk tilbake personlig tilgang"), "person": grant.person, "cancel_url": reverse("person_detail", args=[grant.person_id]),
                 "intro": f"{who}, {grant.valid_from:%d.%m.%Y}–{grant.valid_to:%d.%m.%Y}", "submit_label": _("Trekk tilbake tilgangen")},
        run=lambda cd: services.grant_revoke(actor=request.user, grant_id=grant.pk, note=cd["note"]),
        success=lambda _obj: reverse("person_detail", args=[grant.person_id]) + "#h-grants", message=_("Tilgangen er trukket tilbake."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def objection_record(request, pk: int):
    person = people_selectors.person_for_action(actor=request.user, person_id=pk, action=Action.OBJECTION_RECORD)
    form = ObjectionForm(_data(request), initial={"objected_on": timezone.localdate()})
    return form_page(
        request, form=form, template="people/_form_page.html",
        context={"title": _("Personen motsetter seg deling med helsepersonell"), "person": person,
                 "cancel_url": reverse("person_detail", args=[person.pk]),
                 "intro": _("Helsepersonell som samarbeider om helsehjelpen, kan ellers få nødvendige helseopplysninger uten samtykke "
                            "(helsepersonelloven § 25). Når personen motsetter seg dette, ser de bare det et samtykke til deling gir dem.")},
        run=lambda cd: services.objection_record(actor=request.user, person=person, **cd),
        success=lambda _obj: reverse("person_detail", args=[person.pk]) + "#h-objection", message=_("Innsigelsen er registrert."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def objection_withdraw(request, pk: int):
    objection, _why = load(request.user, HealthSharingObjection, pk, Action.OBJECTION_RECORD,
                           queryset=HealthSharingObjection.objects.select_related("person"))
    return form_page(
        request, form=ObjectionWithdrawForm(_data(request), initial={"on": timezone.localdate()}), template="people/_form_page.html",
        context={"title": _("Personen motsetter seg ikke lenger deling med helsepersonell"), "person": objection.person,
                 "cancel_url": reverse("person_detail", args=[objection.person_id])},
        run=lambda cd: services.objection_withdraw(actor=request.user, objection_id=objection.pk, on=cd["on"]),
        success=lambda _obj: reverse("person_detail", args=[objection.person_id]) + "#h-objection", message=_("Innsigelsen er trukket tilbake."),
    )
