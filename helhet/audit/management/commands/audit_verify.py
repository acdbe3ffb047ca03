"""Check every audit chain and its checkpoints; name the first broken event of each chain.

1. Read the keyring (settings.HELHET_AUDIT_KEY, HELHET_AUDIT_OLD_KEYS: helhet.audit.keys) and every signed
   checkpoint: the AuditCheckpoint table and, when settings.HELHET_AUDIT_CHECKPOINT_FILE exists, its
   append-only local copy. A checkpoint whose MAC does not verify is reported (forged or altered). The
   latest valid checkpoint of each chain (highest seq) is what the chain must reach.
2. The legacy chain (events from before migration 0005: seq NULL) in id order: prev_hash links from
   GENESIS and services.legacy_digest (unkeyed SHA-256). Its seal (checkpoint chain keys.LEGACY_CHAIN)
   must match exactly: nothing is ever appended to it.
3. Every keyed chain in (chain, seq) order, in batches (a server-side cursor on PostgreSQL), holding only
   the previous event: seq must run 1, 2, ... without a gap (a gap: events removed), prev_hash must equal
   the previous event's hash (GENESIS for seq 1), the key id must be known, and services.event_digest()
   (HMAC over every stored field) must equal the stored hash (else: altered, or re-hashed without the key).
   Where a chain passes its latest checkpoint's seq, the event there must carry the checkpoint's hash.
4. A chain that ends before its latest checkpoint's seq lost its newest events (a cut tail, a TRUNCATE):
   reported with the first missing seq.
5. Print "OK" with the counts and exit 0, or name the first problem of each chain (id, seq, time, which
   check failed) and exit 1.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from helhet.audit import keys
from helhet.audit.models import AuditCheckpoint, AuditEvent
from helhet.audit.services import GENESIS, event_digest, legacy_digest

BATCH = 2000


@dataclass(frozen=True)
class Mark:
    chain: int
    seq: int
    head_hash: str
    where: str


def _valid(chain, seq, head_hash, at, key_id, mac) -> bool:
    try:
        expected = keys.checkpoint_mac(chain=chain, seq=seq, head_hash=head_hash, at=at, key_id=key_id)
    except keys.UnknownKey:
        return False
    return keys.same(expected, mac)


class Command(BaseCommand):
    help = "Recompute every audit chain (HMAC, links, seq) and check it reaches its latest signed checkpoint."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=BATCH)
        parser.add_argument("--checkpoint-file", default=None, help="default: settings.HELHET_AUDIT_CHECKPOINT_FILE")

    def handle(self, *args, batch_size: int = BATCH, checkpoint_file=None, **options):
        problems: list[str] = []
        latest: dict[int, Mark] = {}
        n_checkpoints = self._checkpoints(latest, problems, checkpoint_file)
        legacy = self._legacy(latest.pop(keys.LEGACY_CHAIN, None), problems, batch_size)
        keyed, chains = self._chains(latest, problems, batch_size)
        if problems:
            raise CommandError("BROKEN:\n" + "\n".join(problems))
        self.stdout.write(
            f"OK: {legacy + keyed} audit events, hash chains intact ({chains} chain(s), {legacy} legacy event(s), "
            f"{n_checkpoints} valid checkpoint(s); every chain reaches its latest checkpoint)."
        )

    # 1. checkpoints
    def _checkpoints(self, latest: dict[int, Mark], problems: list[str], path) -> int:
        count = 0

        def keep(mark: Mark):
            if mark.chain not in latest or mark.seq > latest[mark.chain].seq:
                latest[mark.chain] = mark

        for c in AuditCheckpoint.objects.order_by("id").iterator():
            if not _valid(c.chain, c.seq, c.head_hash, c.at, c.key_id, c.mac):
                problems.append(
                    f"checkpoint id={c.pk} chain={c.chain} seq={c.seq}: its MAC does not verify "
                    f"(forged, altered, or key id {c.key_id!r} unknown)"
                )
                continue
            count += 1
            keep(Mark(c.chain, c.seq, c.head_hash, f"checkpoint id={c.pk}"))
        path = settings.HELHET_AUDIT_CHECKPOINT_FILE if path is None else path
        if path and Path(path).exists():
            with open(path, encoding="utf-8") as f:
                for line_no, line in enumerate(f, 1):
                    if not line.strip():
                        continue
                    try:
                        d = json.loads(line)
                        at = dt.datetime.fromisoformat(d["at"])
                        ok = _valid(d["chain"], d["seq"], d["head_hash"], at, d["key_id"], d["mac"])
                    except (ValueError, KeyError, TypeError):
                        ok = False
                    if not ok:
                        problems.append(f"checkpoint file {path} line {line_no}: its MAC does not verify (forged or altered)")
                        continue
                    count += 1
                    keep(Mark(int(d["chain"]), int(d["seq"]), d["head_hash"], f"{path} line {line_no}"))
        return count

    # 2. the legacy chain
    def _legacy(self, seal: Mark | None, problems: list[str], batch_size: int) -> int:
        previous, count = GENESIS, 0
        for event in AuditEvent.objects.filter(seq__isnull=True).order_by("id").iterator(chunk_size=batch_size):
            problem = None
            if event.prev_hash != previous:
                problem = "prev_hash does not match the previous event's hash (an event was removed or reordered)"
            elif legacy_digest(event) != event.hash:
                problem = "content does not match its hash (the event was altered)"
            if problem:
                problems.append(
                    f"legacy chain, event id={event.pk} at={event.at.isoformat()}: {problem}; "
                    f"{count} event(s) before it are intact"
                )
                return count
            previous = event.hash
            count += 1
        if seal is not None and (count != seal.seq or previous != seal.head_hash):
            problems.append(
                f"legacy chain: {count} event(s) ending in {previous[:12]}…, but its seal ({seal.where}) says "
                f"{seal.seq} ending in {seal.head_hash[:12]}… (legacy events removed or added after migration 0005)"
            )
        return count

    # 3.-4. the keyed chains
    def _chains(self, latest: dict[int, Mark], problems: list[str], batch_size: int) -> tuple[int, int]:
        count = 0
        seen: set[int] = set()
        chain, previous, expected, broken = None, GENESIS, 1, False

        def end_of(chain_id, last_seq):
            mark = latest.get(chain_id)
            if mark is not None and last_seq < mark.seq and not broken:
                problems.append(
                    f"chain {chain_id}: ends at seq {last_seq}, but {mark.where} signed seq {mark.seq}: "
                    f"events from seq {last_seq + 1} were removed (a cut tail or a TRUNCATE)"
                )

        events = AuditEvent.objects.filter(seq__isnull=False).order_by("chain", "seq")
        for event in events.iterator(chunk_size=batch_size):
            if event.chain != chain:
                if chain is not None:
                    end_of(chain, expected - 1)
                chain, previous, expected, broken = event.chain, GENESIS, 1, False
                seen.add(chain)
            count += 1
            if broken:
                continue
            problem = None
            if event.seq != expected:
                problem = f"seq {event.seq} follows seq {expected - 1} (event(s) removed)"
            elif event.prev_hash != previous:
                problem = "prev_hash does not match the previous event's hash (an event was removed or reordered)"
            else:
                try:
                    if not keys.same(event_digest(event), event.hash):
                        problem = "content does not match its HMAC (the event was altered or re-hashed without the key)"
                except keys.UnknownKey:
                    problem = f"key id {event.key_id!r} is not in the keyring (HELHET_AUDIT_OLD_KEYS)"
            mark = latest.get(chain)
            if problem is None and mark is not None and event.seq == mark.seq and event.hash != mark.head_hash:
                problem = f"hash differs from {mark.where} at this seq (the chain was rewritten)"
            if problem:
                problems.append(
                    f"chain {chain}, event id={event.pk} seq={event.seq} at={event.at.isoformat()}: {problem}; "
                    f"{expected - 1} event(s) before it are intact"
                )
                broken = True
                continue
            previous = event.hash
            expected += 1
        if chain is not None:
            end_of(chain, expected - 1)
        for chain_id, mark in sorted(latest.items()):
            if chain_id not in seen:
                problems.append(
                    f"chain {chain_id}: no events, but {mark.where} signed seq {mark.seq}: "
                    f"every event from seq 1 was removed (a cut tail or a TRUNCATE)"
                )
        return count, len(seen)
