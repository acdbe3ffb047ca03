"""The one individual plan (individuell plan, IP) per person: content items a–i, sub-plans, versions.

Glossary (DOMAIN.md): IndividualPlan = individuell plan; Goal = mål; Resource = ressurs; Need = behov;
Participant = deltaker i plangruppen; Contribution = egen innsats; Measure = tiltak; Evaluation =
evaluering; Cooperation = samarbeid med andre tjenester; SubPlan = delplan; PlanVersion = publisert versjon.

Edits go to the working copy (these rows). `IndividualPlan.version` is the optimistic-lock counter:
every service in helhet.plans.services bumps it with a conditional UPDATE; PlanChange logs what each
bump did, so a stale edit can be told what changed since its base. Publishing freezes the whole
nested document (helhet.plans.documents.build_document) into an immutable PlanVersion.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helhet.consent.categories import SECTION_DEFAULTS, SUBPLAN_KIND_DEFAULTS, Category
from helhet.consent.models import Consent
from helhet.organizations.models import Sector, ServiceUnit
from helhet.people.models import Person, Relative

# Sectors that can have main responsibility (hovedansvar) for a plan: municipal health & care, NAV,
# child welfare, or the hospital (only when over a longer period only hospital services are involved).
MAIN_SECTORS = [Sector.HEALTH_CARE, Sector.NAV, Sector.CHILD_WELFARE, Sector.SPECIALIST]
MAIN_SECTOR_CHOICES = [(s.value, s.label) for s in MAIN_SECTORS]


class IndividualPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        ACTIVE = "active", _("Aktiv")
        UNDER_EVALUATION = "under_evaluation", _("Under evaluering")
        CLOSED = "closed", _("Avsluttet")

    class Basis(models.TextChoices):
        AGREEMENT = "agreement", _("Avtale mellom tjenestene")
        MUNICIPALITY_DECISION = "municipality_decision", _("Kommunens avgjørelse")

    class CloseReason(models.TextChoices):
        NEED_ENDED = "need_ended", _("Behovet er opphørt")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Samtykket er trukket tilbake")
        DEATH = "death", _("Dødsfall")
        TRANSFER = "transfer", _("Overført")

    # Which status may follow which through plan_set_status(); closing and reopening have their own services.
    TRANSITIONS = {
        Status.DRAFT: {Status.ACTIVE},
        Status.ACTIVE: {Status.UNDER_EVALUATION},
        Status.UNDER_EVALUATION: {Status.ACTIVE},
    }

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="plans", verbose_name=_("tjenestemottaker"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    main_sector = models.CharField(_("hovedansvar"), max_length=30, choices=MAIN_SECTOR_CHOICES)
    main_unit = models.ForeignKey(ServiceUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("ansvarlig enhet"))
    main_basis = models.CharField(_("grunnlag for hovedansvar"), max_length=30, choices=Basis.choices, default=Basis.AGREEMENT)
    main_reason = models.TextField(_("begrunnelse for hovedansvar"), blank=True)
    period_start = models.DateField(_("planperiode fra"), null=True, blank=True)
    period_end = models.DateField(_("planperiode til"), null=True, blank=True)
    evaluation_interval_months = models.PositiveSmallIntegerField(_("evalueringsintervall (måneder)"), null=True, blank=True)
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="+", verbose_name=_("samtykke til planarbeidet"))
    predecessor = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="successors",
                                    verbose_name=_("forrige plan"))
    closed_on = models.DateField(_("avsluttet dato"), null=True, blank=True)
    close_reason = models.CharField(_("årsak til avslutning"), max_length=20, choices=CloseReason.choices, blank=True)
    close_note = models.TextField(_("merknad ved avslutning"), blank=True)
    # Optimistic lock: every edit carries the version it was based on (services._bump).
    version = models.PositiveIntegerField(_("arbeidsversjon"), default=1)
    published_number = models.PositiveIntegerField(_("siste publiserte versjon"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("individuell plan")
        verbose_name_plural = _("individuelle planer")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One plan per person (DOMAIN rule 5): at most one plan that is not closed. plan_create and
            # plan_reopen check first for a readable message; this catches the race (IntegrityError -> Conflict).
            models.UniqueConstraint(fields=["person"], condition=~Q(status="closed"), name="plan_one_open_per_person"),
            models.CheckConstraint(condition=Q(status="closed", closed_on__isnull=False) | (~Q(status="closed") & Q(closed_on__isnull=True)),
                                   name="plan_closed_has_date"),
            models.CheckConstraint(condition=Q(period_end__isnull=True) | Q(period_start__isnull=True) | Q(period_end__gte=models.F("period_start")),
                                   name="plan_period_range"),
        ]
        # The KE overview lists plans by status.
        indexes = [models.Index(fields=["status"], name="plan_status")]

    def __str__(self):
        return f"{_('Individuell plan')} – {self.person}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.main_basis == self.Basis.MUNICIPALITY_DECISION and not (self.main_reason or "").strip():
            raise ValidationError({"main_reason": _("Når kommunen avgjør hovedansvaret, må avgjørelsen begrunnes.")})
        if self.main_unit_id and self.main_sector and self.main_unit.sector != self.main_sector:
            if not (self.main_sector == Sector.SPECIALIST and self.main_unit.level == "specialist"):
                raise ValidationError({"main_unit": _("Den ansvarlige enheten må høre til tjenesten som har hovedansvaret.")})
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("Planperioden kan ikke slutte før den starter.")})


class PlanStatusChange(models.Model):
    """Status history of a plan: activated, evaluation, closed, reopened (each a recorded step)."""

    plan = models.ForeignKey(IndividualPlan, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=IndividualPlan.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=IndividualPlan.Status.choices)
    on = models.DateField(_("dato"))
    reason = models.TextField(_("begrunnelse"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.plan_id}: {self.from_status} -> {self.to_status} ({self.on})"


class MainResponsibilityChange(models.Model):
    """Every assignment of main responsibility (hovedansvar), the first one included."""

    plan = models.ForeignKey(IndividualPlan, on_delete=models.CASCADE, related_name="main_responsibility_changes")
    sector = models.CharField(_("hovedansvar"), max_length=30, choices=MAIN_SECTOR_CHOICES)
    unit = models.ForeignKey(ServiceUnit, on_delete=models.PROTECT, related_name="+")
    basis = models.CharField(_("grunnlag"), max_length=30, choices=IndividualPlan.Basis.choices)
    reason = models.TextField(_("begrunnelse"), blank=True)
    on = models.DateField(_("dato"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.plan_id}: {self.get_sector_display()} ({self.on})"


class PlanChange(models.Model):
    """One bump of the working copy's version: which section and item changed, by whom.

    Read by services._stale() to tell a stale editor what changed since the version they started from.
    """

    plan = models.ForeignKey(IndividualPlan, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField()
    section = models.CharField(max_length=30)
    op = models.CharField(max_length=10)  # add / update / remove / status / publish ...
    item_id = models.BigIntegerField(null=True, blank=True)
    summary = models.CharField(max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["version", "id"]
        indexes = [models.Index(fields=["plan", "version"], name="planchange_plan_version")]

    def __str__(self):
        return f"{self.plan_id} v{self.version}: {self.summary}"


def _category(section: str, **kw):
    """Every piece of plan content carries an information category; a plan participant sees it only while a
    sharing consent covers that category for them (helhet.access.policy.may_see_category)."""
    return models.CharField(_("opplysningskategori"), max_length=20, choices=Category.choices, default=SECTION_DEFAULTS[section], **kw)


class _Item(models.Model):
    """Common to the ordered content items of a plan."""

    order = models.PositiveIntegerField(_("rekkefølge"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["order", "id"]


class WrittenBy(models.TextChoices):
    PERSON = "person", _("Personen selv")
    RELATIVE = "relative", _("Pårørende")
    STAFF = "staff", _("Tjenesteyter på vegne av personen")


class Goal(_Item):
    """(a) The person's goals, in their own words ("Hva er viktig for deg?")."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Aktivt")
        ACHIEVED = "achieved", _("Nådd")
        CHANGED = "changed", _("Endret")
        DROPPED = "dropped", _("Lagt bort")

    plan = models.ForeignKey(IndividualPlan, on_delete=models.CASCADE, related_name="goals")
    text = models.TextField(_("mål (med personens egne ord)"))
    written_by = models.CharField(_("skrevet av"), max_length=20, choices=WrittenBy.choices, default=WrittenBy.PERSON)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_on = models.DateField(_("statusdato"), null=True, blank=True)
    status_note = models.TextField(_("merknad til status"), blank=True)
    category = _category("goals")

    class Meta(_Item.Meta):
        verbose_name = _("mål")

    def __str__(self):
        return self.text


class Resource(_Item):
    """(a) The person's strengths and resources."""

    plan = models.ForeignKey(IndividualPlan, on_delete=models.CASCADE, related_name="resources")
    text = models.TextField(_("ressurs"))
    category = _category("resources")
    written_by = models.CharField(_("skrevet av"), max_length=20, choices=WrittenBy.choices, default=WrittenBy.PERSON)

    class Meta(_Item.Meta):
        verbose_name = _("ressurs")

    def __str__(self):
        return self.text


class Need(_Item):
    """(a) Service needs."""

    plan = models.ForeignKey(IndividualPlan, on_delete=models.CASCADE, related_name="needs")
    text = models.TextField(_("behov"))
    area = models.CharField(_("område"), max_length=100, blank=True)
    category = _category("needs")
    written_by = models.CharField(_("skrevet av"), max_length=20, choices=WrittenBy.choices, default=WrittenBy.PERSON)

    class Meta(_Item.Meta):
        verbose_name = _("behov")

    def __str__(self):
        return self.text


class Participant(_Item):
    """(b) Who takes part in the plan work: the person, relatives, service providers (unit, sector, role).

    Active staff participants get Rel.PLAN_PARTICIPANT (helhet/plans/access_facts.py).
    """

    class Kind(models.TextChoices):
        PERSON = "person", _("Personen selv")
        RELATIVE = "relative", _("Pårørende")
        STAFF = "staff", _("Tjenesteyter")

    plan = models.ForeignKey(IndividualPlan, on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    relative = models.ForeignKey(Relative, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="plan_participations")
    unit = models.ForeignKey(ServiceUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sector = models.CharField(_("sektor"), max_length=30, choices=Sector.choices, blank=True)
    role = models.CharField(_("rolle i planarbeidet"), max_length=200, blank=True)
    active = models.BooleanField(_("aktiv"), default=True)

    class Meta(_Item.Meta):
        verbose_name = _("deltaker")
        # access_facts: "plans where this user is an active participant".
        indexes = [models.Index(fields=["user", "active"], name="participant_user_active")]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind == self.Kind.RELATIVE:
            if not self.relative_id:
                raise ValidationError({"relative": _("Velg hvilken pårørende som deltar.")})
            if self.plan_id and self.relative.person_id != self.plan.person_id:
                raise ValidationError({"relative": _("Pårørende hører til en annen person.")})
        if self.kind == self.Kind.STAFF:
            if not self.user_id:
                raise ValidationError({"user": _("Velg hvilken tjenesteyter som deltar.")})
            if not self.unit_id:
                raise ValidationError({"unit": _("Oppgi enheten tjenesteyteren deltar for.")})
            if not self.sector:
                self.sector = self.unit.sector
        if self.kind != self.Kind.RELATIVE:
            self.relative = None
        if self.kind != self.Kind.STAFF:
            self.user = None

    @property
    def name(self) -> str:
        if self.kind == self.Kind.PERSON:
            return self.plan.person.full_name if self.plan_id else ""
        if self.kind == self.Kind.RELATIVE and self.relative_id:
            return self.relative.name
        if self.user_id:
            return self.user.get_full_name() or self.user.username
        return ""


class Contribution(_Item):
    """(d) What the person, relatives and services contribute."""

    class By(models.TextChoices):
        PERSON = "person", _("Personen selv")
        RELATIVE = "relative", _("Pårørende")
        SERVICE = "service", _("Tjenesten")

    plan = models.ForeignKey(IndividualPlan, on_delete=models.CASCADE, related_name="contributions")
    by = models.CharField(_("bidrag fra"), max_length=20, choices=By.choices)
    relative = models.ForeignKey(Relative, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(ServiceUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("bidrag"))
    category = _category("contributions")

    class Meta(_Item.Meta):
        verbose_name = _("bidrag")

    def __str__(self):
        return self.text

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.relative_id and self.plan_id and self.relative.person_id != self.plan.person_id:
            raise ValidationError({"relative": _("Pårørende hører til en annen person.")})
        if self.by == self.By.SERVICE and not self.unit_id:
            raise ValidationError({"unit": _("Oppgi hvilken tjeneste som bidrar.")})


class Measure(_Item):
    """(e, f) Measures: goals they serve, scope, how carried out, responsible, dates, status with history."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planlagt")
        ONGOING = "ongoing", _("Pågår")
        PAUSED = "paused", _("Satt på pause")
        DONE = "done", _("Fullført")
        CANCELLED = "cancelled", _("Avlyst")

    plan = models.ForeignKey(IndividualPlan, on_delete=models.CASCADE, related_name="measures")
    title = models.CharField(_("tiltak"), max_length=300)
    goals = models.ManyToManyField(Goal, related_name="measures", blank=True, verbose_name=_("mål"))
    scope = models.TextField(_("omfang"), blank=True)
    how = models.TextField(_("hvordan tiltaket gjennomføres"), blank=True)
    responsible_unit = models.ForeignKey(ServiceUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                         verbose_name=_("ansvarlig enhet"))
    responsible_person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                           verbose_name=_("ansvarlig person"))
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("slutt"), null=True, blank=True)
    deadline = models.DateField(_("frist"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    deprioritised = models.BooleanField(_("nedprioritert"), default=False)
    deprioritised_reason = models.TextField(_("begrunnelse for nedprioritering"), blank=True)
    category = _category("measures")

    class Meta(_Item.Meta):
        verbose_name = _("tiltak")

    def __str__(self):
        return self.title

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("Tiltaket kan ikke slutte før det starter.")})
        if self.deprioritised and not (self.deprioritised_reason or "").strip():
            raise ValidationError({"deprioritised_reason": _("Oppgi hvorfor tiltaket nedprioriteres, og at det er forsvarlig.")})
        if not self.deprioritised:
            self.deprioritised_reason = ""


class MeasureStatusChange(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Measure.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Measure.Status.choices)
    on = models.DateField(_("dato"))
    note = models.TextField(_("merknad"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.measure_id}: {self.from_status} -> {self.to_status}"


class Evaluation(_Item):
    """(g) Scheduled reviews of the plan and what came of them."""

    plan = models.ForeignKey(IndividualPlan, on_delete=models.CASCADE, related_name="evaluations")
    planned_on = models.DateField(_("planlagt dato"))
    held_on = models.DateField(_("gjennomført dato"), null=True, blank=True)
    reviewed = models.TextField(_("hva ble gjennomgått"), blank=True)
    changes = models.TextField(_("hva ble endret"), blank=True)
    next_on = models.DateField(_("neste evaluering"), null=True, blank=True)
    category = _category("evaluations")

    class Meta:
        ordering = ["planned_on", "id"]
        verbose_name = _("evaluering")

    def __str__(self):
        return f"{_('Evaluering')} {self.planned_on}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.held_on and self.next_on and self.next_on <= self.held_on:
            raise ValidationError({"next_on": _("Neste evaluering må være etter denne.")})


class Cooperation(_Item):
    """(i) Cooperation needed with other services, institutions and agencies."""

    class Kind(models.TextChoices):
        SERVICE = "service", _("Tjeneste")
        INSTITUTION = "institution", _("Institusjon")
        AGENCY = "agency", _("Etat")

    plan = models.ForeignKey(IndividualPlan, on_delete=models.CASCADE, related_name="cooperation")
    partner = models.CharField(_("samarbeidspart"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.SERVICE)
    unit = models.ForeignKey(ServiceUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    purpose = models.TextField(_("hva samarbeidet gjelder"))
    contact = models.CharField(_("kontakt"), max_length=200, blank=True)
    category = _category("cooperation")

    class Meta(_Item.Meta):
        verbose_name = _("samarbeid")

    def __str__(self):
        return self.partner


def _subplan_path(instance, filename: str) -> str:
    # Never the uploaded name: a random, non-guessable name; the original name is kept in file_name.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"plans/{instance.plan_id}/{secrets.token_urlsafe(24)}.{ext}"


class SubPlan(_Item):
    """A part of the plan: IOP, treatment, crisis or training plan, with its own responsible unit.

    Either structured text or an attached file (validated in services.subplan_add; served only through
    selectors.subplan_file, which checks access).
    """

    class Kind(models.TextChoices):
        IOP = "iop", _("Individuell opplæringsplan (IOP)")
        TREATMENT = "treatment", _("Behandlingsplan")
        CRISIS = "crisis", _("Kriseplan")
        TRAINING = "training", _("Opptreningsplan")

    plan = models.ForeignKey(IndividualPlan, on_delete=models.CASCADE, related_name="subplans")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("tittel"), max_length=200)
    responsible_unit = models.ForeignKey(ServiceUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("ansvarlig enhet"))
    text = models.TextField(_("innhold"), blank=True)
    file = models.FileField(upload_to=_subplan_path, blank=True, max_length=200)
    file_name = models.CharField(_("filnavn"), max_length=200, blank=True)
    file_size = models.PositiveIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    # Blank means "by kind" (SUBPLAN_KIND_DEFAULTS: an IOP is school information), filled in on save.
    category = models.CharField(_("opplysningskategori"), max_length=20, choices=Category.choices, blank=True)

    class Meta(_Item.Meta):
        verbose_name = _("delplan")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.category:
            self.category = SUBPLAN_KIND_DEFAULTS.get(self.kind, SECTION_DEFAULTS["subplans"])
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        if not (self.text or "").strip() and not self.file:
            raise ValidationError({"text": _("En delplan må ha innhold: skriv teksten eller legg ved en fil.")})


class PlanVersion(models.Model):
    """An immutable, published snapshot of the whole plan document. Never updated or deleted."""

    plan = models.ForeignKey(IndividualPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("versjon"))
    based_on_version = models.PositiveIntegerField(_("arbeidsversjon"))
    snapshot = models.JSONField()
    reason = models.CharField(_("hva er endret"), max_length=300)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="planversion_unique_number")]

    def __str__(self):
        return f"{self.plan_id} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("A published plan version is immutable.")
        super().save(*args, **kwargs)


# An 11-digit number (a fødselsnummer or D-nummer), also written 6 + 5 with a space, dot or dash between.
_NATIONAL_ID_LIKE = r"(?<!\d)\d{6}[ .\-]?\d{5}(?!\d)"
TEMPLATE_TEXT_MAX = 5000


class PlanTemplate(models.Model):
    """A plan template (planmal) per organisation and target group, managed by its KE (Action.PLAN_TEMPLATE_MANAGE).

    When a plan starts from it (services.plan_create(template_id=...)) each line of its texts becomes an item of the
    new plan: suggested goal and need headings, cooperation (`partner: what it concerns`) and measures with no
    responsible person. It must never carry personal data: clean() refuses any 11-digit number (a national id), and
    the form says not to write names; it holds no link to any person."""

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="plan_templates",
                                     verbose_name=_("organisasjon"))
    name = models.CharField(_("navn på malen"), max_length=200)
    target_group = models.CharField(_("målgruppe"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True, max_length=TEMPLATE_TEXT_MAX)
    goals = models.TextField(_("forslag til mål (ett per linje)"), blank=True, max_length=TEMPLATE_TEXT_MAX)
    needs = models.TextField(_("forslag til behov (ett per linje)"), blank=True, max_length=TEMPLATE_TEXT_MAX)
    cooperation = models.TextField(_("samarbeid med andre tjenester (én per linje: samarbeidspart: hva det gjelder)"), blank=True,
                                   max_length=TEMPLATE_TEXT_MAX)
    measures = models.TextField(_("forslag til tiltak (ett per linje, uten ansvarlig person)"), blank=True, max_length=TEMPLATE_TEXT_MAX)
    active = models.BooleanField(_("i bruk"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    TEXT_FIELDS = ("name", "target_group", "description", "goals", "needs", "cooperation", "measures")
    LINE_MAX = {"goals": 1000, "needs": 1000, "cooperation": 1000, "measures": 300}

    class Meta:
        ordering = ["organization_id", "target_group", "name"]
        verbose_name = _("planmal")
        # The KE's template list and the plan-start chooser filter by organisation and active.
        indexes = [models.Index(fields=["organization", "active"], name="plans_template_org_active")]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="plans_template_org_name")]

    def __str__(self):
        return f"{self.name} ({self.target_group})"

    @staticmethod
    def lines(text: str) -> list[str]:
        return [line.strip() for line in (text or "").splitlines() if line.strip()]

    def clean(self):
        import re

        from django.core.exceptions import ValidationError

        errors = {}
        for name in self.TEXT_FIELDS:
            if re.search(_NATIONAL_ID_LIKE, getattr(self, name) or ""):
                errors[name] = _("Malen kan ikke inneholde personopplysninger. Fjern tallet med 11 sifre (det kan være et fødselsnummer).")
        for name in self.TEXT_FIELDS:  # TextField max_length is not checked by Django's full_clean
            field = self._meta.get_field(name)
            if name not in errors and field.max_length and len(getattr(self, name) or "") > field.max_length:
                errors[name] = _("Feltet kan ha høyst %(n)s tegn.") % {"n": field.max_length}
        for name, limit in self.LINE_MAX.items():
            if name not in errors and any(len(line) > limit for line in self.lines(getattr(self, name))):
                errors[name] = _("Hver linje kan ha høyst %(n)s tegn.") % {"n": limit}
        if errors:
            raise ValidationError(errors)
