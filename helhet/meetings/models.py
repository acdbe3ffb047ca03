"""Meetings of the plan group (møte i ansvarsgruppen / plangruppen), their minutes (referat), and the plan
group's message threads (meldinger).

Glossary (DOMAIN.md): Meeting = møte; Invitee = innkalt; Minutes = referat; ActionItem = oppfølgingspunkt
(becomes a Measure = tiltak in the plan); Thread = meldingstråd; Post = melding; ReadMarker = lest-markør.

Minutes and threads carry an information category (helhet.meetings.scopes.CATEGORIES, default "general"; plain strings, validated by the services):
who may read the content is decided by helhet.meetings.scopes.may_see_category, never here.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helhet.organizations.models import ServiceUnit
from helhet.people.models import Relative
from helhet.plans.models import Goal, IndividualPlan, Measure, Participant

from .scopes import GENERAL, category_label


def _uid() -> str:
    return f"{uuid.uuid4()}@helhet"


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planlagt")
        HELD = "held", _("Gjennomført")
        CANCELLED = "cancelled", _("Avlyst")

    plan = models.ForeignKey(IndividualPlan, on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(_("tittel"), max_length=200)
    agenda = models.TextField(_("saksliste"))
    start = models.DateTimeField(_("starter"))
    end = models.DateTimeField(_("slutter"))
    place = models.CharField(_("sted"), max_length=200, blank=True)
    video_url = models.URLField(_("lenke til videomøte"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    # iCalendar identity: UID stays, SEQUENCE grows with every change sent (RFC 5545 3.8.7.4).
    uid = models.CharField(max_length=100, unique=True, default=_uid, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    organizer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("møteleder"))
    invitations_sent_at = models.DateTimeField(_("invitasjon sendt"), null=True, blank=True)
    cancelled_reason = models.TextField(_("årsak til avlysning"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("møte")
        verbose_name_plural = _("møter")
        ordering = ["-start", "-id"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="meeting_end_after_start")]
        # selectors.meetings_of_plan lists a plan's meetings by time; the "minutes" deadline provider scans by status.
        indexes = [models.Index(fields=["plan", "start"], name="meeting_plan_start"),
                   models.Index(fields=["status", "start"], name="meeting_status_start")]

    def __str__(self):
        return f"{self.title} ({self.start:%d.%m.%Y})"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("Møtet må slutte etter at det starter.")})
        if not (self.place or "").strip() and not (self.video_url or "").strip():
            raise ValidationError({"place": _("Oppgi sted eller lenke til videomøte.")})


class Invitee(models.Model):
    """One invited member of the plan group, with attendance recorded after the meeting."""

    class Attendance(models.TextChoices):
        UNKNOWN = "", _("Ikke registrert")
        ATTENDED = "attended", _("Møtte")
        ABSENT = "absent", _("Møtte ikke")
        EXCUSED = "excused", _("Meldt forfall")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    participant = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("type"), max_length=20, choices=Participant.Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    relative = models.ForeignKey(Relative, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("navn"), max_length=200)
    email = models.EmailField(_("e-post"), blank=True)
    attendance = models.CharField(_("oppmøte"), max_length=20, choices=Attendance.choices, blank=True, default="")

    class Meta:
        verbose_name = _("innkalt")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "participant"], condition=Q(participant__isnull=False),
                                               name="invitee_once_per_meeting")]

    def __str__(self):
        return self.name


class Minutes(models.Model):
    """The minutes (referat) of one meeting, written in the app; sent once (sent_at) to the invitees."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    text = models.TextField(_("referat"))
    category = models.CharField(_("opplysningskategori"), max_length=30, default=GENERAL)  # scopes.CATEGORIES
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("referat sendt"), null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("referat")
        verbose_name_plural = _("referater")

    def __str__(self):
        return f"{_('Referat')} – {self.meeting}"

    def get_category_display(self) -> str:
        return category_label(self.category)


class ActionItem(models.Model):
    """An action item in the minutes; on saving the minutes it becomes a Measure in the plan (measure)."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="action_items")
    text = models.CharField(_("oppfølgingspunkt"), max_length=300)
    responsible_unit = models.ForeignKey(ServiceUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    responsible_person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField(_("frist"), null=True, blank=True)
    goal = models.ForeignKey(Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    measure = models.ForeignKey(Measure, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.text


class MinutesDelivery(models.Model):
    """Who was sent the minutes, and whether with content or only a notice (consent scope)."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="deliveries")
    invitee = models.ForeignKey(Invitee, on_delete=models.CASCADE, related_name="+")
    with_content = models.BooleanField()
    email = models.EmailField(blank=True)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.minutes_id} -> {self.invitee_id} ({'innhold' if self.with_content else 'varsel'})"


class Thread(models.Model):
    """A message thread inside a plan's group."""

    plan = models.ForeignKey(IndividualPlan, on_delete=models.PROTECT, related_name="threads")
    subject = models.CharField(_("emne"), max_length=200)
    category = models.CharField(_("opplysningskategori"), max_length=30, default=GENERAL)  # scopes.CATEGORIES
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_post_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("meldingstråd")
        ordering = ["-last_post_at", "-id"]
        # selectors.threads_of_plan: a plan's threads by category, newest first.
        indexes = [models.Index(fields=["plan", "category"], name="thread_plan_category")]

    def __str__(self):
        return self.subject

    def get_category_display(self) -> str:
        return category_label(self.category)


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("melding"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("melding")
        ordering = ["id"]

    def __str__(self):
        return self.text[:60]


class ReadMarker(models.Model):
    """How far a user has read a thread: the id of the last post they saw (ids grow, clocks may not)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="markers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_post_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="readmarker_once")]

    def __str__(self):
        return f"{self.thread_id}/{self.user_id}: {self.last_read_post_id}"
