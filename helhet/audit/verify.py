"""Verify the audit chains: `manage.py audit_verify` (everything) and `manage.py audit_archive` (the events of the
month partition it is about to archive) share this code (docs/operations.md "Audit log", "Audit partitions").

1. checkpoints(): every signed checkpoint, the AuditCheckpoint table and the append-only checkpoint file; a
   checkpoint whose MAC does not verify is a problem (forged or altered). The latest valid one of each chain
   (highest seq) is what the chain must reach.
2. archive_marks(): every AuditArchiveMark; one whose MAC does not verify is a problem. A valid mark (chain C, seq
   S, hash H, partition P) lets chain C start at seq S+1 with prev_hash H: seq 1..S were archived, not deleted.
3. legacy(): the events from before migration 0005 (seq NULL) in id order, unkeyed SHA-256, against their seal.
4. walk_chains(): the keyed chains in (chain, seq) order, in batches, holding only the previous event: a chain
   starts at seq 1 from GENESIS, or at seq S+1 from a valid archive mark for (C, S); then seq runs without a gap,
   prev_hash equals the previous event's hash, the key id is known, and services.event_digest() equals the stored
   hash; at a checkpoint's or a mark's seq the event carries its hash. With complete=True (audit_verify) a chain
   that ends before its latest checkpoint lost its newest events; audit_archive walks one partition, which a
   chain continues past, and passes complete=False.
5. verify_all(): 1-4 over the whole log, for audit_verify.
Every problem names the chain and the first bad event or seq.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from . import keys
from .models import AuditArchiveMark, AuditCheckpoint, AuditEvent
from .services import GENESIS, event_digest, legacy_digest

BATCH = 2000


@dataclass(frozen=True)
class Mark:
    """A valid checkpoint: the chain must reach `seq`, with `head_hash` there."""

    chain: int
    seq: int
    head_hash: str
    where: str


@dataclass(frozen=True)
class Archived:
    """A valid archive mark: the chain's events up to `seq` (hash `head_hash` there) went with `partition`."""

    chain: int
    seq: int
    head_hash: str
    partition: str
    where: str


def archive_mark_content(
    *, chain: int, seq: int, head_hash: str, partition: str, at, key_id: str
) -> dict:
    """What an archive mark's MAC covers (AuditArchiveMark.mac). Keep it stable: every stored mark depends on it."""
    return {
        "kind": "helhet.audit.archive",
        "chain": int(chain),
        "seq": int(seq),
        "head_hash": head_hash,
        "partition": partition,
        "at": at.isoformat(),
        "key_id": key_id,
    }


def archive_mark_mac(
    *, chain: int, seq: int, head_hash: str, partition: str, at, key_id: str
) -> str:
    return keys.mac(
        key_id,
        archive_mark_content(
            chain=chain, seq=seq, head_hash=head_hash, partition=partition, at=at, key_id=key_id
        ),
    )


def _valid_checkpoint(chain, seq, head_hash, at, key_id, mac) -> bool:
    try:
        expected = keys.checkpoint_mac(
            chain=chain, seq=seq, head_hash=head_hash, at=at, key_id=key_id
        )
    except keys.UnknownKey:
        return False
    return keys.same(expected, mac)


def valid_mark(m: AuditArchiveMark) -> bool:
    try:
        expected = archive_mark_mac(
            chain=m.chain,
            seq=m.seq,
            head_hash=m.head_hash,
            partition=m.partition,
            at=m.at,
            key_id=m.key_id,
        )
    except keys.UnknownKey:
        return False
    return keys.same(expected, m.mac)


# 1. checkpoints
def checkpoints(problems: list[str], path=None) -> tuple[dict[int, Mark], int]:
    """The latest valid checkpoint of each chain, and how many valid checkpoints there are."""
    latest: dict[int, Mark] = {}
    count = 0

    def keep(mark: Mark):
        if mark.chain not in latest or mark.seq > latest[mark.chain].seq:
            latest[mark.chain] = mark

    for c in AuditCheckpoint.objects.order_by("id").iterator():
        if not _valid_checkpoint(c.chain, c.seq, c.head_hash, c.at, c.key_id, c.mac):
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
                    ok = _valid_checkpoint(
                        d["chain"], d["seq"], d["head_hash"], at, d["key_id"], d["mac"]
                    )
                except (ValueError, KeyError, TypeError):
                    ok = False
                if not ok:
                    problems.append(
                        f"checkpoint file {path} line {line_no}: its MAC does not verify (forged or altered)"
                    )
                    continue
                count += 1
                keep(Mark(int(d["chain"]), int(d["seq"]), d["head_hash"], f"{path} line {line_no}"))
    return latest, count


# 2. archive marks
def archive_marks(problems: list[str]) -> dict[tuple[int, int], Archived]:
    """Every valid archive mark by (chain, seq); a mark whose MAC does not verify is a problem."""
    marks: dict[tuple[int, int], Archived] = {}
    for m in AuditArchiveMark.objects.order_by("id").iterator():
        if not valid_mark(m):
            problems.append(
                f"archive mark id={m.pk} chain={m.chain} seq={m.seq} partition={m.partition}: its MAC does not verify "
                f"(forged, altered, or key id {m.key_id!r} unknown)"
            )
            continue
        marks[(m.chain, m.seq)] = Archived(
            m.chain, m.seq, m.head_hash, m.partition, f"archive mark id={m.pk}"
        )
    return marks


# 3. the legacy chain
def legacy(seal: Mark | None, problems: list[str], batch_size: int = BATCH) -> int:
    previous, count = GENESIS, 0
    for event in (
        AuditEvent.objects.filter(seq__isnull=True).order_by("id").iterator(chunk_size=batch_size)
    ):
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


# 4. the keyed chains
@dataclass
class Walk:
    count: int = 0
    # the last intact (seq, hash) of each chain walked
    heads: dict[int, tuple[int, str]] = field(default_factory=dict)
    # the archive mark each chain starts after (chains that start at seq 1 are not here)
    starts: dict[int, Archived] = field(default_factory=dict)
    broken: set[int] = field(default_factory=set)


def walk_chains(
    events,
    *,
    latest: dict[int, Mark],
    archived: dict[tuple[int, int], Archived],
    problems: list[str],
    batch_size: int = BATCH,
    complete: bool = True,
) -> Walk:
    """Walk `events` (keyed AuditEvents; ordered here by chain, seq) and append every chain's first problem.

    complete: `events` is the whole live log, so a chain must reach its latest checkpoint, and a checkpoint of a
    chain without events means they were removed (unless an archive mark covers the checkpoint's seq)."""
    walk = Walk()
    chain, previous, expected, start = None, GENESIS, 1, None

    def last_archived(chain_id) -> Archived | None:
        found = [a for (c, _), a in archived.items() if c == chain_id]
        return max(found, key=lambda a: a.seq) if found else None

    def end_of(chain_id, last_seq):
        mark = latest.get(chain_id)
        if complete and mark is not None and last_seq < mark.seq and chain_id not in walk.broken:
            problems.append(
                f"chain {chain_id}: ends at seq {last_seq}, but {mark.where} signed seq {mark.seq}: "
                f"events from seq {last_seq + 1} were removed (a cut tail or a TRUNCATE)"
            )

    for event in events.order_by("chain", "seq").iterator(chunk_size=batch_size):
        if event.chain != chain:
            if chain is not None:
                end_of(chain, expected - 1)
            chain, previous, expected, start = event.chain, GENESIS, 1, None
            if event.seq > 1:  # the chain's first event is not seq 1: archived, or removed
                start = archived.get((chain, event.seq - 1))
                if start is not None:
                    previous, expected = start.head_hash, event.seq
                    walk.starts[chain] = start
        walk.count += 1
        if chain in walk.broken:
            continue
        problem = None
        if event.seq != expected:
            if expected == 1:
                problem = (
                    f"seq {event.seq} is the chain's first event, and no valid archive mark says seq 1..{event.seq - 1} "
                    f"were archived (event(s) removed)"
                )
            else:
                problem = f"seq {event.seq} follows seq {expected - 1} (event(s) removed)"
        elif event.prev_hash != previous:
            if start is not None and event.seq == start.seq + 1:
                problem = (
                    f"prev_hash does not match the hash {start.where} signed for seq {start.seq} "
                    f"(partition {start.partition}): the mark or the chain is not the archived one"
                )
            else:
                problem = "prev_hash does not match the previous event's hash (an event was removed or reordered)"
        else:
            try:
                if not keys.same(event_digest(event), event.hash):
                    problem = "content does not match its HMAC (the event was altered or re-hashed without the key)"
            except keys.UnknownKey:
                problem = f"key id {event.key_id!r} is not in the keyring (HELHET_AUDIT_OLD_KEYS)"
        if problem is None:
            mark = latest.get(chain)
            passed = archived.get((chain, event.seq))
            if mark is not None and event.seq == mark.seq and event.hash != mark.head_hash:
                problem = f"hash differs from {mark.where} at this seq (the chain was rewritten)"
            elif passed is not None and event.hash != passed.head_hash:
                problem = f"hash differs from {passed.where} at this seq (the chain was rewritten)"
        if problem:
            problems.append(
                f"chain {chain}, event id={event.pk} seq={event.seq} at={event.at.isoformat()}: {problem}; "
                f"{expected - 1} event(s) before it are intact"
            )
            walk.broken.add(chain)
            continue
        previous = event.hash
        walk.heads[chain] = (event.seq, event.hash)
        expected += 1
    if chain is not None:
        end_of(chain, expected - 1)
    if complete:
        for chain_id, mark in sorted(latest.items()):
            if chain_id in walk.heads or chain_id in walk.broken:
                continue
            last = last_archived(chain_id)
            if last is not None and last.seq >= mark.seq:
                walk.starts[chain_id] = last  # every event archived, none live: nothing was removed
                continue
            problems.append(
                f"chain {chain_id}: no events, but {mark.where} signed seq {mark.seq}: "
                f"every event from seq {last.seq + 1 if last else 1} was removed (a cut tail or a TRUNCATE)"
            )
    return walk


# 5. everything
@dataclass
class Report:
    problems: list[str]
    events: int
    legacy: int
    chains: int
    checkpoints: int
    archived: dict[int, Archived]


def verify_all(*, batch_size: int = BATCH, checkpoint_file=None) -> Report:
    problems: list[str] = []
    latest, n_checkpoints = checkpoints(problems, checkpoint_file)
    archived = archive_marks(problems)
    n_legacy = legacy(latest.pop(keys.LEGACY_CHAIN, None), problems, batch_size)
    walk = walk_chains(
        AuditEvent.objects.filter(seq__isnull=False),
        latest=latest,
        archived=archived,
        problems=problems,
        batch_size=batch_size,
    )
    chains = len(set(walk.heads) | walk.broken)
    return Report(problems, n_legacy + walk.count, n_legacy, chains, n_checkpoints, walk.starts)
