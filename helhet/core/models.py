"""Two pieces of the interface kit that need a table: the e-mail outbox and the API's idempotency keys.

- OutgoingEmail (helhet/core/outbox.py): every e-mail a write triggers is a row written IN the write's
  transaction, sent after commit and, when sending fails, retried by the worker (manage.py sendreminders).
  A committed write is never answered with a 5xx because the mail server was down or a header was bad.
- IdempotencyRecord (helhet/core/idempotency.py): the first response to an API POST/PATCH with an
  `Idempotency-Key` header, per principal, kept 24 h, so a client's retry never writes twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class OutgoingEmail(models.Model):
    """One e-mail to one recipient. Claimed with a conditional UPDATE and a lease (like notifications.Reminder)."""

    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=998)  # RFC 5322 line limit; outbox.enqueue folds CR/LF away first
    body = models.TextField()
    # [{"filename", "content", "mimetype", "params": {"method": "REQUEST"}}]; the .ics invitations.
    attachments = models.JSONField(default=list, blank=True)
    # Why it was sent (e.g. "meeting.invitation"), for the operator; never personal data.
    purpose = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)  # gave up after outbox.MAX_ATTEMPTS
    last_error = models.TextField(blank=True)

    class Meta:
        # outbox.deliver_due: the unsent rows that are due, oldest first.
        indexes = [
            models.Index(fields=["next_attempt_at"], name="outbox_due", condition=Q(sent_at__isnull=True, failed_at__isnull=True))
        ]

    def __str__(self):
        return f"{self.purpose} -> {self.to}"


class IdempotencyRecord(models.Model):
    """The first answer to (principal, key). `request_hash` covers method, path and body: the same key with
    another request is a 422. Rows older than idempotency.TTL are ignored and pruned by the worker."""

    principal = models.CharField(max_length=100)  # "user:<pk>" (or "client:<id>" for a system client)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField(null=True, blank=True)  # None while the first request runs
    response_body = models.BinaryField(blank=True, default=b"")
    content_type = models.CharField(max_length=200, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="idempotency_once_per_principal")]
        # idempotency.prune: delete what is older than the TTL.
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self):
        return f"{self.principal}:{self.key}"
