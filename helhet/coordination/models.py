"""The coordination loop between services: need notifications, transfers, informing partners, disagreements.

Glossary (DOMAIN.md): NeedNotification = melding om behov; Transfer = overføring (med sjekkliste for
overlevering); PartnerInformation = informasjon til fastlege og samarbeidspartnere;
PartnerInformationObjection = personens reservasjon mot slik informasjon; Disagreement = uenighet.

Consent to send a need notification (choice, documented here): the notification is sent only when the
person has consented to sending THIS information to THIS receiver. Either (a) the sender names a consent of
kind «sharing» (helhet.consent) that covers it (consent_covers_need_notification: valid on the day it is
sent, «helse og funksjon» among its categories — the notification describes health and function — and a
unit of the receiving organisation among its recipients; it is linked), or (b) the sender records the
consent given for this very notification on the notification itself: who consented, in what capacity, how
and when (decided by helhet.consent.services.consent_giver_check, as every consent is). A consent about
something else (e.g. the school only) never covers a notification by being the person's. (b) exists because
the hospital clinician who sees the need usually may not record consents in the municipality's system, but
must document the consent to contact the municipality (Helse Bergen's checklist item c).
helhet.coordination.services.need_notification_send decides; selectors.need_notification_consent_choices
offers the form the consents that could cover the receiving side.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helhet.cases.models import CoordinatorAppointment, Request
from helhet.consent.models import Consent
from helhet.organizations.models import Organization, ServiceUnit
from helhet.people.models import Person


class NeedNotification(models.Model):
    """Melding om behov: hospital -> the KE of the home municipality, or municipality -> a hospital unit (or its KE)."""

    class Direction(models.TextChoices):
        TO_MUNICIPALITY = "to_municipality", _("Fra spesialisthelsetjenesten til kommunen")
        TO_HOSPITAL = "to_hospital", _("Fra kommunen til spesialisthelsetjenesten")

    class Status(models.TextChoices):
        SENT = "sent", _("Sendt")
        ACKNOWLEDGED = "acknowledged", _("Mottatt og kvittert")
        HANDLED = "handled", _("Fulgt opp")

    OPEN = (Status.SENT, Status.ACKNOWLEDGED)

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="need_notifications")
    direction = models.CharField(_("retning"), max_length=20, choices=Direction.choices)
    from_organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("fra"))
    from_unit = models.ForeignKey(ServiceUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Empty while addressed to a municipality outside Helhet (to_municipality); set when it joins and its KE accepts.
    to_organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("til"))
    to_unit = models.ForeignKey(ServiceUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("mottakende enhet"))
    # Outside Helhet (issue 12): the directory entry it was sent to, the reference the e-mail carried (no personal
    # data), the KE address it went to; accepted_* when the municipality joined and took it into its inbox.
    to_municipality = models.ForeignKey("directory.Municipality", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("til kommune utenfor Helhet"))
    outside_reference = models.CharField(_("referanse"), max_length=20, blank=True)
    outside_email = models.EmailField(_("sendt til e-post"), blank=True)
    accepted_on = models.DateField(_("tatt inn i Helhet"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unit_was_known = models.BooleanField(_("mottakende enhet var kjent"), default=True)
    needs_ip = models.BooleanField(_("individuell plan"), default=False)
    needs_coordinator = models.BooleanField(_("koordinator"), default=False)
    needs_child_coordinator = models.BooleanField(_("barnekoordinator"), default=False)
    needs_hospital_coordinator = models.BooleanField(_("koordinator i spesialisthelsetjenesten"), default=False)
    summary = models.TextField(_("helsetilstand og funksjon (det som er relevant for koordineringen)"))
    contact_name = models.CharField(_("kontaktperson"), max_length=200)
    contact_phone = models.CharField(_("telefon til kontaktperson"), max_length=30, blank=True)
    # Consent to send: a linked sharing consent, or one recorded here (see the module docstring).
    consent = models.ForeignKey(Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    consent_given_by = models.CharField(_("samtykke gitt av"), max_length=20, choices=Consent.GivenBy.choices, blank=True)
    consent_given_by_name = models.CharField(_("navn på den som samtykket"), max_length=200, blank=True)
    consent_method = models.CharField(_("hvordan samtykket ble gitt"), max_length=20, choices=Consent.Method.choices, blank=True)
    consent_given_on = models.DateField(_("samtykke gitt dato"), null=True, blank=True)
    sent_on = models.DateField(_("sendt dato"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SENT)
    acknowledged_on = models.DateField(_("kvittert dato"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    handled_on = models.DateField(_("fulgt opp dato"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(Request, null=True, blank=True, on_delete=models.PROTECT, related_name="need_notifications")
    appointment = models.ForeignKey(CoordinatorAppointment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    response_note = models.TextField(_("svar"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("melding om behov")
        verbose_name_plural = _("meldinger om behov")
        ordering = ["-sent_on", "-id"]
        indexes = [
            models.Index(fields=["to_organization", "status"], name="neednotif_to_status"),
            models.Index(fields=["sent_by", "sent_on"], name="neednotif_sender"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(needs_ip=True) | Q(needs_coordinator=True) | Q(needs_child_coordinator=True) | Q(needs_hospital_coordinator=True),
                name="neednotif_names_a_need",
            ),
            models.CheckConstraint(condition=Q(consent__isnull=False) | Q(consent_given_on__isnull=False), name="neednotif_has_consent"),
            models.CheckConstraint(condition=Q(to_organization__isnull=False) | Q(to_municipality__isnull=False), name="neednotif_has_receiver"),
        ]

    def __str__(self):
        return f"{_('Melding om behov')} {self.sent_on:%d.%m.%Y} – {self.person}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_outside(self) -> bool:
        """Addressed to a municipality that does not (yet) use Helhet: the sender records the answer."""
        return self.to_organization_id is None

    def needs_list(self) -> list[str]:
        out = []
        for flag, label in [("needs_ip", _("individuell plan")), ("needs_coordinator", _("koordinator")),
                            ("needs_child_coordinator", _("barnekoordinator")),
                            ("needs_hospital_coordinator", _("koordinator i spesialisthelsetjenesten"))]:
            if getattr(self, flag):
                out.append(str(label))
        return out


# What a need notification contains (a summary of health and function): the category a consent must name to cover it.
NEED_NOTIFICATION_CATEGORY = "health_function"  # helhet.consent.categories.Category.HEALTH_FUNCTION


def consent_covers_need_notification(consent: Consent, *, day, organization_ids, unit_id=None) -> str:
    """Why `consent` does not cover sending a need notification on `day` to a unit of one of `organization_ids` (or to
    the unit `unit_id`): "" when it does, else "kind", "not_valid", "category" or "recipient".

    Pure over the consent and its recipient units (prefetch consent.recipient_units with their organization_id).
    Named staff among the recipients do not count: a notification goes to a unit's inbox, not to one person.
    Used by services.need_notification_send (the verdict) and selectors.need_notification_consent_choices (the form's list).
    """
    if consent.kind != Consent.Kind.SHARING:
        return "kind"
    if not consent.valid_on(day):
        return "not_valid"
    if NEED_NOTIFICATION_CATEGORY not in (consent.categories or []):
        return "category"
    org_ids = set(organization_ids)
    if not any(u.pk == unit_id or u.organization_id in org_ids for u in consent.recipient_units.all()):
        return "recipient"
    return ""


class Transfer(models.Model):
    """Overføring: a coordinator handed over, with a checklist. The old coordinator continues until the new one is appointed."""

    class Kind(models.TextChoices):
        COORDINATOR_LEAVES = "coordinator_leaves", _("Koordinator slutter eller bytter")
        MOVE = "move", _("Personen flytter til en annen kommune")
        HOSPITAL_TO_MUNICIPALITY = "hospital_to_municipality", _("Fra spesialisthelsetjenesten til kommunen")
        MUNICIPALITY_TO_HOSPITAL = "municipality_to_hospital", _("Fra kommunen til spesialisthelsetjenesten")
        CHILD_TURNS_18 = "child_turns_18", _("Barnet fyller 18 år (barnekoordinator opphører)")

    class Status(models.TextChoices):
        OPEN = "open", _("Pågår")
        COMPLETED = "completed", _("Fullført")
        CANCELLED = "cancelled", _("Avbrutt")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="transfers")
    kind = models.CharField(_("type overføring"), max_length=30, choices=Kind.choices)
    from_appointment = models.ForeignKey(CoordinatorAppointment, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                         verbose_name=_("nåværende koordinator"))
    to_appointment = models.ForeignKey(CoordinatorAppointment, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("ny koordinator"))
    from_organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("fra"))
    to_organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("til"))
    # Outside Helhet (issue 12), as on NeedNotification.
    to_municipality = models.ForeignKey("directory.Municipality", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("til kommune utenfor Helhet"))
    outside_reference = models.CharField(_("referanse"), max_length=20, blank=True)
    outside_email = models.EmailField(_("sendt til e-post"), blank=True)
    accepted_on = models.DateField(_("tatt inn i Helhet"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    effective_on = models.DateField(_("gjelder fra"))
    note = models.TextField(_("merknad"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    # For a move: the old coordinator continues until the new municipality appoints; this records it.
    old_coordinator_continues = models.BooleanField(_("nåværende koordinator fortsetter til ny er oppnevnt"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_on = models.DateField(_("fullført dato"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # A move (docs/decisions/0009-moves-end-rights.md): on completion main responsibility for the person's plan is PROPOSED
    # to a service of the new municipality; the new KE confirms it (services.transfer_main_responsibility_confirm), which
    # changes the plan through helhet.plans.services.main_responsibility_set.
    main_proposed_unit = models.ForeignKey(ServiceUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                           verbose_name=_("foreslått hovedansvar"))
    main_confirmed_on = models.DateField(_("hovedansvar bekreftet"), null=True, blank=True)
    main_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("overføring")
        verbose_name_plural = _("overføringer")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["to_organization", "status"], name="transfer_to_status")]
        constraints = [
            # One open transfer per person at a time: two would race for the same coordinator.
            models.UniqueConstraint(fields=["person"], condition=Q(status="open"), name="transfer_one_open_per_person"),
            models.CheckConstraint(condition=Q(to_organization__isnull=False) | Q(to_municipality__isnull=False), name="transfer_has_receiver"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.person}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_outside(self) -> bool:
        return self.to_organization_id is None

    @property
    def main_pending(self) -> bool:
        """A completed move whose proposed main responsibility the new KE has not confirmed yet."""
        return self.status == self.Status.COMPLETED and self.main_proposed_unit_id is not None and self.main_confirmed_on is None


class TransferChecklistItem(models.Model):
    KEYS = [
        ("plan_handed_over", _("Plan og dokumenter er overlevert")),
        ("person_informed", _("Personen (og eventuelt pårørende/verge) er informert")),
        ("new_coordinator_introduced", _("Ny koordinator er presentert for personen")),
        ("gp_informed", _("Fastlegen er informert")),
        ("consent_renewed", _("Samtykke er fornyet (plangruppen eller opplysningene som deles endres)")),
    ]

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="items")
    key = models.CharField(max_length=40, choices=KEYS)
    position = models.PositiveSmallIntegerField(default=0)
    done_on = models.DateField(_("utført dato"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    not_applicable = models.BooleanField(_("ikke aktuelt"), default=False)
    note = models.CharField(_("merknad"), max_length=300, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["transfer", "key"], name="transfer_item_unique")]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return str(dict(self.KEYS).get(self.key, self.key))

    @property
    def settled(self) -> bool:
        return self.done_on is not None or self.not_applicable


class PartnerInformationObjection(models.Model):
    """The person objects to the GP and other partners being informed about the arrangement. Respected until withdrawn."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="partner_objections")
    objected_on = models.DateField(_("dato"))
    given_by_name = models.CharField(_("navn på den som reserverte seg"), max_length=200)
    how = models.CharField(_("hvordan"), max_length=20, choices=Consent.Method.choices)
    note = models.TextField(_("merknad"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_on = models.DateField(_("trukket tilbake"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-objected_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(withdrawn_on__isnull=True), name="partner_objection_one_active"),
        ]

    def __str__(self):
        return f"{_('Reservasjon')} {self.objected_on:%d.%m.%Y} – {self.person}"


class PartnerInformation(models.Model):
    """One piece of information sent to the GP or another partner (to whom, which event, when, how)."""

    class Event(models.TextChoices):
        COORDINATOR_APPOINTED = "coordinator_appointed", _("Koordinator er oppnevnt")
        PLAN_STARTED = "plan_started", _("Arbeidet med individuell plan er startet")
        ARRANGEMENT_ENDED = "arrangement_ended", _("Ordningen er avsluttet")

    class Method(models.TextChoices):
        EMAIL = "email", _("E-post")
        LETTER = "letter", _("Brev")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="partner_information")
    event = models.CharField(_("hendelse"), max_length=30, choices=Event.choices)
    # The recipient: a unit in Helhet, or (issue 12) the coordinating unit of a municipality outside Helhet, from the
    # directory (exactly one of the two). Outside, the fields are those of NeedNotification / Transfer, so one pipeline
    # sends all three (helhet.directory.services.outside_send): the reference the e-mail carried (no personal data) and
    # the KE address it went to ("" when none or an example). The sender records the answer, if one comes (answered_*).
    recipient_unit = models.ForeignKey(ServiceUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("mottaker"))
    to_municipality = models.ForeignKey("directory.Municipality", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("til kommune utenfor Helhet"))
    outside_reference = models.CharField(_("referanse"), max_length=20, blank=True)
    outside_email = models.EmailField(_("sendt til e-post"), blank=True)
    answered_on = models.DateField(_("svar mottatt"), null=True, blank=True)
    answer_note = models.TextField(_("svar"), blank=True)
    answer_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    is_gp = models.BooleanField(_("fastlege"), default=False)
    method = models.CharField(_("hvordan"), max_length=10, choices=Method.choices)
    address = models.CharField(_("sendt til"), max_length=200, blank=True)
    body = models.TextField(_("innhold"))
    sent_at = models.DateTimeField(_("sendt"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=(Q(recipient_unit__isnull=False) & Q(to_municipality__isnull=True))
                                   | (Q(recipient_unit__isnull=True) & Q(to_municipality__isnull=False)), name="partnerinfo_one_recipient"),
        ]

    def __str__(self):
        return f"{self.get_event_display()} → {self.recipient_label}"

    @property
    def recipient_label(self) -> str:
        if self.recipient_unit_id:
            return self.recipient_unit.name
        return str(_("Koordinerende enhet i %(name)s kommune") % {"name": self.to_municipality.name})

    @property
    def is_outside(self) -> bool:
        """Sent to a municipality outside Helhet: the sender records its answer (directory.services)."""
        return self.to_municipality_id is not None

    @property
    def is_open(self) -> bool:
        """For the outside page: no answer recorded yet. Informing expects no answer, so it has no deadline."""
        return self.answered_on is None


class Disagreement(models.Model):
    class Kind(models.TextChoices):
        NEEDS_OR_RIGHTS = "needs_or_rights", _("Uenighet mellom sykehus og kommune om behov eller rettigheter")
        MAIN_RESPONSIBILITY = "main_responsibility", _("Uenighet mellom velferdstjenester om hovedansvar")

    class Status(models.TextChoices):
        OPEN = "open", _("Åpen")
        RESOLVED = "resolved", _("Avgjort")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="disagreements")
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    municipality = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune"))
    health_trust = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("helseforetak"))
    parties = models.CharField(_("partene"), max_length=300, blank=True, help_text=_("Hvilke tjenester er uenige?"))
    description = models.TextField(_("hva gjelder uenigheten"))
    raised_on = models.DateField(_("meldt dato"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    outcome = models.TextField(_("utfall og begrunnelse"), blank=True)
    resolved_on = models.DateField(_("avgjort dato"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_sector = models.CharField(_("tjenesten som får hovedansvar"), max_length=30, blank=True)
    decided_unit = models.ForeignKey(ServiceUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    applied_to_plan = models.ForeignKey("plans.IndividualPlan", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("uenighet")
        verbose_name_plural = _("uenigheter")
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind="main_responsibility") | Q(health_trust__isnull=False), name="disagreement_trust_for_needs"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.person}"
