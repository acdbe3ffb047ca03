"""Browser forms for the coordination loop. They parse input only; coordination/services.py decides and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from helhet.consent.forms import GIVEN_BY_HELP, RELATIVE_HELP, relative_choices
from helhet.consent.models import Consent
from helhet.core.forms import DateInput, HelhetForm, today
from helhet.plans.models import MAIN_SECTOR_CHOICES

from .models import Disagreement, PartnerInformation, Transfer, TransferChecklistItem


def _choices(rows, empty=None):
    return [("", empty or _("Velg"))] + [(r.pk, str(r)) for r in rows]


CONSENT_FIELDS = ("consent", "consent_given_by", "consent_given_by_relative", "consent_method", "consent_given_on")


def consent_label(consent) -> str:
    """One sharing consent as a choice: what, with which units, who gave it, and its period."""
    units = ", ".join(str(u) for u in consent.recipient_units.all())
    period = f"{consent.starts_on:%d.%m.%Y}–{consent.valid_to:%d.%m.%Y}" if consent.valid_to else f"{consent.starts_on:%d.%m.%Y}"
    return f"{', '.join(consent.category_labels)} – {units} – {consent.given_by_name}, {period}"


class _ConsentFields(forms.Form):
    """The consent to send the notification: a registered sharing consent that covers the receiver, OR the consent given
    for this notification. One of the two is required; services.need_notification_send decides (the API's verdict), so
    the select is a plain value here (a chosen consent that does not cover the receiver gets the service's reason)."""

    consent = forms.CharField(label=_("Registrert samtykke til deling"), required=False, widget=forms.Select,
                              help_text=_("Bare samtykker som dekker opplysninger om helse og funksjon og nevner mottakeren, vises."))
    consent_given_by = forms.ChoiceField(label=_("Samtykke gitt av"), required=False, choices=[("", _("Velg"))] + list(Consent.GivenBy.choices),
                                         help_text=GIVEN_BY_HELP)
    consent_given_by_relative = forms.ChoiceField(label=_("Pårørende som samtykket"), required=False, help_text=RELATIVE_HELP)
    consent_method = forms.ChoiceField(label=_("Hvordan ble samtykket gitt?"), required=False, choices=[("", _("Velg"))] + list(Consent.Method.choices))
    consent_given_on = forms.DateField(label=_("Samtykke gitt dato"), widget=DateInput(), required=False)

    def __init__(self, *args, consents=(), relatives=(), **kwargs):
        super().__init__(*args, **kwargs)
        consents = list(consents)
        empty = _("Velg samtykke") if consents else _("Ingen registrerte samtykker dekker mottakeren – registrer samtykket under")
        self.fields["consent"].widget.choices = [("", empty)] + [(str(c.pk), consent_label(c)) for c in consents]
        self.fields["consent_given_by_relative"].choices = relative_choices(relatives)

    def main_fields(self):
        return [f for f in self if f.name not in CONSENT_FIELDS]

    def recorded_consent_fields(self):
        return [self[name] for name in CONSENT_FIELDS[1:]]


class NeedNotificationForm(HelhetForm, _ConsentFields):
    sent_on = forms.DateField(label=_("Dato"), widget=DateInput(), initial=today)
    needs_ip = forms.BooleanField(label=_("Behov for individuell plan"), required=False)
    needs_coordinator = forms.BooleanField(label=_("Behov for koordinator"), required=False)
    needs_child_coordinator = forms.BooleanField(label=_("Behov for barnekoordinator"), required=False)
    summary = forms.CharField(label=_("Helsetilstand og funksjon"), widget=forms.Textarea,
                              help_text=_("Bare det som er relevant og nødvendig for koordineringen."))
    contact_name = forms.CharField(label=_("Kontaktperson i sykehuset"), max_length=200)
    contact_phone = forms.CharField(label=_("Telefon til kontaktperson"), max_length=30, required=False)
    field_order = ["sent_on", "needs_ip", "needs_coordinator", "needs_child_coordinator", "summary", "contact_name", "contact_phone"]


class HospitalCoordinatorRequestForm(HelhetForm, _ConsentFields):
    sent_on = forms.DateField(label=_("Dato"), widget=DateInput(), initial=today)
    to_unit = forms.ChoiceField(label=_("Enhet i spesialisthelsetjenesten"), required=False,
                                help_text=_("Vet du ikke hvilken enhet, velg helseforetaket under: meldingen går da til helseforetakets koordinerende enhet."))
    to_organization = forms.ChoiceField(label=_("Helseforetak (når enheten ikke er kjent)"), required=False)
    summary = forms.CharField(label=_("Hvorfor trengs koordinator i spesialisthelsetjenesten?"), widget=forms.Textarea)
    contact_name = forms.CharField(label=_("Kontaktperson i kommunen"), max_length=200)
    contact_phone = forms.CharField(label=_("Telefon til kontaktperson"), max_length=30, required=False)
    field_order = ["sent_on", "to_unit", "to_organization", "summary", "contact_name", "contact_phone"]

    def __init__(self, *args, units=(), trusts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].choices = [("", _("Ikke kjent"))] + [(u.pk, f"{u.name} ({u.organization.name})") for u in units]
        self.fields["to_organization"].choices = _choices(trusts)


class AcknowledgeForm(HelhetForm):
    on = forms.DateField(label=_("Mottatt dato"), widget=DateInput(), initial=today)
    note = forms.CharField(label=_("Merknad"), widget=forms.Textarea, required=False)


class ActForm(HelhetForm):
    on = forms.DateField(label=_("Dato"), widget=DateInput(), initial=today)


class RespondForm(HelhetForm):
    on = forms.DateField(label=_("Dato"), widget=DateInput(), initial=today)
    note = forms.CharField(label=_("Svar"), widget=forms.Textarea, required=False,
                           help_text=_("Påkrevd hvis det ikke er oppnevnt koordinator i spesialisthelsetjenesten: skriv hvorfor."))


class TransferStartForm(HelhetForm):
    kind = forms.ChoiceField(label=_("Type overføring"), choices=Transfer.Kind.choices, widget=forms.RadioSelect)
    effective_on = forms.DateField(label=_("Gjelder fra"), widget=DateInput(), initial=today)
    from_appointment = forms.ChoiceField(label=_("Nåværende koordinator"), required=False)
    to_organization = forms.ChoiceField(label=_("Til kommune eller helseforetak"), required=False,
                                        help_text=_("Ved flytting: den nye hjemkommunen. Til spesialisthelsetjenesten: helseforetaket."))
    note = forms.CharField(label=_("Merknad"), widget=forms.Textarea, required=False)

    def __init__(self, *args, appointments=(), organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_appointment"].choices = [("", _("Velg automatisk"))] + [
            (a.pk, f"{a.get_kind_display()}: {a.coordinator} ({a.unit.name})") for a in appointments]
        self.fields["to_organization"].choices = _choices(organizations, _("Ikke relevant"))


class TransferItemForm(HelhetForm):
    STATES = [("done", _("Utført")), ("not_applicable", _("Ikke aktuelt")), ("undone", _("Ikke utført"))]
    key = forms.ChoiceField(label=_("Punkt"), choices=TransferChecklistItem.KEYS, widget=forms.HiddenInput)
    state = forms.ChoiceField(label=_("Status"), choices=STATES)
    note = forms.CharField(label=_("Merknad"), max_length=300, required=False)


class TransferCompleteForm(HelhetForm):
    unit = forms.ChoiceField(label=_("Enhet"))
    coordinator = forms.ChoiceField(label=_("Ny koordinator"), help_text=_("Koordinatoren må være ansatt i enheten."))
    on = forms.DateField(label=_("Fra dato"), widget=DateInput(), initial=today,
                         help_text=_("Nåværende koordinator fortsetter til denne datoen, så personen alltid har en koordinator."))
    reason = forms.CharField(label=_("Grunn"), max_length=200, required=False)
    person_wish = forms.CharField(label=_("Personens ønske"), widget=forms.Textarea, required=False)

    def __init__(self, *args, units=(), staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("Velg enhet"))] + [(u.pk, f"{u.name} ({u.organization.name})") for u in units]
        self.fields["coordinator"].choices = [("", _("Velg koordinator"))] + list(staff)


class CancelForm(HelhetForm):
    reason = forms.CharField(label=_("Hvorfor avbrytes overføringen?"), max_length=300)


class PartnersInformForm(HelhetForm):
    event = forms.ChoiceField(label=_("Hendelse"), choices=PartnerInformation.Event.choices, widget=forms.RadioSelect)
    # Not required here: a municipality outside Helhet may be the only recipient (services.partners_inform decides).
    units = forms.MultipleChoiceField(label=_("Mottakere"), widget=forms.CheckboxSelectMultiple, required=False)
    municipality = forms.ChoiceField(label=_("Kommune utenfor Helhet"), required=False,
                                     help_text=_("Koordinerende enhet i kommunen får en e-post med bare en referanse, og brevet med "
                                                 "innholdet lages for utskrift eller sikker kanal. Fra kommuneregisteret."))
    method = forms.ChoiceField(label=_("Hvordan"), initial="auto", widget=forms.RadioSelect, choices=[
        ("auto", _("E-post der enheten har e-postadresse, ellers brev")), ("letter", _("Brev til alle"))])

    def __init__(self, *args, recipients=(), municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = [(u.pk, f"{u.name} ({u.get_sector_display()})") for u in recipients]
        self.fields["units"].initial = [u.pk for u in recipients]
        self.fields["municipality"].choices = [("", _("Ingen"))] + list(municipalities)
        for name in ("event", "units", "method"):
            self.fields[name].widget.attrs.pop("class", None)


class ObjectionForm(HelhetForm):
    objected_on = forms.DateField(label=_("Dato"), widget=DateInput(), initial=today)
    given_by_name = forms.CharField(label=_("Navn på den som reserverte seg"), max_length=200)
    how = forms.ChoiceField(label=_("Hvordan"), choices=Consent.Method.choices)
    note = forms.CharField(label=_("Merknad"), widget=forms.Textarea, required=False)


class ObjectionWithdrawForm(HelhetForm):
    on = forms.DateField(label=_("Trukket tilbake dato"), widget=DateInput(), initial=today)


class DisagreementForm(HelhetForm):
    kind = forms.ChoiceField(label=_("Type uenighet"), choices=Disagreement.Kind.choices, widget=forms.RadioSelect)
    raised_on = forms.DateField(label=_("Dato"), widget=DateInput(), initial=today)
    health_trust = forms.ChoiceField(label=_("Helseforetak"), required=False, help_text=_("Ved uenighet mellom sykehus og kommune."))
    parties = forms.CharField(label=_("Hvilke tjenester er uenige?"), max_length=300, required=False,
                              help_text=_("Ved uenighet om hovedansvar, for eksempel NAV og helse- og omsorgstjenesten."))
    description = forms.CharField(label=_("Hva gjelder uenigheten?"), widget=forms.Textarea)

    def __init__(self, *args, trusts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["health_trust"].choices = _choices(trusts, _("Ikke relevant"))
        self.fields["kind"].widget.attrs.pop("class", None)


class DisagreementResolveForm(HelhetForm):
    resolved_on = forms.DateField(label=_("Avgjort dato"), widget=DateInput(), initial=today)
    outcome = forms.CharField(label=_("Utfall og begrunnelse"), widget=forms.Textarea)
    decided_sector = forms.ChoiceField(label=_("Tjenesten som får hovedansvar"), required=False, choices=[("", _("Ikke relevant"))] + MAIN_SECTOR_CHOICES)
    decided_unit = forms.ChoiceField(label=_("Enheten som får hovedansvar"), required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_unit"].choices = [("", _("Ikke relevant"))] + [(u.pk, f"{u.name} ({u.get_sector_display()})") for u in units]


class MainResponsibilityConfirmForm(HelhetForm):
    """After a move: the new KE confirms main responsibility (transfer_main_responsibility_confirm)."""

    unit = forms.ChoiceField(label=_("Tjenesten som får hovedansvaret"))
    reason = forms.CharField(label=_("Begrunnelse"), widget=forms.Textarea, required=False,
                             help_text=_("Tom: «Personen har flyttet fra …»."))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, f"{u.name} ({u.get_sector_display()})") for u in units]
