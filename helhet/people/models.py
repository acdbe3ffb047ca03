"""Service recipients (tjenestemottaker), their relatives and guardians, and who is involved with them."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helhet.core.validators import parse_national_id, validate_national_id
from helhet.organizations.models import Organization, ServiceUnit


class Person(models.Model):
    """The service recipient: the person the plan is for, who owns the plan."""

    class Capacity(models.TextChoices):
        FULL = "full", _("Samtykkekompetent")
        LACKING = "lacking", _("Mangler samtykkekompetanse")
        PARTIAL = "partial", _("Delvis samtykkekompetent")

    given_name = models.CharField(_("fornavn"), max_length=100)
    family_name = models.CharField(_("etternavn"), max_length=100)
    national_id = models.CharField(_("fødselsnummer / D-nummer"), max_length=11, unique=True, validators=[validate_national_id])
    birth_date = models.DateField(_("fødselsdato"), editable=False)
    is_d_number = models.BooleanField(_("D-nummer"), default=False, editable=False)
    # The home municipality as a TENANT (the access policy's "KE of the home municipality" reads this). Empty when the
    # person's home municipality does not use Helhet; set from home_municipality_entry when it has a tenant
    # (people.services.person_create; directory.services.tenant_joined when the municipality joins).
    home_municipality = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="residents", verbose_name=_("hjemkommune"),
        limit_choices_to={"kind": Organization.Kind.MUNICIPALITY}, null=True, blank=True,
    )
    # The home municipality as chosen from the directory (every municipality, tenant or not; issue 12).
    home_municipality_entry = models.ForeignKey(
        "directory.Municipality", on_delete=models.PROTECT, related_name="residents", null=True, blank=True,
        verbose_name=_("hjemkommune i kommuneregisteret"),
    )
    address = models.CharField(_("adresse"), max_length=200, blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    preferred_language = models.CharField(_("foretrukket språk"), max_length=50, default="norsk")
    needs_interpreter = models.BooleanField(_("behov for tolk"), default=False)
    capacity_to_consent = models.CharField(_("samtykkekompetanse"), max_length=10, choices=Capacity.choices, default=Capacity.FULL)
    deceased_on = models.DateField(_("død"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tjenestemottaker")
        verbose_name_plural = _("tjenestemottakere")
        ordering = ["family_name", "given_name"]
        # The KE overview and the person search filter by home municipality and sort by name.
        indexes = [
            models.Index(fields=["home_municipality", "family_name"], name="person_home_name"),
            # people.selectors person list: ORDER BY family_name, given_name, id LIMIT n (issue 14).
            models.Index(fields=["family_name", "given_name", "id"], name="person_list_order"),
            # Not here, on PostgreSQL only: person_given_name_trgm / person_family_name_trgm, GIN pg_trgm indexes on
            # UPPER(name::text) for the name search of people.selectors.person_list and cases.selectors.ke_lists
            # (migration 0004_person_name_trigram; kept out of the model state so SQLite table rebuilds never see them).
        ]
        constraints = [
            models.CheckConstraint(condition=Q(home_municipality__isnull=False) | Q(home_municipality_entry__isnull=False),
                                   name="person_has_home_municipality"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def home_municipality_label(self) -> str:
        """The home municipality as the pages show it: the directory entry, else the tenant."""
        if self.home_municipality_entry_id:
            return str(self.home_municipality_entry)
        return str(self.home_municipality) if self.home_municipality_id else ""

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def save(self, *args, **kwargs):
        parsed = parse_national_id(self.national_id)
        self.birth_date, self.is_d_number = parsed.birth_date, parsed.is_d_number
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.national_id:
            try:
                parsed = parse_national_id(self.national_id)
            except ValidationError:
                return  # the field validator reports it
            self.birth_date, self.is_d_number = parsed.birth_date, parsed.is_d_number
        if self.home_municipality_id and not self.home_municipality.is_municipality:
            raise ValidationError({"home_municipality": _("Hjemkommunen må være en kommune.")})

    def age_on(self, day: dt.date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


class CapacityFinding(models.Model):
    """A written, reasoned finding that the person lacks (or has regained) capacity to consent."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="capacity_findings")
    capacity = models.CharField(_("samtykkekompetanse"), max_length=10, choices=Person.Capacity.choices)
    reasons = models.TextField(_("begrunnelse"))
    scope = models.CharField(_("gjelder"), max_length=200, blank=True, help_text=_("Hvilke spørsmål vurderingen gjelder."))
    found_on = models.DateField(_("dato"))
    found_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-found_on", "-id"]

    def __str__(self):
        return f"{self.get_capacity_display()} ({self.found_on:%d.%m.%Y})"


class Relative(models.Model):
    """A relative (pårørende) or guardian (verge/foresatt) of the person."""

    class Relationship(models.TextChoices):
        PARENT = "parent", _("Forelder / foresatt")
        GUARDIAN = "guardian", _("Verge")
        SPOUSE = "spouse", _("Ektefelle / samboer")
        CHILD = "child", _("Barn")
        SIBLING = "sibling", _("Søsken")
        OTHER = "other", _("Annen pårørende")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relatives")
    name = models.CharField(_("navn"), max_length=200)
    relationship = models.CharField(_("relasjon"), max_length=20, choices=Relationship.choices)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    is_closest_relative = models.BooleanField(_("nærmeste pårørende"), default=False)
    may_take_part = models.BooleanField(_("kan delta i planarbeidet"), default=False, help_text=_("Bare så langt personen ønsker det."))
    may_consent = models.BooleanField(_("kan samtykke på vegne av personen"), default=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="relative_of")

    class Meta:
        verbose_name = _("pårørende")
        verbose_name_plural = _("pårørende")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.get_relationship_display()})"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.may_consent and self.relationship not in (self.Relationship.PARENT, self.Relationship.GUARDIAN):
            raise ValidationError({"may_consent": _("Bare verge eller foresatte kan samtykke på vegne av personen.")})


class Involvement(models.Model):
    """A service unit (and optionally a named staff member) that gives services to the person.

    This is the "involved with" relationship the access policy reads
    (helhet/access/policy.py): staff see a person only through it, a
    coordinator appointment, or the KE role of the responsible tenant.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="involvements")
    unit = models.ForeignKey(ServiceUnit, on_delete=models.PROTECT, related_name="involvements")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="involvements")
    description = models.CharField(_("tjeneste"), max_length=200, blank=True)
    start = models.DateField(_("fra"))
    end = models.DateField(_("til"), null=True, blank=True)

    class Meta:
        verbose_name = _("involvert tjeneste")
        verbose_name_plural = _("involverte tjenester")
        # Used by access.selectors.visible_persons() for the "involved staff / unit" branches.
        indexes = [
            models.Index(fields=["staff", "end"], name="involvement_staff"),
            models.Index(fields=["unit", "end"], name="involvement_unit"),
        ]
        constraints = [models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="involvement_end_after_start")]

    def __str__(self):
        return f"{self.unit} – {self.person}"
