"""Browser forms for persons. They only parse input; the services in people/services.py decide and write.

The base of every browser form, `HelhetForm`, is in the interface kit (helhet/core/forms.py).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from helhet.core.forms import DateInput, HelhetForm, today
from helhet.core.validators import validate_national_id

from .models import Person, Relative


class PersonCreateForm(HelhetForm):
    national_id = forms.CharField(label=_("Fødselsnummer eller D-nummer"), max_length=14, validators=[validate_national_id],
                                  help_text=_("11 siffer."), widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    given_name = forms.CharField(label=_("Fornavn"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    family_name = forms.CharField(label=_("Etternavn"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    # From the directory (every municipality in force today, tenant or not); the value is the kommunenummer.
    home_municipality = forms.ChoiceField(label=_("Hjemkommune"), choices=[],
                                          help_text=_("Velg fra kommuneregisteret. Kommuner som ikke bruker Helhet, kan også velges."))
    address = forms.CharField(label=_("Adresse"), max_length=200, required=False)
    phone = forms.CharField(label=_("Telefon"), max_length=30, required=False)
    email = forms.EmailField(label=_("E-post"), required=False)
    preferred_language = forms.CharField(label=_("Foretrukket språk"), max_length=50, initial="norsk")
    needs_interpreter = forms.BooleanField(label=_("Behov for tolk"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from helhet.directory.selectors import municipality_choices

        self.fields["home_municipality"].choices = municipality_choices(today())

    def clean_national_id(self):
        return self.cleaned_data["national_id"].replace(" ", "")


class RelativeForm(HelhetForm):
    name = forms.CharField(label=_("Navn"), max_length=200)
    relationship = forms.ChoiceField(label=_("Relasjon"), choices=Relative.Relationship.choices)
    phone = forms.CharField(label=_("Telefon"), max_length=30, required=False)
    email = forms.EmailField(label=_("E-post"), required=False)
    is_closest_relative = forms.BooleanField(label=_("Nærmeste pårørende"), required=False)
    may_take_part = forms.BooleanField(label=_("Kan delta i planarbeidet"), required=False, help_text=_("Bare så langt personen ønsker det."))
    may_consent = forms.BooleanField(label=_("Kan samtykke på vegne av personen"), required=False,
                                     help_text=_("Bare verge eller foresatte."))


class InvolvementForm(HelhetForm):
    unit = forms.ChoiceField(label=_("Enhet"))
    staff = forms.ChoiceField(label=_("Tjenesteyter (valgfritt)"), required=False)
    description = forms.CharField(label=_("Tjeneste"), max_length=200, required=False)
    start = forms.DateField(label=_("Fra"), widget=DateInput(), initial=today)

    def __init__(self, *args, units=(), staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("Velg enhet"))] + [(u.pk, f"{u.name} ({u.organization.name})") for u in units]
        self.fields["staff"].choices = [("", _("Ingen bestemt person"))] + list(staff)


class CapacityFindingForm(HelhetForm):
    capacity = forms.ChoiceField(label=_("Samtykkekompetanse"), choices=Person.Capacity.choices)
    reasons = forms.CharField(label=_("Begrunnelse"), widget=forms.Textarea, help_text=_("Vurderingen må begrunnes skriftlig."))
    scope = forms.CharField(label=_("Gjelder"), max_length=200, required=False, help_text=_("Hvilke spørsmål vurderingen gjelder."))
    found_on = forms.DateField(label=_("Dato"), widget=DateInput(), initial=today)
