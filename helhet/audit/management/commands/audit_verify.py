"""Check the audit log's hash chain and name the first broken event.

1. Walk audit_auditevent in id order, in batches (a server-side cursor on
   PostgreSQL), holding only the previous event's hash.
2. For each event: its prev_hash must equal the previous event's hash (the
   first event's must be GENESIS), and services.event_digest() of its stored
   content must equal its stored hash. A changed field breaks the second; a
   deleted or inserted-out-of-order event breaks the first. The digest covers
   the message id, its parameters and the withheld categories as written
   (code/params/withheld, migration 0004); events from before them hash as
   they always did.
3. Print "OK" with the count and exit 0, or name the first broken event (id,
   time, which check failed) and exit 1.
"""

from django.core.management.base import BaseCommand, CommandError

from helhet.audit.models import AuditEvent
from helhet.audit.services import GENESIS, event_digest

BATCH = 2000


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain and report the first broken event."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=BATCH)

    def handle(self, *args, batch_size: int = BATCH, **options):
        previous = GENESIS
        count = 0
        for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
            problem = None
            if event.prev_hash != previous:
                problem = "prev_hash does not match the previous event's hash (an event was removed or reordered)"
            elif event_digest(event) != event.hash:
                problem = "content does not match its hash (the event was altered)"
            if problem:
                raise CommandError(
                    f"BROKEN at event id={event.pk} at={event.at.isoformat()}: {problem}. "
                    f"{count} event(s) before it are intact."
                )
            previous = event.hash
            count += 1
        self.stdout.write(f"OK: {count} audit events, hash chain intact.")
