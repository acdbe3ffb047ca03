"""Forms for sharing consent and personal access grants (browser). The services validate again; forms only parse."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from helhet.core.forms import DateInput, HelhetForm, today

from .categories import Category
from .models import Consent


def _in_a_year():
    return today() + dt.timedelta(days=365)


GIVEN_BY_HELP = _("Den som samtykker må kunne gjøre det: personen selv når alder og samtykkekompetanse tillater det; ellers "
                  "foreldre/foresatte, verge eller (for en voksen som mangler samtykkekompetanse) nærmeste pårørende.")
RELATIVE_HELP = _("Påkrevd når foreldre, verge eller nærmeste pårørende samtykket. Bare pårørende som er registrert hos personen "
                  "kan velges.")


def consenter_relatives(person) -> list:
    """The person's registered relatives who could consent for them: those with may_consent (parent, guardian) and the
    closest relative. The service decides whether the chosen one may consent in this matter on this date."""
    return [r for r in person.relatives.all() if r.may_consent or r.is_closest_relative]


def relative_choices(relatives) -> list[tuple]:
    def label(r):
        roles = [str(r.get_relationship_display())]
        if r.is_closest_relative:
            roles.append(str(_("nærmeste pårørende")))
        if r.may_consent:
            roles.append(str(_("kan samtykke på vegne av personen")))
        return f"{r.name} ({', '.join(roles)})"

    return [("", _("Ingen (personen selv samtykket)"))] + [(str(r.pk), label(r)) for r in relatives]


class ConsentForm(HelhetForm):
    """Consent to the plan work or to a coordinator (cases' "Registrer samtykke" page; services.consent_record decides)."""

    kind = forms.ChoiceField(label=_("Samtykket gjelder"), widget=forms.RadioSelect,
                             choices=[(k, label) for k, label in Consent.Kind.choices if k in (Consent.Kind.COORDINATOR, Consent.Kind.PLAN_WORK)])
    given_by = forms.ChoiceField(label=_("Gitt av"), choices=Consent.GivenBy.choices, help_text=GIVEN_BY_HELP)
    given_by_relative = forms.ChoiceField(label=_("Pårørende som samtykket"), required=False, help_text=RELATIVE_HELP)
    method = forms.ChoiceField(label=_("Hvordan ble samtykket gitt?"), choices=Consent.Method.choices)
    given_on = forms.DateField(label=_("Dato"), widget=DateInput(), initial=today)
    valid_to = forms.DateField(label=_("Gyldig til"), widget=DateInput(), required=False)
    note = forms.CharField(label=_("Merknad"), widget=forms.Textarea, required=False)

    def __init__(self, *args, relatives=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["given_by_relative"].choices = relative_choices(relatives)


class CategoryField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=Category.choices, **kwargs)


class SharingConsentForm(HelhetForm):
    categories = CategoryField(label=_("Hvilke opplysninger kan deles?"),
                               help_text=_("Del ikke mer enn det som er relevant og nødvendig. «Generelt om planen» dekker mål, ressurser og "
                                           "bidrag med personens egne ord, evalueringer og samarbeid."))
    exclusions = forms.CharField(label=_("Hva skal ikke deles?"), widget=forms.Textarea, required=False,
                                 help_text=_("Navngitte unntak, med personens egne ord."))
    recipient_users = forms.MultipleChoiceField(label=_("Navngitte deltakere"), widget=forms.CheckboxSelectMultiple, required=False)
    recipient_units = forms.MultipleChoiceField(label=_("Enheter"), widget=forms.CheckboxSelectMultiple, required=False,
                                                help_text=_("Gjelder dem som deltar i plangruppen for enheten når samtykket gis. "
                                                            "Nye deltakere krever fornyet samtykke."))
    purpose = forms.CharField(label=_("Formål"), widget=forms.Textarea, help_text=_("Hva opplysningene skal brukes til."))
    valid_from = forms.DateField(label=_("Gyldig fra"), widget=DateInput(), initial=today)
    valid_to = forms.DateField(label=_("Gyldig til"), widget=DateInput(), initial=_in_a_year)
    given_by = forms.ChoiceField(label=_("Gitt av"), choices=Consent.GivenBy.choices, help_text=GIVEN_BY_HELP)
    given_by_relative = forms.ChoiceField(label=_("Pårørende som samtykket"), required=False, help_text=RELATIVE_HELP)
    method = forms.ChoiceField(label=_("Hvordan ble samtykket gitt?"), choices=Consent.Method.choices)
    given_on = forms.DateField(label=_("Dato samtykket ble gitt"), widget=DateInput(), initial=today)
    note = forms.CharField(label=_("Merknad"), widget=forms.Textarea, required=False)

    def __init__(self, *args, users=(), units=(), relatives=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient_users"].choices = list(users)
        self.fields["recipient_units"].choices = list(units)
        self.fields["given_by_relative"].choices = relative_choices(relatives)
        for name in ("categories", "recipient_users", "recipient_units"):
            self.fields[name].widget.attrs.pop("class", None)


class GrantForm(HelhetForm):
    grantee = forms.ChoiceField(label=_("Hvem skal få tilgang?"), help_text=_("En navngitt tjenesteyter, også i en annen virksomhet (f.eks. sykehuset)."))
    consent = forms.ChoiceField(label=_("Samtykket tilgangen bygger på"))
    categories = CategoryField(label=_("Hvilke opplysninger?"), help_text=_("Bare opplysninger samtykket dekker."))
    valid_from = forms.DateField(label=_("Fra dato"), widget=DateInput(), initial=today)
    valid_to = forms.DateField(label=_("Til dato"), widget=DateInput(), help_text=_("Tilgangen er personlig og tidsbegrenset (høyst ett år)."))
    reason = forms.CharField(label=_("Begrunnelse (tjenstlig behov)"), widget=forms.Textarea)

    def __init__(self, *args, staff=(), consents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grantee"].choices = [("", _("Velg tjenesteyter"))] + list(staff)
        self.fields["consent"].choices = [(c.pk, f"{', '.join(c.category_labels)} – {c.given_by_name}, {c.given_on:%d.%m.%Y}"
                                           + (f"–{c.valid_to:%d.%m.%Y}" if c.valid_to else "")) for c in consents]
        self.fields["categories"].widget.attrs.pop("class", None)


class RevokeForm(HelhetForm):
    note = forms.CharField(label=_("Merknad"), widget=forms.Textarea, required=False)


class ConsentScanForm(HelhetForm):
    """Only parses the upload: helhet.consent.scans decides the type (sniffed) and the size."""

    file = forms.FileField(label=_("Skannet samtykke (PDF, JPEG eller PNG)"), allow_empty_file=True,
                           widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}))


class ParentsObjectionForm(HelhetForm):
    """Staff record that the young person told them they do not want their parents informed (parents_objection)."""

    note = forms.CharField(label=_("Merknad"), required=False, widget=forms.Textarea,
                           help_text=_("Ikke skriv grunnene her hvis foreldrene ikke skal kjenne dem. Merknaden vises bare for tjenesteytere."))


class ParentsObjectionAssessForm(HelhetForm):
    """Health personnel's judgement: should the reasons be respected? (parents_objection.objection_assess)"""

    respected = forms.TypedChoiceField(label=_("Bør grunnene respekteres?"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
                                       choices=[("yes", _("Ja – foreldrene får ikke opplysninger")),
                                                ("no", _("Nei – foreldrene får fortsatt opplysninger"))])
    note = forms.CharField(label=_("Hva vurderingen bygger på"), widget=forms.Textarea)
