"""Consent records. This issue stores consent to the plan work / coordinator; sharing consent builds on it."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helhet.people.models import Person, Relative


class Consent(models.Model):
    class Kind(models.TextChoices):
        PLAN_WORK = "plan_work", _("Samtykke til individuell plan")
        COORDINATOR = "coordinator", _("Samtykke til koordinator")
        SHARING = "sharing", _("Samtykke til deling av taushetsbelagte opplysninger")

    class GivenBy(models.TextChoices):
        PERSON = "person", _("Personen selv")
        GUARDIAN = "guardian", _("Verge")
        PARENTS = "parents", _("Foreldre / foresatte")
        CLOSEST_RELATIVE = "closest_relative", _("Nærmeste pårørende (personen mangler samtykkekompetanse)")

    class Method(models.TextChoices):
        SIGNED_IN_APP = "signed_in_app", _("Signert i Helhet")
        ORAL = "oral", _("Muntlig, registrert av tjenesteyter")
        PAPER = "paper", _("Papir, skannet")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    given_by = models.CharField(_("gitt av"), max_length=20, choices=GivenBy.choices)
    given_by_relative = models.ForeignKey(Relative, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    given_by_name = models.CharField(_("navn på den som samtykket"), max_length=200)
    method = models.CharField(_("hvordan"), max_length=20, choices=Method.choices)
    given_on = models.DateField(_("dato"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)
    withdrawn_on = models.DateField(_("trukket tilbake"), null=True, blank=True)
    note = models.TextField(_("merknad"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("samtykke")
        verbose_name_plural = _("samtykker")
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["person", "kind"], name="consent_person_kind")]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("given_on")), name="consent_valid_range"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.person} ({self.given_on:%d.%m.%Y})"

    def valid_on(self, day: dt.date) -> bool:
        if self.given_on > day:
            return False
        if self.withdrawn_on and self.withdrawn_on <= day:
            return False
        return self.valid_to is None or day <= self.valid_to

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.given_by in (self.GivenBy.GUARDIAN, self.GivenBy.PARENTS) and self.given_by_relative_id:
            if not self.given_by_relative.may_consent:
                raise ValidationError({"given_by_relative": _("Denne pårørende er ikke registrert som verge eller foresatt som kan samtykke.")})
            if self.given_by_relative.person_id != self.person_id:
                raise ValidationError({"given_by_relative": _("Pårørende hører til en annen person.")})
