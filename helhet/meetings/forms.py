"""Browser forms for meetings, minutes and messages. They only parse input; services.py decides and writes."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helhet.core.forms import DateInput, HelhetForm
from helhet.core.times import LocalDateTimeField

from .models import Invitee
from .scopes import CATEGORY_CHOICES


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _dt_field(label):
    # datetime-local has no zone: read as Oslo time (helhet.core.times), whatever zone is active.
    return LocalDateTimeField(label=label, widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])


class MeetingForm(HelhetForm):
    title = forms.CharField(label=_("Tittel"), max_length=200, initial=_("Møte i ansvarsgruppen"))
    start = _dt_field(_("Starter"))
    end = _dt_field(_("Slutter"))
    place = forms.CharField(label=_("Sted"), max_length=200, required=False)
    video_url = forms.URLField(label=_("Lenke til videomøte"), required=False, assume_scheme="https")
    agenda = forms.CharField(label=_("Saksliste"), widget=forms.Textarea)
    participants = forms.MultipleChoiceField(label=_("Innkalles"), required=False, widget=forms.CheckboxSelectMultiple,
                                             help_text=_("Aktive deltakere i planarbeidet. Personen selv innkalles alltid."))

    def __init__(self, *args, participants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].choices = [(str(p.pk), f"{p.name} ({p.get_kind_display().lower()})") for p in participants]
        if not self.is_bound and "participants" not in self.initial:
            self.initial["participants"] = [str(p.pk) for p in participants]
        for name in ("start", "end"):
            self.fields[name].widget.attrs["class"] = "ds-input"

    def clean(self):
        data = super().clean()
        if not data.get("place") and not data.get("video_url") and "place" not in self.errors:
            self.add_error("place", _("Oppgi sted eller lenke til videomøte."))
        return data


class MeetingEditForm(MeetingForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["participants"]


class CancelForm(HelhetForm):
    reason = forms.CharField(label=_("Årsak til avlysning"), widget=forms.Textarea)


class AttendanceForm(HelhetForm):
    """One radio group per invitee: a_<invitee id>."""

    def __init__(self, *args, invitees=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [c for c in Invitee.Attendance.choices if c[0]]
        for invitee in invitees:
            self.fields[f"a_{invitee.pk}"] = forms.ChoiceField(label=invitee.name, choices=choices, required=False,
                                                               widget=forms.RadioSelect, initial=invitee.attendance or None)

    def attendance(self) -> dict:
        return {int(k[2:]): v for k, v in self.cleaned_data.items() if k.startswith("a_") and v}


class MinutesForm(HelhetForm):
    based_on_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    text = forms.CharField(label=_("Referat"), widget=forms.Textarea(attrs={"rows": 8}))
    category = forms.ChoiceField(label=_("Opplysningskategori"), choices=CATEGORY_CHOICES, initial="general",
                                 help_text=_("Bare deltakere med samtykke til denne kategorien får innholdet. De andre får bare beskjed om at referatet er klart."))


class ActionItemForm(HelhetForm):
    text = forms.CharField(label=_("Oppfølgingspunkt"), max_length=300, required=False)
    responsible_unit = forms.TypedChoiceField(label=_("Ansvarlig enhet"), required=False, coerce=int, empty_value=None)
    responsible_person = forms.TypedChoiceField(label=_("Ansvarlig person"), required=False, coerce=int, empty_value=None)
    deadline = forms.DateField(label=_("Frist"), required=False, widget=DateInput())
    goal = forms.TypedChoiceField(label=_("Knyttet til mål"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, units=(), staff=(), goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].choices = [("", "—")] + [(u.pk, f"{u.name} ({u.organization.name})") for u in units]
        self.fields["responsible_person"].choices = [("", "—")] + list(staff)
        self.fields["goal"].choices = [("", "—")] + [(g.pk, g.text[:80]) for g in goals]

    def item(self) -> dict | None:
        d = self.cleaned_data
        if not d.get("text"):
            return None
        return {"text": d["text"], "responsible_unit_id": d.get("responsible_unit"), "responsible_person_id": d.get("responsible_person"),
                "deadline": d.get("deadline"), "goal_id": d.get("goal")}

    def clean(self):
        data = super().clean()
        filled = any(data.get(k) for k in ("responsible_unit", "responsible_person", "deadline", "goal"))
        if filled and not data.get("text"):
            self.add_error("text", _("Skriv oppfølgingspunktet."))
        if data.get("text") and not (data.get("responsible_unit") or data.get("responsible_person")):
            self.add_error("responsible_unit", _("Oppgi hvem som er ansvarlig (enhet eller person)."))
        return data


ActionItemFormSet = forms.formset_factory(ActionItemForm, extra=3, max_num=20)


class ThreadForm(HelhetForm):
    subject = forms.CharField(label=_("Emne"), max_length=200)
    category = forms.ChoiceField(label=_("Opplysningskategori"), choices=CATEGORY_CHOICES, initial="general",
                                 help_text=_("Bare de som har samtykke til kategorien, ser meldingene."))
    text = forms.CharField(label=_("Melding"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        if categories is not None:
            self.fields["category"].choices = [c for c in CATEGORY_CHOICES if c[0] in categories]


class PostForm(HelhetForm):
    text = forms.CharField(label=_("Svar"), widget=forms.Textarea(attrs={"rows": 4}))


def default_start() -> dt.datetime:
    """Tomorrow 10:00 local time (the form's initial value)."""
    local = timezone.localtime() + dt.timedelta(days=1)
    return local.replace(hour=10, minute=0, second=0, microsecond=0)
