"""The law as data: every right, duty and deadline names its source and the dates it is in force."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Rule(models.Model):
    class Kind(models.TextChoices):
        RIGHT = "right", _("Rettighet")
        DUTY = "duty", _("Plikt")
        DEADLINE = "deadline", _("Frist")
        TEMPORARY = "temporary", _("Midlertidig regel")

    code = models.SlugField(_("kode"), max_length=80)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("tittel"), max_length=200)
    text = models.TextField(_("tekst"))
    source = models.CharField(_("kilde"), max_length=300, help_text=_("Lov og paragraf, forskrift eller lokal retningslinje."))
    valid_from = models.DateField(_("gjelder fra"))
    valid_to = models.DateField(_("gjelder til"), null=True, blank=True, help_text=_("Siste dag regelen gjelder."))
    organization = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="rules",
        help_text=_("Tom: nasjonal regel. Ellers en lokal retningslinje for denne organisasjonen."),
    )
    parameters = models.JSONField(_("parametere"), default=dict, blank=True)
    needs_check = models.BooleanField(_("må kontrolleres"), default=False, help_text=_("Ordlyden eller datoene er ikke verifisert."))

    class Meta:
        verbose_name = _("regel")
        verbose_name_plural = _("regler")
        ordering = ["code", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from", "organization"], name="rule_unique_version"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")), name="rule_valid_range"),
        ]

    def __str__(self):
        return f"{self.title} ({self.source})"

    def in_force_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def _guideline_key_choices():
    from .guidelines import GUIDELINES

    return [(g.key, g.label) for g in GUIDELINES.values()]


class LocalGuideline(models.Model):
    """One version of an organisation's local guideline value (versioned, append-only rows).

    Every change adds a row; rows are never updated or deleted, so the rows of
    an (organization, key) pair *are* its history: who set which value, when,
    from which previous value, why, and from which date it applies. The value
    in force on a day is the row with the latest valid_from <= day (the latest
    row wins among rows with the same valid_from); with no such row the
    registry default applies (helhet.rules.guidelines, selectors.guideline_value).
    """

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="local_guidelines", verbose_name=_("organisasjon"))
    key = models.CharField(_("retningslinje"), max_length=60, choices=_guideline_key_choices)
    value = models.PositiveIntegerField(_("verdi (dager)"))
    previous_value = models.PositiveIntegerField(_("tidligere verdi"), help_text=_("Verdien som gjaldt fra samme dato før endringen."))
    reason = models.TextField(_("begrunnelse"))
    source = models.CharField(_("kilde"), max_length=300, help_text=_("F.eks. «Retningslinje UNN/kommunene i Troms og Ofoten»."))
    valid_from = models.DateField(_("gjelder fra"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("endret av"))
    changed_at = models.DateTimeField(_("endret"), default=timezone.now)

    class Meta:
        verbose_name = _("lokal retningslinje")
        verbose_name_plural = _("lokale retningslinjer")
        ordering = ["organization", "key", "valid_from", "id"]
        indexes = [models.Index(fields=["organization", "key", "valid_from"], name="guideline_lookup")]
        constraints = [models.CheckConstraint(condition=Q(value__gt=0), name="guideline_value_positive")]

    def __str__(self):
        return f"{self.organization_id}:{self.key}={self.value} ({self.valid_from})"
