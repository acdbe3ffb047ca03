"""Two sendreminders workers at once on PostgreSQL send each reminder exactly once.

Real concurrent transactions need PostgreSQL (SQLite serialises writers on one file lock) and committed data
(transaction=True). Each thread is a worker with its own connection and worker id.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.core import mail
from django.db import connection

from helhet.notifications import reminders
from helhet.notifications.models import Notification, Reminder

from .conftest import D0

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: concurrent transactions")

N_DEADLINES = 12


def _workers(n: int, work) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:  # the outcome under test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@postgres_only
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_reminder_and_each_escalation_exactly_once(travel, world, users, make_person, appoint_on, monkeypatch):
    travel(D0 + dt.timedelta(days=11))  # every first-contact deadline is due in 3 days
    for i in range(N_DEADLINES):
        appoint_on(make_person(involve=()), D0, user_key="coordinator" if i % 2 else "coordinator2")

    # Make the race real: both workers reach the claim of the same row together (a barrier per row), so the
    # conditional UPDATE is what decides. A worker that finds the row already gone on ahead stops waiting.
    real_claim, attempts, barriers = reminders._claim, Counter(), {}
    lock = threading.Lock()

    def claim_together(pk, worker, now, extra):
        with lock:
            attempts[pk] += 1
            barrier = barriers.setdefault((pk, str(extra)), threading.Barrier(2))
        try:
            barrier.wait(timeout=3)
        except threading.BrokenBarrierError:
            pass
        return real_claim(pk, worker, now, extra)

    monkeypatch.setattr(reminders, "_claim", claim_together)

    results = _workers(2, lambda i: reminders.run_once(worker=f"w{i}"))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert max(attempts.values()) == 2  # both workers really tried the same rows
    assert sum(r.sent for r in results) == N_DEADLINES
    assert Reminder.objects.filter(sent_at__isnull=False).count() == N_DEADLINES
    assert len(mail.outbox) == N_DEADLINES
    assert Counter(tuple(m.to) for m in mail.outbox) == {(users["coordinator"].email,): 6, (users["coordinator2"].email,): 6}
    assert Notification.objects.filter(kind="reminder").count() == N_DEADLINES

    travel(D0 + dt.timedelta(days=15))  # overdue and ignored: both workers try to escalate
    results = _workers(2, lambda i: reminders.run_once(worker=f"w{i}"))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.escalated for r in results) == N_DEADLINES
    assert Notification.objects.filter(kind="escalation", user=users["ke"]).count() == N_DEADLINES
    assert len(mail.outbox) == 2 * N_DEADLINES
