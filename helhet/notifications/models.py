"""Reminders, in-app notifications, and the two facts the first-contact deadline needs.

Deadlines themselves are never stored (helhet.rules.deadlines.collect computes
them). A Reminder is the record that the reminder for ONE deadline (its key)
was claimed, sent, escalated or resolved — what makes "sent once" hold.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class FirstContact(models.Model):
    """The coordinator's first contact with the person after the appointment (ends the first_contact deadline)."""

    class How(models.TextChoices):
        MEETING = "meeting", _("Møte")
        PHONE = "phone", _("Telefon")
        VIDEO = "video", _("Video")
        HOME_VISIT = "home_visit", _("Hjemmebesøk")
        LETTER = "letter", _("Brev / digital melding")

    appointment = models.OneToOneField("cases.CoordinatorAppointment", on_delete=models.PROTECT, related_name="first_contact")
    contacted_on = models.DateField(_("dato for første kontakt"))
    how = models.CharField(_("hvordan"), max_length=20, choices=How.choices)
    note = models.TextField(_("merknad"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("første kontakt")
        verbose_name_plural = _("første kontakter")

    def __str__(self):
        return f"{self.appointment_id}: {self.contacted_on:%d.%m.%Y}"


class DeadlineExtension(models.Model):
    """A longer first-contact deadline for one appointment, with the reason the local guideline demands.

    The latest row for an appointment is the one in force (earlier rows are history).
    helhet.notifications.providers.first_contact_deadlines reads it.
    """

    appointment = models.ForeignKey("cases.CoordinatorAppointment", on_delete=models.PROTECT, related_name="deadline_extensions")
    days = models.PositiveSmallIntegerField(_("ekstra dager"))
    reason = models.TextField(_("begrunnelse"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("forlenget frist")
        verbose_name_plural = _("forlengede frister")
        ordering = ["appointment", "created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(days__gte=1), name="extension_days_positive")]

    def __str__(self):
        return f"{self.appointment_id}: +{self.days}"


class Reminder(models.Model):
    """One reminder per deadline key: claimed with a conditional UPDATE, sent once, escalated once.

    The worker (manage.py sendreminders) inserts rows with insert-or-ignore on
    `key`, claims them by UPDATE ... WHERE sent_at IS NULL AND (claimed_at IS
    NULL OR claimed_at < lease), and marks them resolved when the deadline is no
    longer open.
    """

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40)
    due = models.DateField()
    title = models.CharField(max_length=300)
    rule_code = models.CharField(max_length=100, blank=True)
    url = models.CharField(max_length=300, blank=True)
    organization = models.ForeignKey("organizations.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    responsible_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    person_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # sendreminders' claim loops read the open rows only.
        indexes = [models.Index(fields=["resolved_at", "sent_at"], name="reminder_open")]

    def __str__(self):
        return self.key


class Notification(models.Model):
    """An in-app notification (the /varsler/ list). Other apps may create them through notifications.services.notify."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Påminnelse")
        ESCALATION = "escalation", _("Eskalering")
        INFO = "info", _("Melding")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INFO)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    reminder = models.ForeignKey(Reminder, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The /varsler/ list and the unread count: a user's notifications, unread first.
        indexes = [models.Index(fields=["user", "read_at", "created_at"], name="notification_user_unread")]
        constraints = [
            # A reminder notifies each recipient once, even if two workers race (belt and braces to the claim).
            models.UniqueConstraint(fields=["reminder", "user", "kind"], condition=Q(reminder__isnull=False), name="notification_once_per_reminder"),
        ]

    def __str__(self):
        return self.title
