"""Consent records: to the plan work / coordinator, and to sharing confidential information.

A sharing consent (kind='sharing') names WHICH information categories (helhet.consent.categories), what
must NOT be shared (exclusions, free text), WITH WHOM (named staff and/or units), FOR WHAT use (purpose) and
for WHAT period (valid_from/valid_to). helhet.access.queries turns the valid ones into the scopes that
helhet.access.policy.may_see_category decides by. Withdrawal sets withdrawn_on; nothing is ever deleted.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helhet.organizations.models import ServiceUnit
from helhet.people.models import Person, Relative


def valid_consents_q(day: dt.date, prefix: str = "") -> Q:
    """Q for consents valid on `day` (given, started, not withdrawn, not expired). `prefix` for a related consent."""
    p = prefix
    return (
        Q(**{f"{p}given_on__lte": day})
        & (Q(**{f"{p}valid_from__isnull": True}) | Q(**{f"{p}valid_from__lte": day}))
        & (Q(**{f"{p}withdrawn_on__isnull": True}) | Q(**{f"{p}withdrawn_on__gt": day}))
        & (Q(**{f"{p}valid_to__isnull": True}) | Q(**{f"{p}valid_to__gte": day}))
    )


class ConsentQuerySet(models.QuerySet):
    def valid_on(self, day: dt.date):
        return self.filter(valid_consents_q(day))


class Consent(models.Model):
    objects = ConsentQuerySet.as_manager()

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
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Sharing consent only (kind='sharing'): which information, with whom, for what, from when.
    valid_from = models.DateField(_("gyldig fra"), null=True, blank=True)
    categories = models.JSONField(_("opplysninger som kan deles"), default=list, blank=True)
    exclusions = models.TextField(_("skal ikke deles"), blank=True)
    purpose = models.TextField(_("formål"), blank=True)
    recipient_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="sharing_consents",
                                             verbose_name=_("navngitte deltakere"))
    recipient_units = models.ManyToManyField(ServiceUnit, blank=True, related_name="sharing_consents", verbose_name=_("enheter"))
    note = models.TextField(_("merknad"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("samtykke")
        verbose_name_plural = _("samtykker")
        ordering = ["-given_on", "-id"]
        indexes = [
            models.Index(fields=["person", "kind"], name="consent_person_kind"),
            # consent.selectors.expiring_consents: sharing consents ending soon, for the coordinator's and KE's lists.
            models.Index(fields=["kind", "valid_to"], name="consent_kind_valid_to"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("given_on")), name="consent_valid_range"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                                   name="consent_valid_from_range"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.person} ({self.given_on:%d.%m.%Y})"

    @property
    def starts_on(self) -> dt.date:
        return self.valid_from or self.given_on

    def valid_on(self, day: dt.date) -> bool:
        if self.given_on > day or (self.valid_from and self.valid_from > day):
            return False
        if self.withdrawn_on and self.withdrawn_on <= day:
            return False
        return self.valid_to is None or day <= self.valid_to

    @property
    def category_labels(self) -> list[str]:
        from .categories import label

        return [label(c) for c in self.categories or []]

    def clean(self):
        from django.core.exceptions import ValidationError

        from .categories import clean_categories

        if self.kind == self.Kind.SHARING:
            try:
                self.categories = clean_categories(self.categories)
            except ValueError as exc:
                raise ValidationError({"categories": _("Ukjent kategori: %(c)s") % {"c": exc}}) from None
            if not self.categories:
                raise ValidationError({"categories": _("Velg hvilke opplysninger som kan deles.")})
            if not self.valid_to:
                raise ValidationError({"valid_to": _("Et samtykke til deling gjelder for en bestemt periode: oppgi sluttdato.")})
            if not (self.purpose or "").strip():
                raise ValidationError({"purpose": _("Oppgi hva opplysningene skal brukes til.")})
            if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
                raise ValidationError({"valid_to": _("Sluttdatoen kan ikke være før startdatoen.")})

        if self.given_by in (self.GivenBy.GUARDIAN, self.GivenBy.PARENTS) and self.given_by_relative_id:
            if not self.given_by_relative.may_consent:
                raise ValidationError({"given_by_relative": _("Denne pårørende er ikke registrert som verge eller foresatt som kan samtykke.")})
            if self.given_by_relative.person_id != self.person_id:
                raise ValidationError({"given_by_relative": _("Pårørende hører til en annen person.")})


class ParentsObjectionQuerySet(models.QuerySet):
    def holding_on(self, day: dt.date):
        """Objections in force on `day` that health personnel judged should be respected (helhet.access.facts: the
        parents of a young person in the band where the rules let the child object then see only the frame)."""
        return self.filter(recorded_on__lte=day, respected=True, assessed_on__lte=day).filter(
            Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))


class ParentsInformationObjection(models.Model):
    """A young person does not want their parents to be given information (pasient- og brukerrettighetsloven § 3-4
    second paragraph; the rule consent.parents-information, answer 'unless_child_objects'). Health personnel assess
    whether the reasons should be respected (respected, assessed_on/by, assessment_note); only then, and only while
    the person's age is in the band the rules give, do the parents lose representation (helhet.access.facts.branches).

    Immutable history: recorded once; the assessment is set once; a withdrawal sets withdrawn_on (nothing is
    deleted). A new objection may be recorded after a withdrawal or an assessment that it should not be respected.
    Written only by helhet.consent.parents_objection."""

    class How(models.TextChoices):
        PORTAL = "portal", _("Personen selv i Min plan")
        TOLD_STAFF = "told_staff", _("Fortalt til tjenesteyter")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="parents_objections", verbose_name=_("tjenestemottaker"))
    recorded_on = models.DateField(_("dato"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registrert av"))
    how = models.CharField(_("hvordan"), max_length=20, choices=How.choices)
    note = models.TextField(_("merknad"), blank=True)
    respected = models.BooleanField(_("grunnene bør respekteres"), null=True, blank=True)  # None: not assessed yet
    assessed_on = models.DateField(_("vurdert"), null=True, blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("vurdert av"))
    assessment_note = models.TextField(_("vurdering"), blank=True)
    withdrawn_on = models.DateField(_("trukket tilbake"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ParentsObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("ønske om at foreldrene ikke får opplysninger")
        verbose_name_plural = _("ønsker om at foreldrene ikke får opplysninger")
        ordering = ["-recorded_on", "-id"]
        # facts.branches (the representing block): "a respected objection of this person in force today".
        indexes = [models.Index(fields=["person", "recorded_on"], name="parents_objection_person")]
        constraints = [
            # One open objection per person (withdrawn, or judged not to be respected, closes it): a race is a clean 409.
            models.UniqueConstraint(fields=["person"], condition=Q(withdrawn_on__isnull=True) & ~Q(respected=False),
                                    name="parents_objection_one_open"),
            models.CheckConstraint(condition=Q(assessed_on__isnull=True) | Q(assessed_on__gte=models.F("recorded_on")),
                                   name="parents_objection_assessed_range"),
            models.CheckConstraint(condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("recorded_on")),
                                   name="parents_objection_withdrawn_range"),
            models.CheckConstraint(condition=Q(respected__isnull=True, assessed_on__isnull=True)
                                   | Q(respected__isnull=False, assessed_on__isnull=False), name="parents_objection_assessed_both"),
        ]

    def __str__(self):
        return f"{self.person} ({self.recorded_on:%d.%m.%Y})"

    @property
    def state(self) -> str:
        """'withdrawn', 'pending' (not assessed), 'respected' or 'not_respected' (today's view; history is in the dates)."""
        if self.withdrawn_on is not None:
            return "withdrawn"
        if self.respected is None:
            return "pending"
        return "respected" if self.respected else "not_respected"
