"""Browser forms for the directory pages. They only parse input; helhet/directory/services.py decides and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from helhet.core.forms import DateInput, HelhetForm, today
from helhet.core.validators import validate_org_number

from .models import CoordinatorTraining


class ContactForm(HelhetForm):
    name = forms.CharField(label=_("Navn på koordinerende enhet"), max_length=200)
    postal_address = forms.CharField(label=_("Postadresse"), max_length=300, required=False)
    email = forms.EmailField(label=_("E-post"), required=False,
                             help_text=_("Adressen meldinger fra kommuner og sykehus utenfor Helhet sendes til."))
    phone = forms.CharField(label=_("Telefon"), max_length=30, required=False)
    org_number = forms.CharField(label=_("Organisasjonsnummer"), max_length=11, required=False,
                                 widget=forms.TextInput(attrs={"inputmode": "numeric"}))

    def clean_org_number(self):
        value = (self.cleaned_data.get("org_number") or "").replace(" ", "")
        if value:
            validate_org_number(value)
        return value


class OutsideAnswerForm(HelhetForm):
    on = forms.DateField(label=_("Svaret kom"), widget=DateInput(), initial=today)
    note = forms.CharField(label=_("Hva kommunen svarte"), widget=forms.Textarea, max_length=2000,
                           help_text=_("Hvem som svarte, når og hvordan (e-post, brev, telefon)."))


class TrainingForm(HelhetForm):
    coordinator = forms.ChoiceField(label=_("Koordinator"), choices=[])
    kind = forms.ChoiceField(label=_("Type"), choices=CoordinatorTraining.Kind.choices)
    held_on = forms.DateField(label=_("Dato"), widget=DateInput(), initial=today)
    given_by = forms.CharField(label=_("Gitt av"), max_length=200)
    topic = forms.CharField(label=_("Tema"), max_length=300, required=False)

    def __init__(self, *args, coordinators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].choices = [(u.pk, u.get_full_name() or u.username) for u in coordinators]
