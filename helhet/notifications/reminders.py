"""The reminder worker's steps (manage.py sendreminders runs them; tests call them directly).

Pattern: healthchecks' sendalerts. Every step is safe with several workers at
once on PostgreSQL and SQLite: rows are created with insert-or-ignore on the
unique key, and a worker only acts on a row it has CLAIMED with a conditional
UPDATE that one worker alone can win.

Delivery is at-least-once only if a worker dies between sending and marking
the row sent (the lease then expires and another worker sends again); it is
exactly once otherwise.

E-mails name the kind of deadline, its date and a link; never the person, a
diagnosis or a measure's text (those are behind the login). Sending a reminder
is not a read of person data, so it writes no audit event; the Reminder and
Notification rows record what was sent to whom and when.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from helhet.rules.deadlines import Deadline, collect, kind_label

from .models import Notification, Reminder

log = logging.getLogger("helhet.reminders")

# Remind when a deadline is due within this many days (or is due today / overdue).
HORIZON_DAYS = 3
# Escalate to the tenant's KE when the deadline is overdue and still open this many days after the reminder was sent.
# A national default for now; make it a local guideline (helhet.rules.guidelines) if a KE asks to set its own.
ESCALATE_AFTER_DAYS = getattr(settings, "HELHET_REMINDER_ESCALATE_AFTER_DAYS", 3)
# A claim older than this is considered abandoned (its worker died) and may be taken over.
LEASE = dt.timedelta(minutes=10)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def site_url() -> str:
    return getattr(settings, "HELHET_SITE_URL", os.environ.get("HELHET_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


@dataclass
class Result:
    created: int = 0
    sent: int = 0
    escalated: int = 0
    resolved: int = 0
    failed: int = 0
    notifications: list[int] = field(default_factory=list)


def _ke_officers(organization_id):
    from helhet.organizations.models import User

    if organization_id is None:
        return []
    return list(User.objects.filter(is_active=True, memberships__active=True, memberships__role="ke_officer",
                                    memberships__unit__organization_id=organization_id).distinct().order_by("pk"))


def _recipients(reminder: Reminder) -> list:
    """Who gets the reminder: the one who must act, or the tenant's KE officers when nobody is named (appeals)."""
    if reminder.responsible_user_id and reminder.responsible_user.is_active:
        return [reminder.responsible_user]
    return _ke_officers(reminder.organization_id)


def _mail(users, subject: str, body: str) -> None:
    to = [u.email for u in users if u.email]
    if to:
        # One message per recipient: recipients never see each other's addresses.
        for address in to:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)


def _text(reminder: Reminder, *, escalation: bool) -> tuple[str, str]:
    label = kind_label(reminder.kind)
    due = reminder.due.strftime("%d.%m.%Y")
    link = site_url() + (reminder.url or reverse("my_deadlines"))
    if escalation:
        subject = f"Helhet: frist passert uten oppfølging – {label}"
        body = (f"En frist i Helhet er passert og fortsatt ikke fulgt opp etter påminnelse.\n\n"
                f"Type frist: {label}\nFrist: {due}\n\nSe saken i Helhet (krever innlogging):\n{site_url()}{reverse('ke_deadlines')}\n")
    else:
        subject = f"Helhet: påminnelse om frist – {label}"
        body = (f"Du har en frist i Helhet.\n\nType frist: {label}\nFrist: {due}\n\n"
                f"Se saken i Helhet (krever innlogging):\n{link}\n")
    return subject, body


def step_collect(today: dt.date) -> tuple[list[Deadline], set[str]]:
    """(1) All open deadlines; those within the horizon are the ones to remind about."""
    deadlines = collect(today=today)
    return deadlines, {d.key for d in deadlines}


def step_ensure(deadlines: list[Deadline], today: dt.date) -> int:
    """(2) One Reminder row per due deadline key (insert-or-ignore: a second worker's insert is a no-op)."""
    horizon = today + dt.timedelta(days=HORIZON_DAYS)
    due = [d for d in deadlines if d.due <= horizon]
    if not due:
        return 0
    existing = set(Reminder.objects.filter(key__in=[d.key for d in due]).values_list("key", flat=True))
    new = [Reminder(key=d.key, kind=d.kind, due=d.due, title=d.title[:300], rule_code=d.rule_code, url=d.url[:300],
                    organization_id=d.organization_id, responsible_user_id=d.responsible_user_id, person_id=d.person_id)
           for d in due if d.key not in existing]
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def step_resolve(open_keys: set[str], now) -> int:
    """(6) A reminder whose deadline is no longer open (done, cancelled, extended) is resolved: never sent, never escalated."""
    candidates = Reminder.objects.filter(resolved_at__isnull=True).filter(Q(sent_at__isnull=True) | Q(escalated_at__isnull=True)).values_list("pk", "key")
    gone = [pk for pk, key in candidates if key not in open_keys]
    n = 0
    for i in range(0, len(gone), 500):
        n += Reminder.objects.filter(pk__in=gone[i:i + 500], resolved_at__isnull=True).update(resolved_at=now)
    return n


def _claim(pk: int, worker: str, now, extra: Q) -> bool:
    """The conditional UPDATE: only one worker's UPDATE matches the row (the others see 0 rows updated)."""
    stale = now - LEASE
    return Reminder.objects.filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale), extra, pk=pk,
                                   resolved_at__isnull=True).update(claimed_by=worker, claimed_at=now) == 1


def _release(pk: int, worker: str) -> None:
    Reminder.objects.filter(pk=pk, claimed_by=worker).update(claimed_by="", claimed_at=None)


def step_send(worker: str, now, result: Result) -> None:
    """(3) claim each unsent reminder, (4) e-mail + in-app notification to the one who must act, then mark it sent."""
    for pk in list(Reminder.objects.filter(sent_at__isnull=True, resolved_at__isnull=True).order_by("due", "pk").values_list("pk", flat=True)):
        if not _claim(pk, worker, now, Q(sent_at__isnull=True)):
            continue  # another worker has it
        reminder = Reminder.objects.select_related("responsible_user").get(pk=pk)
        users = _recipients(reminder)
        subject, body = _text(reminder, escalation=False)
        try:
            _mail(users, subject, body)
        except Exception:  # SMTP down: leave it for the next round
            log.exception("reminder %s: e-mail failed", reminder.key)
            _release(pk, worker)
            result.failed += 1
            continue
        with transaction.atomic():
            if Reminder.objects.filter(pk=pk, claimed_by=worker, sent_at__isnull=True).update(sent_at=timezone.now(), claimed_by="", claimed_at=None) != 1:
                continue  # lost the lease meanwhile; the other worker owns it now
            for user in users:
                n = Notification.objects.create(user=user, kind=Notification.Kind.REMINDER, reminder=reminder, title=f"{kind_label(reminder.kind)}: {reminder.title}"[:300],
                                                body=f"Frist {reminder.due:%d.%m.%Y}", url=reminder.url or reverse("my_deadlines"))
                result.notifications.append(n.pk)
        result.sent += 1


def step_escalate(worker: str, now, today: dt.date, result: Result, escalate_after: int = ESCALATE_AFTER_DAYS) -> None:
    """(5) Once per reminder: the deadline is overdue and still open `escalate_after` days after the reminder went out -> the tenant's KE."""
    sent_before = now - dt.timedelta(days=escalate_after)
    qs = (Reminder.objects.filter(resolved_at__isnull=True, escalated_at__isnull=True, sent_at__lte=sent_before, due__lt=today,
                                  responsible_user__isnull=False, organization__isnull=False)
          .order_by("due", "pk").values_list("pk", flat=True))
    for pk in list(qs):
        if not _claim(pk, worker, now, Q(sent_at__isnull=False, escalated_at__isnull=True)):
            continue
        reminder = Reminder.objects.get(pk=pk)
        officers = _ke_officers(reminder.organization_id)
        subject, body = _text(reminder, escalation=True)
        try:
            _mail(officers, subject, body)
        except Exception:
            log.exception("reminder %s: escalation e-mail failed", reminder.key)
            _release(pk, worker)
            result.failed += 1
            continue
        with transaction.atomic():
            if Reminder.objects.filter(pk=pk, claimed_by=worker, escalated_at__isnull=True).update(escalated_at=timezone.now(), claimed_by="", claimed_at=None) != 1:
                continue
            for user in officers:
                n = Notification.objects.create(user=user, kind=Notification.Kind.ESCALATION, reminder=reminder,
                                                title=f"Passert frist: {kind_label(reminder.kind)}", body=f"Frist {reminder.due:%d.%m.%Y}",
                                                url=reverse("ke_deadlines") + f"?kind={reminder.kind}&overdue=1")
                result.notifications.append(n.pk)
        result.escalated += 1


def run_once(*, worker: str | None = None, now=None, escalate_after: int = ESCALATE_AFTER_DAYS) -> Result:
    """One batch: steps 1–6 of sendreminders."""
    worker = worker or worker_id()
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = Result()
    deadlines, open_keys = step_collect(today)
    result.created = step_ensure(deadlines, today)
    result.resolved = step_resolve(open_keys, now)
    step_send(worker, now, result)
    step_escalate(worker, now, today, result, escalate_after=escalate_after)
    return result
