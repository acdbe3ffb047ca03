"""Tenants (municipalities, health trusts), their units and staff.

Glossary: Organization = kommune / helseforetak (tenant); ServiceUnit = enhet /
tjenesteyter; the unit with is_coordinating_unit is the koordinerende enhet (KE).
"""

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helhet.core.validators import validate_org_number


class Organization(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Kommune")
        HEALTH_TRUST = "health_trust", _("Helseforetak")

    name = models.CharField(_("navn"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    org_number = models.CharField(_("organisasjonsnummer"), max_length=9, unique=True, validators=[validate_org_number])
    municipality_number = models.CharField(
        _("kommunenummer"), max_length=4, blank=True,
        validators=[RegexValidator(r"^\d{4}$", _("Kommunenummer har 4 siffer."))],
    )

    class Meta:
        verbose_name = _("organisasjon")
        verbose_name_plural = _("organisasjoner")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality_number"], condition=~Q(municipality_number=""), name="org_unique_municipality_number"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind == self.Kind.MUNICIPALITY and not self.municipality_number:
            raise ValidationError({"municipality_number": _("En kommune må ha kommunenummer.")})

    @property
    def is_municipality(self) -> bool:
        return self.kind == self.Kind.MUNICIPALITY


class Sector(models.TextChoices):
    HEALTH_CARE = "health_care", _("Kommunale helse- og omsorgstjenester")
    NAV = "nav", _("NAV")
    CHILD_WELFARE = "child_welfare", _("Barnevern")
    SCHOOL = "school", _("Skole")
    KINDERGARTEN = "kindergarten", _("Barnehage")
    PP_SERVICE = "pp_service", _("PP-tjenesten")
    SPECIALIST = "specialist", _("Spesialisthelsetjenesten")
    MENTAL_HEALTH = "mental_health", _("Psykisk helse og rus")
    GP = "gp", _("Fastlegekontor")
    COORDINATING_UNIT = "coordinating_unit", _("Koordinerende enhet")


class Level(models.TextChoices):
    MUNICIPAL = "municipal", _("Kommunalt nivå")
    SPECIALIST = "specialist", _("Spesialisthelsetjenesten")


class ServiceUnit(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="units", verbose_name=_("organisasjon"))
    name = models.CharField(_("navn"), max_length=200)
    sector = models.CharField(_("sektor"), max_length=30, choices=Sector.choices)
    level = models.CharField(_("nivå"), max_length=20, choices=Level.choices)
    org_number = models.CharField(_("organisasjonsnummer"), max_length=9, blank=True, validators=[validate_org_number])
    is_coordinating_unit = models.BooleanField(_("koordinerende enhet"), default=False)
    email = models.EmailField(_("e-post"), blank=True)

    class Meta:
        verbose_name = _("tjenesteenhet")
        verbose_name_plural = _("tjenesteenheter")
        ordering = ["organization__name", "name"]
        constraints = [
            # Exactly one KE per tenant: at most one here, at least one by organization_create().
            models.UniqueConstraint(
                fields=["organization"], condition=Q(is_coordinating_unit=True), name="unit_one_ke_per_org"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.organization})"


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Koordinator")
    KE_OFFICER = "ke_officer", _("Saksbehandler i koordinerende enhet")
    CLINICIAN = "clinician", _("Behandler / helsepersonell")
    UNIT_LEADER = "unit_leader", _("Enhetsleder")
    GP = "gp", _("Fastlege")
    NAV_ADVISER = "nav_adviser", _("NAV-veileder")
    WELFARE_STAFF = "welfare_staff", _("Lærer / annet velferdspersonell")
    ADMINISTRATOR = "administrator", _("Administrator")


class User(AbstractUser):
    """A staff user (and, from the portal issue, a citizen). Identified in production by HelseID / ID-porten."""

    national_id = models.CharField(_("fødselsnummer"), max_length=11, blank=True)
    hpr_number = models.CharField(_("HPR-nummer"), max_length=10, blank=True)
    title = models.CharField(_("stilling"), max_length=100, blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("bruker")
        verbose_name_plural = _("brukere")
        # cases.selectors.ke_lists "coordinators": ORDER BY coordinator last name, person, id over the tenant's
        # appointments (at 9k persons 470 appointment rows read instead of 6,910; issue 14).
        indexes = [models.Index(fields=["last_name", "id"], name="user_last_name")]

    def __str__(self):
        return self.get_full_name() or self.username


class Membership(models.Model):
    """A staff user's role in a unit. One person may hold several roles in several units."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(ServiceUnit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices)
    active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")]
        # helhet.access (its facts module) reads a user's active memberships on every request.
        indexes = [models.Index(fields=["user", "active"], name="membership_user_active")]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.unit}"
