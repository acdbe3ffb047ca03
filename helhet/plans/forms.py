"""Browser forms for the individual plan. They only parse input; helhet/plans/services.py decides and writes.

Every edit form carries the hidden `based_on_version` (the plan's working version the editor started from);
the service refuses a stale one with Conflict('stale'). Item forms map 1:1 to services.SECTIONS[section].fields:
`to_fields()` returns exactly the keyword arguments the item services take (FKs as <name>_id).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from helhet.core.forms import DateInput, HelhetForm

from .models import (
    MAIN_SECTOR_CHOICES,
    Contribution,
    Cooperation,
    Goal,
    IndividualPlan,
    Measure,
    Participant,
    SubPlan,
    WrittenBy,
)


def _unit_choices(units) -> list:
    return [("", "—")] + [(u.pk, f"{u.name} ({u.organization.name})") for u in units]


def _id(value):
    return int(value) if value not in (None, "") else None


class VersionedForm(HelhetForm):
    based_on_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    # set_version (after a stale edit) is HelhetForm's (helhet/core/forms.py).


class ItemForm(VersionedForm):
    """A content item of one section; `to_fields()` gives the service's `fields`."""

    def __init__(self, *args, plan=None, units=(), staff=(), relatives=(), goals=(), **kwargs):
        self.plan = plan
        super().__init__(*args, **kwargs)
        if "unit" in self.fields:
            self.fields["unit"].choices = _unit_choices(units)
        if "responsible_unit" in self.fields:
            self.fields["responsible_unit"].choices = _unit_choices(units) if not self.fields["responsible_unit"].required else \
                [(u.pk, f"{u.name} ({u.organization.name})") for u in units]
        if "user" in self.fields or "responsible_person" in self.fields:
            choices = [("", "—")] + [(unit, list(people)) for unit, people in staff]
            for name in ("user", "responsible_person"):
                if name in self.fields:
                    self.fields[name].choices = choices
        if "relative" in self.fields:
            self.fields["relative"].choices = [("", "—")] + [(r.pk, f"{r.name} ({r.get_relationship_display()})") for r in relatives]
        if "goal_ids" in self.fields:
            self.fields["goal_ids"].choices = [(g.pk, g.text if len(g.text) <= 80 else g.text[:77] + "…") for g in goals]

    def to_fields(self) -> dict:
        cd = dict(self.cleaned_data)
        cd.pop("based_on_version", None)
        out = {}
        for name, value in cd.items():
            if name in ("unit", "user", "relative", "responsible_unit", "responsible_person"):
                out[f"{name}_id"] = _id(value)
            elif name == "goal_ids":
                out[name] = [int(v) for v in value]
            else:
                out[name] = value
        return out

    @classmethod
    def initial_from(cls, obj) -> dict:
        initial = {}
        for name in cls.base_fields:
            if name == "based_on_version":
                continue
            if name == "goal_ids":
                initial[name] = [g.pk for g in obj.goals.all()]
            elif name in ("unit", "user", "relative", "responsible_unit", "responsible_person"):
                initial[name] = getattr(obj, f"{name}_id")
            else:
                initial[name] = getattr(obj, name)
        return initial


_TEXTAREA = forms.Textarea


class GoalForm(ItemForm):
    text = forms.CharField(label=_("Hva er viktig for deg? Målet med personens egne ord"), widget=_TEXTAREA, max_length=4000)
    written_by = forms.ChoiceField(label=_("Skrevet av"), choices=WrittenBy.choices, initial=WrittenBy.PERSON)


class ResourceForm(ItemForm):
    text = forms.CharField(label=_("Ressurs"), widget=_TEXTAREA, max_length=4000,
                           help_text=_("Hva personen mestrer, og hvem og hva som er til hjelp."))
    written_by = forms.ChoiceField(label=_("Skrevet av"), choices=WrittenBy.choices, initial=WrittenBy.PERSON)


class NeedForm(ItemForm):
    text = forms.CharField(label=_("Behov"), widget=_TEXTAREA, max_length=4000)
    area = forms.CharField(label=_("Område"), max_length=100, required=False, help_text=_("For eksempel bolig, arbeid, helse, skole."))
    written_by = forms.ChoiceField(label=_("Skrevet av"), choices=WrittenBy.choices, initial=WrittenBy.PERSON)


class ParticipantForm(ItemForm):
    kind = forms.ChoiceField(label=_("Deltaker"), choices=Participant.Kind.choices)
    relative = forms.ChoiceField(label=_("Pårørende"), required=False, help_text=_("Når deltakeren er pårørende."))
    user = forms.ChoiceField(label=_("Tjenesteyter"), required=False, help_text=_("Når deltakeren er tjenesteyter."))
    unit = forms.ChoiceField(label=_("Enhet"), required=False)
    role = forms.CharField(label=_("Rolle i planarbeidet"), max_length=200, required=False)
    active = forms.BooleanField(label=_("Aktiv deltaker"), required=False, initial=True)


class ContributionForm(ItemForm):
    by = forms.ChoiceField(label=_("Bidrag fra"), choices=Contribution.By.choices)
    relative = forms.ChoiceField(label=_("Pårørende"), required=False)
    unit = forms.ChoiceField(label=_("Tjeneste (enhet)"), required=False, help_text=_("Når bidraget er fra en tjeneste."))
    text = forms.CharField(label=_("Bidrag"), widget=_TEXTAREA, max_length=4000)


class MeasureForm(ItemForm):
    title = forms.CharField(label=_("Tiltak"), max_length=300)
    goal_ids = forms.MultipleChoiceField(label=_("Mål tiltaket skal bidra til"), required=False, widget=forms.CheckboxSelectMultiple)
    scope = forms.CharField(label=_("Omfang"), widget=_TEXTAREA, required=False, max_length=4000)
    how = forms.CharField(label=_("Hvordan tiltaket gjennomføres"), widget=_TEXTAREA, required=False, max_length=4000)
    responsible_unit = forms.ChoiceField(label=_("Ansvarlig enhet"), required=False)
    responsible_person = forms.ChoiceField(label=_("Ansvarlig person"), required=False)
    start = forms.DateField(label=_("Start"), required=False, widget=DateInput)
    end = forms.DateField(label=_("Slutt"), required=False, widget=DateInput)
    deadline = forms.DateField(label=_("Frist"), required=False, widget=DateInput)
    deprioritised = forms.BooleanField(label=_("Nedprioritert"), required=False)
    deprioritised_reason = forms.CharField(label=_("Begrunnelse for nedprioritering"), widget=_TEXTAREA, required=False, max_length=4000,
                                           help_text=_("Hvorfor tiltaket nedprioriteres, og hvorfor det er forsvarlig."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A <fieldset> with one checkbox per goal (people/_field.html renders radioselect-like widgets as a group).
        self.fields["goal_ids"].widget.attrs.pop("class", None)


class EvaluationForm(ItemForm):
    """Plan an evaluation date (item g). Recording a held one: EvaluationRecordForm."""

    planned_on = forms.DateField(label=_("Planlagt dato"), widget=DateInput)


class CooperationForm(ItemForm):
    partner = forms.CharField(label=_("Samarbeidspart"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=Cooperation.Kind.choices)
    unit = forms.ChoiceField(label=_("Enhet i Helhet"), required=False)
    purpose = forms.CharField(label=_("Hva samarbeidet gjelder"), widget=_TEXTAREA, max_length=4000)
    contact = forms.CharField(label=_("Kontakt"), max_length=200, required=False)


class SubPlanForm(ItemForm):
    kind = forms.ChoiceField(label=_("Type delplan"), choices=SubPlan.Kind.choices)
    title = forms.CharField(label=_("Tittel"), max_length=200)
    responsible_unit = forms.ChoiceField(label=_("Ansvarlig enhet"))
    text = forms.CharField(label=_("Innhold"), widget=_TEXTAREA, required=False, max_length=20000,
                           help_text=_("Skriv delplanen her, eller legg ved en fil."))
    file = forms.FileField(label=_("Fil"), required=False, help_text=_("PDF, DOCX, ODT, PNG eller JPEG, høyst 10 MB."))


class SubPlanEditForm(SubPlanForm):
    file = None  # the file of a sub-plan is replaced by removing it and adding a new one


SECTION_FORMS = {
    "goals": GoalForm,
    "resources": ResourceForm,
    "needs": NeedForm,
    "participants": ParticipantForm,
    "contributions": ContributionForm,
    "measures": MeasureForm,
    "evaluations": EvaluationForm,
    "cooperation": CooperationForm,
    "subplans": SubPlanForm,
}
EDIT_FORMS = {**SECTION_FORMS, "subplans": SubPlanEditForm}


class RemoveForm(VersionedForm):
    pass


class GoalStatusForm(VersionedForm):
    status = forms.ChoiceField(label=_("Status"), choices=Goal.Status.choices)
    on = forms.DateField(label=_("Dato"), required=False, widget=DateInput)
    note = forms.CharField(label=_("Merknad"), widget=_TEXTAREA, required=False, max_length=4000,
                           help_text=_("Påkrevd når målet er endret eller lagt bort."))


class MeasureStatusForm(VersionedForm):
    status = forms.ChoiceField(label=_("Ny status"), choices=Measure.Status.choices)
    on = forms.DateField(label=_("Dato"), required=False, widget=DateInput)
    note = forms.CharField(label=_("Merknad"), widget=_TEXTAREA, required=False, max_length=4000)


class EvaluationRecordForm(VersionedForm):
    held_on = forms.DateField(label=_("Gjennomført dato"), widget=DateInput)
    reviewed = forms.CharField(label=_("Hva ble gjennomgått"), widget=_TEXTAREA, max_length=4000)
    changes = forms.CharField(label=_("Hva ble endret"), widget=_TEXTAREA, required=False, max_length=4000)
    next_on = forms.DateField(label=_("Neste evaluering"), required=False, widget=DateInput)


class PlanPeriodForm(VersionedForm):
    period_start = forms.DateField(label=_("Planperiode fra"), required=False, widget=DateInput)
    period_end = forms.DateField(label=_("Planperiode til"), required=False, widget=DateInput)
    evaluation_interval_months = forms.IntegerField(label=_("Evalueringsintervall (måneder)"), required=False, min_value=1, max_value=60)


class PlanStatusForm(VersionedForm):
    status = forms.ChoiceField(label=_("Ny status"), choices=[(s.value, s.label) for s in IndividualPlan.Status if s != IndividualPlan.Status.CLOSED])
    reason = forms.CharField(label=_("Begrunnelse"), max_length=1000, required=False)


class PublishForm(VersionedForm):
    reason = forms.CharField(label=_("Hva er endret i denne versjonen?"), max_length=300)


class CloseForm(VersionedForm):
    reason = forms.ChoiceField(label=_("Årsak"), choices=IndividualPlan.CloseReason.choices, widget=forms.RadioSelect)
    on = forms.DateField(label=_("Dato"), widget=DateInput)
    note = forms.CharField(label=_("Merknad"), widget=_TEXTAREA, required=False, max_length=4000)


class ReopenForm(VersionedForm):
    reason = forms.CharField(label=_("Hvorfor gjenåpnes planen?"), widget=_TEXTAREA, max_length=4000)


class PlanCreateForm(HelhetForm):
    main_sector = forms.ChoiceField(label=_("Tjenesten med hovedansvar"), choices=MAIN_SECTOR_CHOICES,
                                    help_text=_("Kommunale helse- og omsorgstjenester, NAV, barnevernet, eller sykehuset når bare "
                                                "spesialisthelsetjenester er involvert over lengre tid."))
    main_unit = forms.ChoiceField(label=_("Ansvarlig enhet"))
    main_basis = forms.ChoiceField(label=_("Grunnlag for hovedansvaret"), choices=IndividualPlan.Basis.choices, widget=forms.RadioSelect,
                                   initial=IndividualPlan.Basis.AGREEMENT)
    main_reason = forms.CharField(label=_("Begrunnelse"), widget=_TEXTAREA, required=False, max_length=4000,
                                  help_text=_("Påkrevd når kommunen avgjør hvem som har hovedansvaret."))
    period_start = forms.DateField(label=_("Planperiode fra"), required=False, widget=DateInput)
    period_end = forms.DateField(label=_("Planperiode til"), required=False, widget=DateInput)
    evaluation_interval_months = forms.IntegerField(label=_("Evalueringsintervall (måneder)"), required=False, min_value=1, max_value=60)

    template = forms.ChoiceField(label=_("Start fra en planmal"), required=False,
                                 help_text=_("Malen fyller inn forslag til mål, behov, samarbeid og tiltak. Alt kan endres etterpå."))

    def __init__(self, *args, units=(), templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["main_unit"].choices = [(u.pk, f"{u.name} ({u.organization.name})") for u in units]
        if templates:
            self.fields["template"].choices = [("", _("Ingen mal"))] + [(t.pk, f"{t.name} – {t.target_group} ({t.organization.name})")
                                                                          for t in templates]
        else:
            del self.fields["template"]



# Every content item carries an information category (helhet.consent.categories): plan participants see an item
# only while a sharing consent covers its category for them. The coordinator picks it; the default is the
# section's. Sub-plans get theirs from the kind when added (an IOP is school information) and can be changed after.
def _add_category_field(form_cls, section: str) -> None:
    from helhet.consent.categories import SECTION_DEFAULTS, Category

    form_cls.base_fields["category"] = forms.ChoiceField(
        label=_("Opplysningskategori"), choices=Category.choices, initial=SECTION_DEFAULTS[section], required=False,
        help_text=_("Deltakere i plangruppen ser bare opplysninger som samtykket til deling dekker for dem."))
    form_cls.clean_category = _clean_category


def _clean_category(self):
    # Not sent (an older form, a script): keep the item's category, or the section's default for a new item.
    return self.cleaned_data.get("category") or self.initial.get("category") or self.fields["category"].initial


for _section, _cls in (("goals", GoalForm), ("resources", ResourceForm), ("needs", NeedForm), ("contributions", ContributionForm),
                       ("measures", MeasureForm), ("evaluations", EvaluationForm), ("cooperation", CooperationForm),
                       ("subplans", SubPlanEditForm)):
    _add_category_field(_cls, _section)


_NO_PERSONAL_DATA = _("Skriv ikke navn, fødselsnummer eller andre personopplysninger i malen: den brukes for mange personer. "
                      "Tekst med et tall på 11 sifre blir avvist.")


class PlanTemplateForm(HelhetForm):
    """The KE's plan template (helhet.plans.services.plan_template_save validates; PlanTemplate.clean refuses 11-digit numbers)."""

    organization = forms.ChoiceField(label=_("Organisasjon"))
    name = forms.CharField(label=_("Navn på malen"), max_length=200)
    target_group = forms.CharField(label=_("Målgruppe"), max_length=200,
                                   help_text=_("For eksempel «Barn med habiliteringsbehov» eller «Psykisk helse og rus»."))
    description = forms.CharField(label=_("Beskrivelse"), widget=_TEXTAREA, required=False, max_length=5000, help_text=_NO_PERSONAL_DATA)
    goals = forms.CharField(label=_("Forslag til mål"), widget=_TEXTAREA, required=False, max_length=5000,
                            help_text=_("Ett forslag per linje. Personen skriver målene med egne ord når planen lages."))
    needs = forms.CharField(label=_("Forslag til behov"), widget=_TEXTAREA, required=False, max_length=5000,
                            help_text=_("Én overskrift per linje."))
    cooperation = forms.CharField(label=_("Samarbeid med andre tjenester"), widget=_TEXTAREA, required=False, max_length=5000,
                                  help_text=_("Én per linje, slik: «Samarbeidspart: hva samarbeidet gjelder»."))
    measures = forms.CharField(label=_("Forslag til tiltak"), widget=_TEXTAREA, required=False, max_length=5000,
                               help_text=_("Ett tiltak per linje. Ansvarlig person settes i hver plan, ikke i malen."))

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(o.pk, o.name) for o in organizations]
        if len(organizations) <= 1:
            self.fields["organization"].required = False
            self.fields["organization"].widget = forms.HiddenInput()
            if organizations:
                self.initial.setdefault("organization", organizations[0].pk)
