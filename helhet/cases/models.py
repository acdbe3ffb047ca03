"""Request (henvendelse) -> assessment -> decision (avgjørelse) -> appeal (klage); coordinator appointments."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helhet.organizations.models import Organization, ServiceUnit
from helhet.people.models import Person


class InformationRecord(models.Model):
    """That the person was informed about IP and coordinator, and what they answered (DOMAIN checklist a, b)."""

    class Answer(models.TextChoices):
        WANTS = "wants", _("Ønsker")
        DECLINES = "declines", _("Ønsker ikke")
        UNDECIDED = "undecided", _("Har ikke bestemt seg")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="information_records")
    informed_on = models.DateField(_("informert dato"))
    informed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(ServiceUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    about_ip = models.BooleanField(_("informert om individuell plan"), default=True)
    about_coordinator = models.BooleanField(_("informert om koordinator"), default=True)
    wants_ip = models.CharField(_("ønsker individuell plan"), max_length=10, choices=Answer.choices, default=Answer.UNDECIDED)
    wants_coordinator = models.CharField(_("ønsker koordinator"), max_length=10, choices=Answer.choices, default=Answer.UNDECIDED)
    note = models.TextField(_("merknad"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-informed_on", "-id"]

    def __str__(self):
        return f"{self.person} informert {self.informed_on:%d.%m.%Y}"


class Request(models.Model):
    class Channel(models.TextChoices):
        WRITTEN = "written", _("Skriftlig")
        ORAL = "oral", _("Muntlig")
        ELECTRONIC = "electronic", _("Elektronisk")
        NEED_NOTIFICATION = "need_notification", _("Melding om behov")
        APPEAL_OUTCOME = "appeal_outcome", _("Ny behandling etter klage")

    class RequesterKind(models.TextChoices):
        PERSON = "person", _("Personen selv")
        RELATIVE = "relative", _("Pårørende / verge")
        PROFESSIONAL = "professional", _("Tjenesteyter / fagperson")

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registrert")
        ASSESSED = "assessed", _("Vurdert")
        DECIDED = "decided", _("Avgjort")
        APPEALED = "appealed", _("Påklaget")
        # The appeal was decided for the person (or sent back): the follow-up request (follows_appeal) holds the new decision.
        NEW_DECISION = "new_decision", _("Til ny avgjørelse etter klage")
        CLOSED = "closed", _("Avsluttet")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="requests")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="requests", verbose_name=_("mottatt av"))
    received_on = models.DateField(_("mottatt dato"))
    channel = models.CharField(_("kanal"), max_length=20, choices=Channel.choices)
    requester_kind = models.CharField(_("fra"), max_length=20, choices=RequesterKind.choices)
    requester_name = models.CharField(_("navn på den som henvendte seg"), max_length=200, blank=True)
    wants_ip = models.BooleanField(_("individuell plan"), default=False)
    wants_coordinator = models.BooleanField(_("koordinator"), default=False)
    wants_child_coordinator = models.BooleanField(_("barnekoordinator"), default=False)
    description = models.TextField(_("beskrivelse"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED)
    # Set on the request cases.services.appeal_advance opens when an appeal is decided for the person or sent back:
    # the KE's task to decide again (deadline: rule appeal.new-decision, helhet.cases.deadlines).
    follows_appeal = models.OneToOneField("cases.Appeal", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_up",
                                          verbose_name=_("ny behandling etter klage"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("henvendelse")
        verbose_name_plural = _("henvendelser")
        ordering = ["-received_on", "-id"]
        # The KE overview lists a tenant's requests by status, newest first.
        indexes = [
            models.Index(fields=["organization", "status", "received_on"], name="request_org_status"),
            # The KE overview's newest-first list without a status filter (bench: sorted the whole tenant before).
            models.Index(fields=["organization", "-received_on", "-id"], name="request_org_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(wants_ip=True) | Q(wants_coordinator=True) | Q(wants_child_coordinator=True),
                name="request_asks_for_something",
            )
        ]

    def __str__(self):
        return f"{_('Henvendelse')} {self.received_on:%d.%m.%Y} – {self.person}"

    def asked_for(self) -> list[str]:
        labels = []
        if self.wants_ip:
            labels.append(str(_("individuell plan")))
        if self.wants_coordinator:
            labels.append(str(_("koordinator")))
        if self.wants_child_coordinator:
            labels.append(str(_("barnekoordinator")))
        return labels


class Assessment(models.Model):
    """Assessment against the criteria, with reasons. The criteria flags are computed in cases.services."""

    request = models.OneToOneField(Request, on_delete=models.CASCADE, related_name="assessment")
    assessed_on = models.DateField(_("vurdert dato"))
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    long_term = models.BooleanField(_("langvarige tjenester"))
    services_involved = models.PositiveSmallIntegerField(_("antall tjenester som må ses i sammenheng"))
    complex_needs = models.BooleanField(_("komplekse eller langvarige behov"), default=False)
    child_serious_condition = models.BooleanField(
        _("barn (eller ventet barn) med alvorlig sykdom, skade eller nedsatt funksjonsevne"), default=False
    )
    child_needs_complex_services = models.BooleanField(
        _("behov for langvarige og sammensatte helse- og velferdstjenester"), default=False
    )
    meets_ip = models.BooleanField(_("vilkår for individuell plan oppfylt"), editable=False, default=False)
    meets_coordinator = models.BooleanField(_("vilkår for koordinator oppfylt"), editable=False, default=False)
    meets_child_coordinator = models.BooleanField(_("vilkår for barnekoordinator oppfylt"), editable=False, default=False)
    ip_right_suspended = models.BooleanField(_("retten til ny individuell plan var midlertidig opphevet"), editable=False, default=False)
    reasons = models.TextField(_("begrunnelse"))
    rules_applied = models.ManyToManyField("rules.Rule", related_name="+", blank=True)
    # A pathway coordinator (forløpskoordinator) the person has: do they fill the coordinator function? (None: not assessed)
    pathway_coordinator = models.ForeignKey("cases.PathwayCoordinator", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                            verbose_name=_("forløpskoordinator"))
    pathway_coordinator_fills_role = models.BooleanField(_("forløpskoordinatoren fyller koordinatorrollen"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Vurdering {self.assessed_on:%d.%m.%Y} – {self.request}"


class Decision(models.Model):
    class Outcome(models.TextChoices):
        GRANTED = "granted", _("Innvilget")
        PARTLY = "partly", _("Delvis innvilget")
        REFUSED = "refused", _("Avslått")

    class Law(models.TextChoices):
        """The law the decision is made under: it decides the appeal deadline (rules appeal.deadline.*)."""

        PATIENTS_RIGHTS = "patients_rights", _("Pasient- og brukerrettighetsloven")
        PUBLIC_ADMINISTRATION = "public_administration", _("Forvaltningsloven")

    request = models.OneToOneField(Request, on_delete=models.PROTECT, related_name="decision")
    law = models.CharField(_("avgjort etter"), max_length=30, choices=Law.choices, default=Law.PATIENTS_RIGHTS)
    decided_on = models.DateField(_("vedtaksdato"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    grants_ip = models.BooleanField(_("individuell plan innvilget"), default=False)
    grants_coordinator = models.BooleanField(_("koordinator innvilget"), default=False)
    grants_child_coordinator = models.BooleanField(_("barnekoordinator innvilget"), default=False)
    outcome = models.CharField(_("utfall"), max_length=10, choices=Outcome.choices, editable=False)
    reasons = models.TextField(_("begrunnelse"))
    appeal_route = models.TextField(_("klageadgang"), blank=True, editable=False)
    rules_applied = models.ManyToManyField("rules.Rule", related_name="+", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("avgjørelse")
        verbose_name_plural = _("avgjørelser")
        ordering = ["-decided_on", "-id"]
        indexes = [
            # cases.selectors.ke_lists "waiting": decisions granting a coordinator, oldest first (ORDER BY decided_on, id);
            # the KE overview walks it and stops after one page instead of sorting the tenant's decisions (issue 14).
            models.Index(fields=["decided_on", "id"], condition=Q(grants_coordinator=True) | Q(grants_child_coordinator=True),
                         name="decision_waiting_order"),
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} {self.decided_on:%d.%m.%Y} – {self.request}"

    def standing_label(self, appeals=None) -> str:
        """The outcome as it stands after any appeal: a refusal the appeal reversed is not shown as just "Avslått"."""
        appeals = list(self.appeals.all()) if appeals is None else appeals
        for appeal in appeals:
            if appeal.status in Appeal.GIVES_RIGHT:
                return str(_("%(outcome)s – omgjort etter klage") % {"outcome": self.get_outcome_display()})
            if appeal.status == Appeal.Status.SENT_BACK_BY_SF:
                return str(_("%(outcome)s – opphevet av Statsforvalteren") % {"outcome": self.get_outcome_display()})
        return self.get_outcome_display()


class Appeal(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Mottatt")
        UNDER_REVIEW = "under_review", _("Til behandling hos den som avgjorde")
        REVERSED = "reversed", _("Omgjort – klagen tatt til følge")
        FORWARDED = "forwarded", _("Sendt til Statsforvalteren")
        UPHELD_BY_SF = "upheld_by_sf", _("Statsforvalteren ga klageren medhold")
        REJECTED_BY_SF = "rejected_by_sf", _("Statsforvalteren opprettholdt avgjørelsen")
        SENT_BACK_BY_SF = "sent_back_by_sf", _("Statsforvalteren opphevet avgjørelsen og sendte saken tilbake")
        WITHDRAWN = "withdrawn", _("Trukket")

    # Which status may follow which: cases.services.appeal_advance() refuses anything else.
    TRANSITIONS = {
        Status.RECEIVED: {Status.UNDER_REVIEW, Status.WITHDRAWN},
        Status.UNDER_REVIEW: {Status.REVERSED, Status.FORWARDED, Status.WITHDRAWN},
        Status.FORWARDED: {Status.UPHELD_BY_SF, Status.REJECTED_BY_SF, Status.SENT_BACK_BY_SF, Status.WITHDRAWN},
    }
    # Outcomes that give the person the right they asked for: the KE must decide again (a follow-up request).
    GIVES_RIGHT = frozenset({Status.REVERSED, Status.UPHELD_BY_SF})
    # Outcomes after which the KE decides again: given right, or sent back for a new handling.
    NEEDS_NEW_DECISION = GIVES_RIGHT | {Status.SENT_BACK_BY_SF}

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="appeals")
    received_on = models.DateField(_("mottatt dato"))
    grounds = models.TextField(_("klagens begrunnelse"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("klage")
        verbose_name_plural = _("klager")
        ordering = ["-received_on", "-id"]
        indexes = [
            # cases.selectors.ke_lists "appeals": open appeals (the statuses in Appeal.TRANSITIONS; a test checks they
            # agree), oldest first (ORDER BY received_on, id) (issue 14).
            models.Index(fields=["received_on", "id"], condition=Q(status__in=["forwarded", "received", "under_review"]),
                         name="appeal_open_order"),
        ]

    def __str__(self):
        return f"Klage {self.received_on:%d.%m.%Y} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.TRANSITIONS


class AppealEvent(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=20, choices=Appeal.Status.choices)
    on = models.DateField(_("dato"))
    note = models.TextField(_("merknad"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]

    def __str__(self):
        return f"{self.get_status_display()} {self.on:%d.%m.%Y}"


class CoordinatorAppointment(models.Model):
    """One period of one coordinator for one person. Periods are [start, end): end is the first day without."""

    class Kind(models.TextChoices):
        COORDINATOR = "coordinator", _("Koordinator")
        CHILD_COORDINATOR = "child_coordinator", _("Barnekoordinator")
        HOSPITAL_COORDINATOR = "hospital_coordinator", _("Koordinator i spesialisthelsetjenesten")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="coordinator_appointments")
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    coordinator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coordinator_appointments", verbose_name=_("koordinator"))
    unit = models.ForeignKey(ServiceUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("enhet"))
    appointed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(Request, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments")
    person_wish = models.TextField(_("personens ønske"), blank=True)
    start = models.DateField(_("fra"))
    end = models.DateField(_("til"), null=True, blank=True)
    end_reason = models.CharField(_("grunn til avslutning"), max_length=200, blank=True)
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("koordinatoroppnevning")
        verbose_name_plural = _("koordinatoroppnevninger")
        ordering = ["-start", "-id"]
        constraints = [
            # Never two open appointments of the same kind for one person; two concurrent
            # appointments race here and the loser gets a clear conflict (cases.services).
            models.UniqueConstraint(fields=["person", "kind"], condition=Q(end__isnull=True), name="appointment_one_open_per_kind"),
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gt=models.F("start")), name="appointment_end_after_start"),
        ]
        # A coordinator's list of their persons.
        indexes = [models.Index(fields=["coordinator", "end"], name="appointment_coordinator")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.coordinator} for {self.person}"

    def active_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


# --- The other roles the guidelines name (issue 11) ------------------------------------------------------------------


class ContactDoctor(models.Model):
    """Kontaktlege / kontaktpsykolog in hospital: the person's fixed medical contact, appointed by the unit leader.

    Registered when the need is found (need_found_on) and appointed no later than the working day after
    (rule contact-doctor.deadline, helhet.cases.deadlines.contact_doctor_deadlines); open while appointed_on is None.
    """

    class Kind(models.TextChoices):
        DOCTOR = "doctor", _("Kontaktlege")
        PSYCHOLOGIST = "psychologist", _("Kontaktpsykolog")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="contact_doctors")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.DOCTOR)
    unit = models.ForeignKey(ServiceUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("enhet i sykehuset"))
    need_found_on = models.DateField(_("behovet ble avdekket"))
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("kontaktlege / kontaktpsykolog"))
    clinician_name = models.CharField(_("navn"), max_length=200, blank=True)
    appointed_on = models.DateField(_("oppnevnt dato"), null=True, blank=True)
    appointed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ended_on = models.DateField(_("avsluttet dato"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kontaktlege")
        verbose_name_plural = _("kontaktleger")
        ordering = ["-need_found_on", "-id"]
        constraints = [
            # One open contact doctor per person and hospital unit: a second registration races into a clean 409.
            models.UniqueConstraint(fields=["person", "unit"], condition=Q(ended_on__isnull=True), name="contact_doctor_one_open_per_unit"),
            models.CheckConstraint(condition=Q(appointed_on__isnull=True) | Q(appointed_on__gte=models.F("need_found_on")),
                                   name="contact_doctor_appointed_after_need"),
        ]
        # The unit leader's deadline list: contact doctors not yet appointed (cases.deadlines.contact_doctor_deadlines).
        indexes = [models.Index(fields=["appointed_on", "ended_on"], name="contact_doctor_open")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.display_name or '–'}"

    @property
    def display_name(self) -> str:
        if self.clinician_id:
            return self.clinician.get_full_name() or self.clinician.get_username()
        return self.clinician_name

    @property
    def is_appointed(self) -> bool:
        return self.appointed_on is not None


class PathwayCoordinator(models.Model):
    """Forløpskoordinator in a patient pathway (pakkeforløp): cancer, or mental health and addiction. May fill the
    coordinator function; whether they do is recorded on the assessment (Assessment.pathway_coordinator_fills_role)."""

    class Pathway(models.TextChoices):
        CANCER = "cancer", _("Pakkeforløp for kreft")
        MENTAL_HEALTH_ADDICTION = "mental_health_addiction", _("Pakkeforløp for psykisk helse og rus")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="pathway_coordinators")
    pathway = models.CharField(_("forløp"), max_length=30, choices=Pathway.choices)
    name = models.CharField(_("navn"), max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(ServiceUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("enhet"))
    start = models.DateField(_("fra"))
    end = models.DateField(_("til"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("forløpskoordinator")
        verbose_name_plural = _("forløpskoordinatorer")
        ordering = ["-start", "-id"]
        constraints = [models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="pathway_coordinator_period")]

    def __str__(self):
        return f"{self.get_pathway_display()}: {self.name}"

    def active_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class CoordinationLead(models.Model):
    """Samordningsansvar: the welfare service that joins up the services when the person has no right to an individual
    plan or a coordinator, decided by the municipality under its guideline (rule coordination-lead.duty, local version
    first) and recorded with who decided it and when."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="coordination_leads")
    request = models.ForeignKey(Request, null=True, blank=True, on_delete=models.PROTECT, related_name="coordination_leads",
                                verbose_name=_("sak"))
    unit = models.ForeignKey(ServiceUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("tjeneste med samordningsansvar"))
    contact_name = models.CharField(_("kontaktperson"), max_length=200, blank=True)
    decided_on = models.DateField(_("bestemt dato"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("begrunnelse"))
    rule = models.ForeignKey("rules.Rule", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ended_on = models.DateField(_("avsluttet dato"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("samordningsansvar")
        verbose_name_plural = _("samordningsansvar")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(ended_on__isnull=True), name="coordination_lead_one_open"),
        ]

    def __str__(self):
        return f"{_('Samordningsansvar')}: {self.unit}"
