"""The e-mail outbox: side effects of a write run after commit, and a failure is recorded and retried, never raised.

Before this, services sent e-mail inline: an SMTP error or a subject with CR/LF (BadHeaderError) after the row
was stored gave the user a 500 for a write that had committed, and a retrying client created duplicates.

Steps:
1. `enqueue(...)`, called by a service inside its transaction, writes one OutgoingEmail row per recipient. If the
   write rolls back, so does the e-mail: nothing is sent for a write that did not happen.
2. After commit (`transaction.on_commit`) `deliver(pk)` tries to send it at once. Any exception is caught,
   logged and recorded on the row (`attempts`, `last_error`, `next_attempt_at` with back-off).
3. The worker (`manage.py sendreminders [--loop]`, helhet.notifications) calls `deliver_due()` every batch: it
   claims due rows with a conditional UPDATE and a lease (several workers never send one row twice) and sends
   them. After MAX_ATTEMPTS a row is marked failed (`failed_at`) and left for the operator (docs/operations.md).

Delivery is at least once: a worker that dies between sending and marking the row sent sends it again after the
lease (the same trade-off as the reminders, helhet/notifications/reminders.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import socket
from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import OutgoingEmail

log = logging.getLogger("helhet.outbox")

MAX_ATTEMPTS = 8
# Wait before attempt n+1 (the last value repeats): about a day in all before a row is given up.
BACKOFF = [dt.timedelta(minutes=m) for m in (1, 5, 15, 60, 180, 360, 720)]
LEASE = dt.timedelta(minutes=10)

# CR, LF and every other control character: a header is one line (email.header would raise BadHeaderError).
_HEADER_BREAKS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def header_safe(value: str, *, limit: int = 900) -> str:
    """A subject fit for an e-mail header: line breaks and control characters become one space; at most `limit`."""
    return _HEADER_BREAKS.sub(" ", str(value or "")).strip()[:limit]


def _address(value: str) -> str:
    return _HEADER_BREAKS.sub("", str(value or "")).strip()


def enqueue(*, to: str, subject: str, body: str, attachments: list[dict] | None = None, purpose: str = "") -> OutgoingEmail | None:
    """Record one e-mail in the current transaction; it is sent after commit (None when there is no address).

    attachments: [{"filename": "invitasjon.ics", "content": "...", "mimetype": "text/calendar", "params": {"method": "REQUEST"}}]"""
    address = _address(to)
    if not address:
        return None
    row = OutgoingEmail.objects.create(to=address, subject=header_safe(subject), body=str(body or ""), attachments=attachments or [],
                                       purpose=purpose[:100], next_attempt_at=timezone.now())
    _on_commit(lambda pk=row.pk: deliver(pk))
    return row


def _on_commit(func) -> None:
    # One seam, so tests of message content (tests/meetings/conftest.py) may run it at once.
    transaction.on_commit(func)


def _message(row: OutgoingEmail) -> EmailMessage:
    message = EmailMessage(subject=header_safe(row.subject), body=row.body, from_email=settings.DEFAULT_FROM_EMAIL, to=[row.to])
    for att in row.attachments or []:
        maintype, _slash, subtype = (att.get("mimetype") or "application/octet-stream").partition("/")
        if maintype == "text":
            part = MIMEText(att.get("content") or "", subtype or "plain", "utf-8")
            for name, value in (att.get("params") or {}).items():
                part.set_param(name, value)
            part.add_header("Content-Disposition", "attachment", filename=att.get("filename") or "vedlegg.txt")
            message.attach(part)
        else:
            message.attach(att.get("filename") or "vedlegg", att.get("content") or "", att.get("mimetype"))
    return message


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _claim(pk: int, worker: str, now) -> bool:
    """The conditional UPDATE: one worker (or the after-commit sender) alone wins a row."""
    return OutgoingEmail.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - LEASE), pk=pk, sent_at__isnull=True, failed_at__isnull=True,
    ).update(claimed_by=worker, claimed_at=now) == 1


def deliver(pk: int, *, worker: str | None = None) -> bool:
    """Send one row now. True when sent. Never raises: a failure is recorded on the row for the worker to retry."""
    worker = worker or worker_id()
    try:
        now = timezone.now()
        if not _claim(pk, worker, now):
            return False
        row = OutgoingEmail.objects.get(pk=pk)
    except Exception:  # the database itself is gone: the row stays due and the worker takes it
        log.exception("outbox %s: could not claim", pk)
        return False
    try:
        _message(row).send()
    except Exception as exc:  # SMTP down, refused address, bad header: recorded, retried, never raised
        log.warning("outbox %s (%s): sending failed: %r", pk, row.purpose, exc)
        _failed(row, worker, exc)
        return False
    OutgoingEmail.objects.filter(pk=pk, claimed_by=worker).update(sent_at=timezone.now(), attempts=F("attempts") + 1,
                                                                  claimed_by="", claimed_at=None, last_error="")
    return True


def _failed(row: OutgoingEmail, worker: str, exc: Exception) -> None:
    attempts = row.attempts + 1
    now = timezone.now()
    fields = {"attempts": attempts, "claimed_by": "", "claimed_at": None, "last_error": f"{type(exc).__name__}: {exc}"[:2000]}
    if attempts >= MAX_ATTEMPTS:
        fields["failed_at"] = now
        log.error("outbox %s (%s): given up after %s attempts", row.pk, row.purpose, attempts)
    else:
        fields["next_attempt_at"] = now + BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]
    try:
        OutgoingEmail.objects.filter(pk=row.pk, claimed_by=worker).update(**fields)
    except Exception:
        log.exception("outbox %s: could not record the failure", row.pk)


def deliver_due(*, worker: str | None = None, now=None, limit: int = 500) -> tuple[int, int]:
    """The worker's step: send every due row (oldest first). Returns (sent, failed)."""
    worker = worker or worker_id()
    now = now or timezone.now()
    due = list(OutgoingEmail.objects.filter(sent_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=now)
               .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - LEASE))
               .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    sent = failed = 0
    for pk in due:
        if deliver(pk, worker=worker):
            sent += 1
        elif OutgoingEmail.objects.filter(pk=pk, sent_at__isnull=True, claimed_at__isnull=True).exists():
            failed += 1
    return sent, failed
