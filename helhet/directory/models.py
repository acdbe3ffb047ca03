"""The directory (kommuneregister): every Norwegian municipality with its dates, and each one's coordinating unit (KE).

Helhet's tenants (organizations.Organization) are the municipalities that USE Helhet; this directory holds ALL of
them, so a need notification or a transfer can be addressed to a municipality that is not (yet) a tenant
(coordination.NeedNotification.to_municipality). A tenant is found by its kommunenummer
(Organization.municipality_number == Municipality.number).

Loaded from helhet/directory/data/ (source and date in each row; docs/directory.md) by the data migration and by
`manage.py load_directory`. Contact details marked `is_example` are examples: the real ones could not be verified.

CoordinatorTraining lives here too: the KE's training and guidance duty is part of the register the KE keeps of
its coordinators (helse- og omsorgstjenesteloven § 7-3 *check*), next to its own entry in this directory.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helhet.core.validators import validate_org_number
from helhet.organizations.models import Organization


class Municipality(models.Model):
    number = models.CharField(_("kommunenummer"), max_length=4)
    name = models.CharField(_("navn"), max_length=200)
    county_number = models.CharField(_("fylkesnummer"), max_length=2)
    county_name = models.CharField(_("fylke"), max_length=100)
    # The start of the period the source covers (2020-01-01), or the day the municipality began; not its founding.
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)
    successor = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="predecessors",
                                  verbose_name=_("etterfølger"))
    org_number = models.CharField(_("organisasjonsnummer"), max_length=9, blank=True, validators=[validate_org_number])
    source = models.CharField(_("kilde"), max_length=300)
    needs_check = models.BooleanField(_("må kontrolleres"), default=False,
                                      help_text=_("Skrevet inn for hånd og ikke kontrollert mot SSB (*check*)."))

    class Meta:
        verbose_name = _("kommune i kommuneregisteret")
        verbose_name_plural = _("kommuneregisteret")
        ordering = ["name", "number"]
        constraints = [models.UniqueConstraint(fields=["number", "valid_from"], name="directory_municipality_period")]
        # resolve_municipality() looks up a number; the person form lists those in force by name.
        indexes = [models.Index(fields=["number", "valid_to"], name="directory_number_to")]

    def __str__(self):
        return f"{self.name} ({self.number})"

    def in_force_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)

    def tenant(self) -> Organization | None:
        """The Helhet tenant for this municipality, when it has joined."""
        return Organization.objects.filter(kind=Organization.Kind.MUNICIPALITY, municipality_number=self.number).first()


def in_force_q(day: dt.date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class CoordinatingUnitContact(models.Model):
    """A municipality's coordinating unit (KE) as others reach it: name, postal address, e-mail, phone, org. number."""

    municipality = models.OneToOneField(Municipality, on_delete=models.CASCADE, related_name="coordinating_unit",
                                        verbose_name=_("kommune"))
    name = models.CharField(_("navn"), max_length=200)
    postal_address = models.CharField(_("postadresse"), max_length=300, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    org_number = models.CharField(_("organisasjonsnummer"), max_length=9, blank=True, validators=[validate_org_number])
    is_example = models.BooleanField(_("eksempeldata"), default=True,
                                     help_text=_("Kontaktopplysningene er eksempler og ikke kontrollert. Ikke bruk dem før de er rettet."))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("koordinerende enhet i kommuneregisteret")
        verbose_name_plural = _("koordinerende enheter i kommuneregisteret")
        ordering = ["municipality__name"]

    def __str__(self):
        return self.name


class CoordinatorTraining(models.Model):
    """One course or guidance a coordinator received, recorded by their tenant's KE (opplæring og veiledning)."""

    class Kind(models.TextChoices):
        COURSE = "course", _("Kurs / opplæring")
        GUIDANCE = "guidance", _("Veiledning")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune / helseforetak"))
    coordinator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coordinator_trainings",
                                    verbose_name=_("koordinator"))
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    held_on = models.DateField(_("dato"))
    given_by = models.CharField(_("gitt av"), max_length=200)
    topic = models.CharField(_("tema"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("opplæring og veiledning av koordinator")
        verbose_name_plural = _("opplæring og veiledning av koordinatorer")
        ordering = ["-held_on", "-id"]
        # The KE's training list: a tenant's records by coordinator.
        indexes = [models.Index(fields=["organization", "coordinator"], name="training_org_coordinator")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.held_on:%d.%m.%Y}"


class OutsideTransferAnswer(models.Model):
    """The answer a municipality outside Helhet gave to a transfer addressed to it, recorded by the sender (by e-mail,
    letter or phone). A need notification keeps its answer on itself (status, response_note); a transfer has no such
    fields and is another app's model, so the answer lives here (directory.services.outside_answer_record)."""

    transfer = models.OneToOneField("coordination.Transfer", on_delete=models.PROTECT, related_name="outside_answer",
                                    verbose_name=_("overføring"))
    answered_on = models.DateField(_("svar mottatt"))
    note = models.TextField(_("svar"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("svar på overføring fra kommune utenfor Helhet")
        verbose_name_plural = _("svar på overføringer fra kommuner utenfor Helhet")

    def __str__(self):
        return f"{self.transfer_id} {self.answered_on:%d.%m.%Y}"
