"""Browser forms: parse input only; notifications/services.py decides and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from helhet.core.forms import DateInput, HelhetForm, today

from .models import FirstContact


class FirstContactForm(HelhetForm):
    contacted_on = forms.DateField(label=_("Dato for første kontakt"), widget=DateInput(), initial=today)
    how = forms.ChoiceField(label=_("Hvordan"), choices=FirstContact.How.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Merknad"), widget=forms.Textarea, required=False)


class ExtensionForm(HelhetForm):
    days = forms.IntegerField(label=_("Forleng fristen med (dager)"), min_value=1, max_value=90)
    reason = forms.CharField(label=_("Begrunnelse"), widget=forms.Textarea, max_length=1000,
                             help_text=_("Retningslinjen krever en registrert begrunnelse for en lengre frist."))
