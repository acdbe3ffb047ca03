"""Browser forms for the case process. They parse input only; cases/services.py and consent/services.py decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from helhet.core.forms import DateInput, HelhetForm, today

from .models import (
    Appeal,
    ContactDoctor,
    CoordinatorAppointment,
    Decision,
    InformationRecord,
    PathwayCoordinator,
    Request,
)


class InformationForm(HelhetForm):
    informed_on = forms.DateField(label=_("Informert dato"), widget=DateInput(), initial=today)
    about_ip = forms.BooleanField(label=_("Informert om individuell plan"), required=False, initial=True)
    about_coordinator = forms.BooleanField(label=_("Informert om koordinator"), required=False, initial=True)
    wants_ip = forms.ChoiceField(label=_("Ønsker individuell plan?"), choices=InformationRecord.Answer.choices, widget=forms.RadioSelect,
                                 initial=InformationRecord.Answer.UNDECIDED)
    wants_coordinator = forms.ChoiceField(label=_("Ønsker koordinator?"), choices=InformationRecord.Answer.choices, widget=forms.RadioSelect,
                                          initial=InformationRecord.Answer.UNDECIDED)
    note = forms.CharField(label=_("Merknad"), widget=forms.Textarea, required=False,
                           help_text=_("Takker personen nei, skriv det her. Koordinator skal likevel tilbys."))


class RequestForm(HelhetForm):
    received_on = forms.DateField(label=_("Mottatt dato"), widget=DateInput(), initial=today)
    channel = forms.ChoiceField(label=_("Hvordan kom henvendelsen?"), widget=forms.RadioSelect,
                                choices=[(c, label) for c, label in Request.Channel.choices if c != Request.Channel.NEED_NOTIFICATION])
    requester_kind = forms.ChoiceField(label=_("Hvem henvendte seg?"), widget=forms.RadioSelect, choices=Request.RequesterKind.choices)
    requester_name = forms.CharField(label=_("Navn på den som henvendte seg"), max_length=200, required=False)
    wants_ip = forms.BooleanField(label=_("Individuell plan"), required=False)
    wants_coordinator = forms.BooleanField(label=_("Koordinator"), required=False)
    wants_child_coordinator = forms.BooleanField(label=_("Barnekoordinator"), required=False)
    description = forms.CharField(label=_("Hva gjelder henvendelsen?"), widget=forms.Textarea, required=False,
                                  help_text=_("For muntlige henvendelser: skriv ned det som ble sagt."))

    def clean(self):
        cd = super().clean()
        if not (cd.get("wants_ip") or cd.get("wants_coordinator") or cd.get("wants_child_coordinator")):
            self.add_error("wants_ip", _("Kryss av for hva henvendelsen gjelder: individuell plan, koordinator eller barnekoordinator."))
        return cd


class AssessmentForm(HelhetForm):
    assessed_on = forms.DateField(label=_("Vurdert dato"), widget=DateInput(), initial=today)
    long_term = forms.BooleanField(label=_("Behov for langvarige tjenester"), required=False)
    services_involved = forms.IntegerField(label=_("Antall tjenester som må ses i sammenheng"), min_value=0, max_value=99, initial=0,
                                           help_text=_("Tell med tjenester fra andre sektorer (NAV, skole, barnevern ...)."))
    complex_needs = forms.BooleanField(label=_("Komplekse eller langvarige behov"), required=False)
    child_serious_condition = forms.BooleanField(label=_("Barn (eller ventet barn) med alvorlig sykdom, skade eller nedsatt funksjonsevne"), required=False)
    child_needs_complex_services = forms.BooleanField(label=_("Behov for langvarige og sammensatte helse- og velferdstjenester"), required=False)
    reasons = forms.CharField(label=_("Begrunnelse"), widget=forms.Textarea)
    # Only when the person has a registered pathway coordinator (the view passes them).
    pathway_coordinator = forms.ChoiceField(label=_("Forløpskoordinator"), required=False)
    pathway_coordinator_fills_role = forms.ChoiceField(
        label=_("Fyller forløpskoordinatoren koordinatorrollen?"), required=False, widget=forms.RadioSelect,
        choices=[("yes", _("Ja")), ("no", _("Nei, personen trenger egen koordinator"))])

    def __init__(self, *args, pathway_coordinators=(), **kwargs):
        super().__init__(*args, **kwargs)
        if pathway_coordinators:
            self.fields["pathway_coordinator"].choices = [("", _("Ingen"))] + [(p.pk, str(p)) for p in pathway_coordinators]
        else:
            del self.fields["pathway_coordinator"], self.fields["pathway_coordinator_fills_role"]

    def clean(self):
        cd = super().clean()
        if "pathway_coordinator" in self.fields:
            pc = cd.pop("pathway_coordinator", "") or None
            fills = cd.pop("pathway_coordinator_fills_role", "")
            cd["pathway_coordinator_id"] = int(pc) if pc else None
            cd["pathway_coordinator_fills_role"] = {"yes": True, "no": False}.get(fills)
        return cd


class DecisionForm(HelhetForm):
    decided_on = forms.DateField(label=_("Vedtaksdato"), widget=DateInput(), initial=today)
    grants_ip = forms.BooleanField(label=_("Innvilger individuell plan"), required=False)
    grants_coordinator = forms.BooleanField(label=_("Innvilger koordinator"), required=False)
    grants_child_coordinator = forms.BooleanField(label=_("Innvilger barnekoordinator"), required=False)
    reasons = forms.CharField(label=_("Begrunnelse"), widget=forms.Textarea)
    law = forms.ChoiceField(label=_("Avgjørelsen treffes etter"), choices=Decision.Law.choices, initial=Decision.Law.PATIENTS_RIGHTS,
                            required=False,
                            help_text=_("Loven avgjør klagefristen: pasient- og brukerrettighetsloven (helse og omsorg) eller forvaltningsloven."))

    def clean_law(self):
        return self.cleaned_data.get("law") or Decision.Law.PATIENTS_RIGHTS

    def __init__(self, *args, request_obj=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only what the request asked for.
        if request_obj is not None:
            for name, asked in (("grants_ip", request_obj.wants_ip), ("grants_coordinator", request_obj.wants_coordinator),
                                ("grants_child_coordinator", request_obj.wants_child_coordinator)):
                if not asked:
                    del self.fields[name]


class AppealForm(HelhetForm):
    received_on = forms.DateField(label=_("Klagen mottatt"), widget=DateInput(), initial=today)
    grounds = forms.CharField(label=_("Hva klagen gjelder"), widget=forms.Textarea)


class AppealAdvanceForm(HelhetForm):
    status = forms.ChoiceField(label=_("Ny status"))
    on = forms.DateField(label=_("Dato"), widget=DateInput(), initial=today)
    note = forms.CharField(label=_("Merknad"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, appeal: Appeal, **kwargs):
        kwargs.setdefault("prefix", f"appeal{appeal.pk}")
        super().__init__(*args, **kwargs)
        allowed = Appeal.TRANSITIONS.get(appeal.status, set())
        self.fields["status"].choices = [(v, label) for v, label in Appeal.Status.choices if v in allowed]


class ConsentWithdrawForm(HelhetForm):
    on = forms.DateField(label=_("Trukket tilbake dato"), widget=DateInput(), initial=today)
    note = forms.CharField(label=_("Merknad"), widget=forms.Textarea, required=False)


class _AppointeeMixin:
    def _set_choices(self, units, staff):
        self.fields["unit"].choices = [("", _("Velg enhet"))] + [(u.pk, f"{u.name} ({u.organization.name})") for u in units]
        self.fields["coordinator"].choices = [("", _("Velg koordinator"))] + list(staff)


class AppointForm(_AppointeeMixin, HelhetForm):
    kind = forms.ChoiceField(label=_("Type"), choices=CoordinatorAppointment.Kind.choices)
    unit = forms.ChoiceField(label=_("Enhet"))
    coordinator = forms.ChoiceField(label=_("Koordinator"), help_text=_("Koordinatoren må være ansatt i enheten."))
    start = forms.DateField(label=_("Fra dato"), widget=DateInput(), initial=today)
    person_wish = forms.CharField(label=_("Personens ønske"), widget=forms.Textarea, required=False,
                                  help_text=_("Hvem personen ønsker som koordinator. Ønsket skal veie tungt."))
    request = forms.ChoiceField(label=_("Henvendelse"), required=False)

    def __init__(self, *args, units=(), staff=(), kinds=(), requests=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._set_choices(units, staff)
        self.fields["kind"].choices = [(k, label) for k, label in CoordinatorAppointment.Kind.choices if k in kinds]
        self.fields["request"].choices = [("", _("Ingen"))] + [(r.pk, str(r)) for r in requests]


class HandoverForm(_AppointeeMixin, HelhetForm):
    unit = forms.ChoiceField(label=_("Enhet"))
    coordinator = forms.ChoiceField(label=_("Ny koordinator"), help_text=_("Koordinatoren må være ansatt i enheten."))
    on = forms.DateField(label=_("Byttes fra dato"), widget=DateInput(), initial=today)
    reason = forms.CharField(label=_("Grunn til byttet"), max_length=200)
    person_wish = forms.CharField(label=_("Personens ønske"), widget=forms.Textarea, required=False)

    def __init__(self, *args, units=(), staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._set_choices(units, staff)


class EndForm(HelhetForm):
    on = forms.DateField(label=_("Avsluttes fra dato"), widget=DateInput(), initial=today,
                         help_text=_("Første dag uten koordinator."))
    reason = forms.CharField(label=_("Grunn til avslutning"), max_length=200)



# --- Contact doctor, pathway coordinator, samordningsansvar (issue 11) ---------------------------------------------


def _unit_choices(units):
    return [("", _("Velg enhet"))] + [(u.pk, f"{u.name} ({u.organization.name})") for u in units]


class ContactDoctorForm(HelhetForm):
    kind = forms.ChoiceField(label=_("Type"), choices=ContactDoctor.Kind.choices, widget=forms.RadioSelect, initial=ContactDoctor.Kind.DOCTOR)
    unit = forms.ChoiceField(label=_("Enhet i sykehuset"))
    need_found_on = forms.DateField(label=_("Dato behovet ble avdekket"), widget=DateInput(), initial=today,
                                    help_text=_("Kontaktlegen skal oppnevnes senest første virkedag etter denne datoen."))
    clinician = forms.ChoiceField(label=_("Kontaktlege / kontaktpsykolog"), required=False,
                                  help_text=_("La stå tom for å registrere behovet nå og oppnevne senere (fristen vises i fristlisten)."))
    clinician_name = forms.CharField(label=_("Eller skriv navnet"), max_length=200, required=False)

    def __init__(self, *args, units=(), staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = _unit_choices(units)
        self.fields["clinician"].choices = [("", _("Ikke oppnevnt ennå"))] + list(staff)


class ContactDoctorAppointForm(HelhetForm):
    clinician = forms.ChoiceField(label=_("Kontaktlege / kontaktpsykolog"), required=False)
    clinician_name = forms.CharField(label=_("Eller skriv navnet"), max_length=200, required=False)
    appointed_on = forms.DateField(label=_("Oppnevnt dato"), widget=DateInput(), initial=today)

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].choices = [("", _("Velg"))] + list(staff)


class PathwayCoordinatorForm(HelhetForm):
    pathway = forms.ChoiceField(label=_("Forløp"), choices=PathwayCoordinator.Pathway.choices, widget=forms.RadioSelect)
    name = forms.CharField(label=_("Navn på forløpskoordinatoren"), max_length=200)
    unit = forms.ChoiceField(label=_("Enhet"))
    start = forms.DateField(label=_("Fra dato"), widget=DateInput(), initial=today)
    end = forms.DateField(label=_("Til dato"), widget=DateInput(), required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = _unit_choices(units)


class CoordinationLeadForm(HelhetForm):
    unit = forms.ChoiceField(label=_("Tjenesten som har samordningsansvaret"))
    contact_name = forms.CharField(label=_("Kontaktperson i tjenesten"), max_length=200, required=False)
    decided_on = forms.DateField(label=_("Bestemt dato"), widget=DateInput(), initial=today)
    reason = forms.CharField(label=_("Begrunnelse"), widget=forms.Textarea,
                             help_text=_("Hvorfor denne tjenesten samordner, etter kommunens retningslinje."))
    request = forms.ChoiceField(label=_("Sak"), required=False)

    def __init__(self, *args, units=(), requests=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = _unit_choices(units)
        self.fields["request"].choices = [("", _("Ingen"))] + [(r.pk, str(r)) for r in requests]
