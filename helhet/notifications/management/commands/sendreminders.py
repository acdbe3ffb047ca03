"""manage.py sendreminders [--loop] [--interval 60]: send deadline reminders by e-mail and in-app, escalate ignored ones.

Steps of one batch (helhet.notifications.reminders.run_once):

1. Collect every open deadline from every provider (helhet.rules.deadlines.collect).
2. Ensure one Reminder row exists per deadline due within the horizon (due in
   <= HORIZON_DAYS days, today, or overdue); insert-or-ignore on the unique key.
3. Resolve: a reminder whose deadline is no longer open is marked resolved and
   is never sent or escalated.
4. Claim each unsent reminder with a conditional UPDATE (sent_at IS NULL and no
   live claim), so several workers never send the same one twice.
5. Send: e-mail through Django's e-mail backend (console in development) and an
   in-app notification to the one who must act; mark it sent.
6. Escalate once to the tenant's KE officers when the deadline is overdue and
   still open ESCALATE_AFTER_DAYS after the reminder was sent (claimed the same way).
7. Deliver the e-mail outbox (helhet.core.outbox.deliver_due): e-mails that writes queued and that could
   not be sent right after commit (SMTP down, a refused message) are retried with back-off; prune
   idempotency keys older than 24 h (helhet.core.idempotency.prune). A failure is logged, never raised.
8. Sign the audit chains' heads (helhet.audit.services.checkpoint_write, as `audit_checkpoint`);
   a failure is logged, never raised.
9. With --loop: sleep --interval seconds and repeat. SIGTERM / SIGINT set a
   flag; the current batch finishes and the command exits 0.
"""

from __future__ import annotations

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from helhet.audit.services import checkpoint_write
from helhet.core import idempotency, outbox
from helhet.notifications import reminders

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Send deadline reminders (e-mail + in-app) and escalate ignored ones to the KE. Use --loop for a worker."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running; stop with SIGTERM or Ctrl-C")
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between batches with --loop (default 60)")
        parser.add_argument("--escalate-after", type=int, default=reminders.ESCALATE_AFTER_DAYS,
                            help="days after a reminder before an overdue deadline goes to the KE")

    def _audit_checkpoint(self):
        """Sign the audit chains' heads once per batch (helhet.audit: audit_checkpoint). Never stops the worker:
        a failure is logged, and the next batch tries again."""
        try:
            checkpoint_write()
        except Exception:
            log.exception("sendreminders: audit checkpoint failed")

    def _outbox(self, worker):
        """Retry the e-mails writes have queued (helhet.core.outbox); never stops the worker."""
        try:
            sent, failed = outbox.deliver_due(worker=worker)
            idempotency.prune()
        except Exception:
            log.exception("sendreminders: outbox delivery failed")
            return 0, 0
        return sent, failed

    def handle(self, *args, loop=False, interval=60.0, escalate_after=reminders.ESCALATE_AFTER_DAYS, **options):
        self.stopping = False

        def stop(signum, frame):
            # Only a flag: the batch in progress finishes, then the loop ends.
            self.stopping = True

        if loop:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        worker = reminders.worker_id()
        if loop:
            self.stdout.write(f"sendreminders: worker {worker} started, every {interval:g} s (stop with SIGTERM or Ctrl-C)")
        while True:
            if loop:
                close_old_connections()  # a long-running worker drops broken or expired connections between batches
            result = reminders.run_once(worker=worker, escalate_after=escalate_after)
            mailed, mail_failed = self._outbox(worker)
            self._audit_checkpoint()
            if result.created or result.sent or result.escalated or result.resolved or result.failed or mailed or mail_failed or not loop:
                self.stdout.write(f"sendreminders: {result.created} new, {result.sent} sent, {result.escalated} escalated, "
                                  f"{result.resolved} resolved, {result.failed} failed; outbox {mailed} sent, {mail_failed} failed")
            if not loop:
                return
            slept = 0.0
            while not self.stopping and slept < interval:
                time.sleep(min(0.2, interval - slept))
                slept += 0.2
            if self.stopping:
                self.stdout.write("sendreminders: stopped")
                return
