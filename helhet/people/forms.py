"""Browser forms for persons. They only parse input; the services in people/services.py decide and write.

`HelhetForm` is the base for every browser form (cases/forms.py uses it too):
Designsystemet classes on the widgets, error messages tied to their input with
aria-describedby, and a way to put a DomainError's field messages on the form.
"""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helhet.core.validators import validate_national_id

from .models import Person, Relative


class HelhetBoundField(BoundField):
    """Links help text and error messages to the input (WCAG 1.3.1/3.3.1); ids match people/_field.html."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if self.auto_id and not widget.is_hidden and not self.use_fieldset:
            ids = []
            if self.field.help_text:
                ids.append(f"{self.auto_id}_helptext")
            if self.errors:
                ids.append(f"{self.auto_id}_error")
            if ids:
                attrs["aria-describedby"] = " ".join(ids)
            else:
                attrs.pop("aria-describedby", None)
        return attrs


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class HelhetForm(forms.Form):
    bound_field_class = HelhetBoundField
    template_name = "people/_form_fields.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "ds-input")
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs.setdefault("rows", 3)

    def add_domain_error(self, error) -> None:
        """Put a DomainError's field messages on the fields they name; the message itself is shown in the alert."""
        fields = (error.details or {}).get("fields") or {}
        for name, msgs in fields.items():
            target = name if name in self.fields else None
            for msg in msgs:
                self.add_error(target, msg)


def today():
    return timezone.localdate()


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
