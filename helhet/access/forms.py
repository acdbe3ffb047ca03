"""Forms for the person's objection to sharing with cooperating health personnel (validation is in the service)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from helhet.consent.models import Consent
from helhet.core.forms import DateInput, HelhetForm


class ObjectionForm(HelhetForm):
    objected_on = forms.DateField(label=_("Dato"), widget=DateInput())
    given_by_name = forms.CharField(label=_("Hvem motsatte seg deling"), max_length=200,
                                    help_text=_("Personen selv, eller den som samtykker på vegne av personen."))
    how = forms.ChoiceField(label=_("Hvordan"), choices=Consent.Method.choices)
    note = forms.CharField(label=_("Merknad"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ObjectionWithdrawForm(HelhetForm):
    on = forms.DateField(label=_("Gjelder fra"), widget=DateInput())
