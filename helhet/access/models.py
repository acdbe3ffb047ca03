"""Personal, time-limited access grants (tilgang for navngitt personell, e.g. a hospital clinician on a municipal plan).

A grant gives ONE named staff user (possibly in another organisation) Rel.GRANT to ONE person between
valid_from and valid_to (both inclusive, both required), limited to the grant's information categories,
and only while the sharing consent it rests on is valid. Revoking sets revoked_at; nothing is deleted.
The relationship is computed in helhet/access/grant_facts.py; what it allows is decided in policy.py.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helhet.consent.models import Consent
from helhet.people.models import Person


class AccessGrant(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="access_grants", verbose_name=_("tjenestemottaker"))
    grantee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_grants", verbose_name=_("gis tilgang"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("gitt av"))
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="access_grants", verbose_name=_("samtykke"))
    valid_from = models.DateField(_("fra dato"))
    valid_to = models.DateField(_("til dato"))
    categories = models.JSONField(_("opplysninger"), default=list)
    reason = models.TextField(_("begrunnelse"))
    revoked_at = models.DateTimeField(_("tilbakekalt"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("personlig tilgang")
        verbose_name_plural = _("personlige tilganger")
        ordering = ["-valid_from", "-id"]
        # grant_facts.grant_branch and queries.plan_access: "active grants of this user".
        indexes = [models.Index(fields=["grantee", "valid_to"], name="grant_grantee_valid_to")]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=models.F("valid_from")), name="grant_valid_range"),
        ]

    def __str__(self):
        return f"{self.grantee} → {self.person} ({self.valid_from:%d.%m.%Y}–{self.valid_to:%d.%m.%Y})"

    def active_on(self, day: dt.date) -> bool:
        return self.revoked_at is None and self.valid_from <= day <= self.valid_to

    @property
    def category_labels(self) -> list[str]:
        from helhet.consent.categories import label

        return [label(c) for c in self.categories or []]


def active_grants_q(day: dt.date, prefix: str = "") -> Q:
    """Grants in force on `day`: inside their window, not revoked, and resting on a consent valid that day."""
    from helhet.consent.models import valid_consents_q

    p = prefix
    return (Q(**{f"{p}valid_from__lte": day, f"{p}valid_to__gte": day, f"{p}revoked_at__isnull": True})
            & valid_consents_q(day, prefix=f"{p}consent__"))


class ObjectionQuerySet(models.QuerySet):
    def active_on(self, day: dt.date):
        return self.filter(objected_on__lte=day).filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))


class HealthSharingObjection(models.Model):
    """The person (or whoever acts for them) objects to cooperating health personnel receiving their health
    information without a consent (the rule "health-personnel.cooperation"). In force from objected_on until
    withdrawn_on; takes effect at the next request (helhet.access.facts.health_rule). Nothing is deleted."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="health_sharing_objections", verbose_name=_("tjenestemottaker"))
    objected_on = models.DateField(_("dato"))
    given_by_name = models.CharField(_("navn på den som motsatte seg"), max_length=200)
    how = models.CharField(_("hvordan"), max_length=20, choices=Consent.Method.choices)
    note = models.TextField(_("merknad"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_on = models.DateField(_("trukket tilbake"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("motsetter seg deling med helsepersonell")
        verbose_name_plural = _("motsetter seg deling med helsepersonell")
        ordering = ["-objected_on", "-id"]
        # facts.health_rule: "an active objection of this person".
        indexes = [models.Index(fields=["person", "objected_on"], name="objection_person")]

    def __str__(self):
        return f"{self.person} ({self.objected_on:%d.%m.%Y})"

    def active_on(self, day: dt.date) -> bool:
        return self.objected_on <= day and (self.withdrawn_on is None or self.withdrawn_on > day)
