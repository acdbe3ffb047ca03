"""The law as data: every right, duty and deadline names its source and the dates it is in force."""

import datetime as dt

from django.db import models
from django.db.models import Q
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
