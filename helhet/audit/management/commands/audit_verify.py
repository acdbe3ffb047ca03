"""Check every audit chain, its checkpoints and its archive marks; name the first broken event of each chain.

The checks live in helhet.audit.verify (shared with audit_archive, which runs them over a partition before it
archives it):
1. Read the keyring (settings.HELHET_AUDIT_KEY, HELHET_AUDIT_OLD_KEYS: helhet.audit.keys) and every signed
   checkpoint: the AuditCheckpoint table and, when settings.HELHET_AUDIT_CHECKPOINT_FILE exists, its
   append-only local copy. A checkpoint whose MAC does not verify is reported (forged or altered). The
   latest valid checkpoint of each chain (highest seq) is what the chain must reach.
2. Every archive mark (AuditArchiveMark, written by audit_archive when it detached a month partition); one whose
   MAC does not verify is reported (forged or altered).
3. The legacy chain (events from before migration 0005: seq NULL) in id order: prev_hash links from
   GENESIS and services.legacy_digest (unkeyed SHA-256). Its seal (checkpoint chain keys.LEGACY_CHAIN)
   must match exactly: nothing is ever appended to it.
4. Every keyed chain in (chain, seq) order, in batches (a server-side cursor on PostgreSQL), holding only
   the previous event: the chain starts at seq 1 (prev_hash GENESIS) or, when its oldest events were archived,
   at seq S+1 with prev_hash equal to the hash a valid archive mark signed for seq S; then seq must run without
   a gap (a gap: events removed), prev_hash must equal the previous event's hash, the key id must be known, and
   services.event_digest() (HMAC over every stored field) must equal the stored hash (else: altered, or
   re-hashed without the key). Where a chain passes its latest checkpoint's seq, the event there must carry
   the checkpoint's hash.
5. A chain that ends before its latest checkpoint's seq lost its newest events (a cut tail, a TRUNCATE):
   reported with the first missing seq.
6. Print "OK" with the counts and, per chain that starts after an archive, "archived up to seq S (partition P)",
   and exit 0; or name the first problem of each chain (id, seq, time, which check failed) and exit 1.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from helhet.audit import verify

BATCH = verify.BATCH


class Command(BaseCommand):
    help = "Recompute every audit chain (HMAC, links, seq) and check it reaches its latest signed checkpoint."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=BATCH)
        parser.add_argument(
            "--checkpoint-file", default=None, help="default: settings.HELHET_AUDIT_CHECKPOINT_FILE"
        )

    def handle(self, *args, batch_size: int = BATCH, checkpoint_file=None, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more")
        report = verify.verify_all(batch_size=batch_size, checkpoint_file=checkpoint_file)
        if report.problems:
            raise CommandError("BROKEN:\n" + "\n".join(report.problems))
        self.stdout.write(
            f"OK: {report.events} audit events, hash chains intact ({report.chains} chain(s), {report.legacy} legacy "
            f"event(s), {report.checkpoints} valid checkpoint(s); every chain reaches its latest checkpoint)."
        )
        for chain, mark in sorted(report.archived.items()):
            self.stdout.write(
                f"chain {chain}: archived up to seq {mark.seq} (partition {mark.partition}, {mark.where})"
            )
