"""Sign the head of every audit chain that grew since its last checkpoint.

1. For chain 0 and every organisation's chain, read the head (highest seq and its hash) -- one index
   lookup each (helhet.audit.services.checkpoint_write).
2. Skip a chain whose head is already checkpointed; for the others insert an AuditCheckpoint with an
   HMAC over chain, seq, head hash, time and key id (append-only table, migration 0005).
3. Append the same checkpoints as JSON lines to settings.HELHET_AUDIT_CHECKPOINT_FILE when it is set
   (each worker host's copy outside the database), after the commit.
4. Print how many were written. The reminder worker (sendreminders --loop) runs this every loop.
"""

from django.core.management.base import BaseCommand

from helhet.audit.services import checkpoint_write


class Command(BaseCommand):
    help = "Write a signed checkpoint (seq + head hash + time, HMAC) for every audit chain that grew."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=None, help="default: settings.HELHET_AUDIT_CHECKPOINT_FILE ('' for none)")

    def handle(self, *args, file=None, **options):
        written = checkpoint_write(path=file)
        self.stdout.write(f"audit_checkpoint: {len(written)} checkpoint(s) written")
