"""Browser forms for the portal. They only parse input; the services decide (helhet/plans, consent, meetings, portal)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helhet.core.forms import DateInput, HelhetForm


class GoalForm(HelhetForm):
    text = forms.CharField(label=_("Hva er viktig for deg?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Skriv med dine egne ord hva du vil oppnå. Koordinatoren og de som jobber med planen, ser det."))
    based_on_version = forms.IntegerField(widget=forms.HiddenInput)


class ConsentNarrowForm(HelhetForm):
    """Keep (ticked) what may still be shared and with whom; untick what should stop."""

    categories = forms.MultipleChoiceField(label=_("Dette kan fortsatt deles"), required=False, widget=forms.CheckboxSelectMultiple)
    users = forms.MultipleChoiceField(label=_("Disse kan fortsatt se det"), required=False, widget=forms.CheckboxSelectMultiple)
    units = forms.MultipleChoiceField(label=_("Disse enhetene kan fortsatt se det"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, described: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = [(c["code"], c["label"]) for c in described["categories"]]
        people = [(str(r["id"]), _label(r)) for r in described["recipients"] if r["kind"] == "user"]
        units = [(str(r["id"]), _label(r)) for r in described["recipients"] if r["kind"] == "unit"]
        self.fields["users"].choices = people
        self.fields["units"].choices = units
        if not people:
            del self.fields["users"]
        if not units:
            del self.fields["units"]
        for f in self.fields.values():
            f.widget.attrs.pop("class", None)


def _label(r: dict) -> str:
    return f"{r['name']} ({r['organization']})" if r.get("organization") else r["name"]


def _in_a_year() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=365)


class ConsentGiveForm(HelhetForm):
    categories = forms.MultipleChoiceField(label=_("Hva kan deles?"), widget=forms.CheckboxSelectMultiple)
    users = forms.MultipleChoiceField(label=_("Med hvem?"), widget=forms.CheckboxSelectMultiple,
                                      help_text=_("De som er med i plangruppen din."))
    purpose = forms.CharField(label=_("Hva skal de bruke opplysningene til?"), max_length=500, initial=_("Samarbeid om planen min"))
    valid_to = forms.DateField(label=_("Gjelder til og med"), widget=DateInput(), initial=_in_a_year)

    def __init__(self, *args, categories, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = categories
        self.fields["users"].choices = members
        for name in ("categories", "users"):
            self.fields[name].widget.attrs.pop("class", None)


class ThreadForm(HelhetForm):
    subject = forms.CharField(label=_("Emne"), max_length=200)
    text = forms.CharField(label=_("Melding"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class PostForm(HelhetForm):
    text = forms.CharField(label=_("Svar"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class RelativeLoginForm(HelhetForm):
    national_id = forms.CharField(label=_("Fødselsnummeret til den pårørende"), max_length=14,
                                  help_text=_("11 siffer. Den pårørende logger inn med ID-porten og får da se det reglene gir dem."),
                                  widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))


# The person's own items: the question the plan asks them, in plain words (section -> label, help).
OWN_LABELS = {
    "goals": (_("Hva er viktig for deg?"), _("Skriv med dine egne ord hva du vil oppnå. Koordinatoren og de som jobber med planen, ser det.")),
    "resources": (_("Dette får jeg til / dette hjelper meg"),
                  _("Skriv hva du er god til, hva du liker, eller hvem og hva som hjelper deg i hverdagen.")),
    "contributions": (_("Dette gjør jeg selv"), _("Skriv hva du selv (eller familien) gjør for å nå målene.")),
}


class OwnItemForm(HelhetForm):
    text = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    based_on_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, section: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label, self.fields["text"].help_text = OWN_LABELS[section]


class CommentForm(HelhetForm):
    text = forms.CharField(label=_("Din kommentar"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Koordinatoren og de i plangruppen som kan se tiltaket, ser kommentaren."))


class MappingForm(HelhetForm):
    """The questionnaire before the first meeting; every answer may be empty in a draft (the service decides on send)."""

    important = forms.CharField(label=_("Hva er viktig for deg?"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                                help_text=_("Hva vil du oppnå? Hva skal til for at du har det bra?"))
    works = forms.CharField(label=_("Hva fungerer bra?"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                            help_text=_("Hva får du til, og hva hjelper deg i dag?"))
    hard = forms.CharField(label=_("Hva er vanskelig?"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Hva trenger du hjelp til?"))
    who = forms.CharField(label=_("Hvem vil du ha med?"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                          help_text=_("Familie, venner eller tjenester du vil skal være med i arbeidet med planen."))


class ConsentRenewForm(HelhetForm):
    valid_to = forms.DateField(label=_("Ny sluttdato"), widget=DateInput(),
                               help_text=_("Samtykket fortsetter med det samme innholdet og de samme mottakerne til denne datoen."))
