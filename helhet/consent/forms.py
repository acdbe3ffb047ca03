"""Forms for sharing consent and personal access grants (browser). The services validate again; forms only parse."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from helhet.people.forms import DateInput, HelhetForm, today

from .categories import Category
from .models import Consent


def _in_a_year():
    return today() + dt.timedelta(days=365)


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
    given_by = forms.ChoiceField(label=_("Gitt av"), choices=Consent.GivenBy.choices)
    given_by_relative = forms.ChoiceField(label=_("Verge / foresatt som samtykket"), required=False)
    given_by_name = forms.CharField(label=_("Navn på den som samtykket"), max_length=200, required=False)
    method = forms.ChoiceField(label=_("Hvordan ble samtykket gitt?"), choices=Consent.Method.choices)
    given_on = forms.DateField(label=_("Dato samtykket ble gitt"), widget=DateInput(), initial=today)
    note = forms.CharField(label=_("Merknad"), widget=forms.Textarea, required=False)

    def __init__(self, *args, users=(), units=(), relatives=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient_users"].choices = list(users)
        self.fields["recipient_units"].choices = list(units)
        self.fields["given_by_relative"].choices = [("", _("Ingen"))] + [(r.pk, str(r)) for r in relatives]
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
