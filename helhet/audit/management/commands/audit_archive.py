"""Archive the audit event table's old month partitions (PostgreSQL; docs/operations.md "Audit partitions").

    DATABASE_OWNER_URL=… manage.py audit_archive --before 2026-01 [--dump-dir DIR] [--drop]

1. As the owner: with DATABASE_OWNER_URL set the default connection switches to the owner's credentials for the
   run (helhet.audit.db.owner_credentials), as `migrate` and `audit_partitions` do; the app role can neither
   DETACH nor DROP a partition. --before must be a month (YYYY-MM) before the current one (UTC, the partitions'
   bounds): the current month's partition still takes events.
2. Every month partition wholly before --before, oldest first, each in ONE transaction (a failure rolls back all
   of it: no mark without its detach, no detach without its mark):
   a. LOCK the partition IN SHARE MODE (no event can be added to it meanwhile; other months are written as usual)
      and verify its events with audit_verify's code (helhet.audit.verify.walk_chains): each chain starts at seq 1
      or right after its previous archive mark, no gap, links, HMACs, checkpoint hashes. Refused: legacy events
      (before migration 0005) in it, events of its month left in DEFAULT, a chain whose events up to seq S are not
      all in it (a clock that went back), a chain whose next event does not link to S.
   b. Take the chains' advisory locks (record()'s), then the parent table's ACCESS EXCLUSIVE lock (audited writes
      wait a moment; lock_timeout 30 s).
   c. Per chain, record() an event "archived up to seq S" (action export, object auditpartition) at the chain's
      head, in the current month: the archive is in the log, and every chain keeps a live event after the
      archived ones (record() finds a chain's head in the live table only: without it a chain whose events were
      all archived would start again at seq 1).
   d. Per chain, an AuditArchiveMark (chain, seq S, hash at S, partition, time, key id, HMAC with the audit key).
   e. ALTER TABLE audit_auditevent DETACH PARTITION (not CONCURRENTLY, so it is part of the transaction). Commit.
3. With --dump-dir: pg_dump --format=custom of the detached table to DIR/<partition>.dump (written to a temporary
   name, renamed when pg_restore --list shows the table's data), and the partition's marks to
   DIR/<partition>.marks.json. An existing file is never overwritten.
4. With --drop (needs --dump-dir): DROP TABLE once the dump is written.
A partition detached by an earlier run whose dump or drop failed is a plain table with marks (or empty): a new
run dumps and drops it (steps 3-4); a detached month table with events and no mark is left alone. Output: one line per partition.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from helhet.audit import keys, partitions, verify
from helhet.audit.db import owner_credentials
from helhet.audit.grants import can_grant
from helhet.audit.models import AuditArchiveMark, AuditEvent

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
LOCK_TIMEOUT = "30s"
# record()'s per-chain advisory lock (helhet.audit.services.record): taken before the parent's lock, in the order
# a writer takes them, so an archive run and a writer do not deadlock.
_CHAIN_LOCK = 727_001
ARCHIVED = gettext_noop("Revisjonsloggen er arkivert til og med nr. %(seq)s (%(partition)s)")


def parse_month(value: str) -> dt.date:
    m = _MONTH.match(value or "")
    if not m or not 1 <= int(m[2]) <= 12 or int(m[1]) < 1:
        raise CommandError(
            f"--before must be a month as YYYY-MM (for example 2026-01), not {value!r}"
        )
    return dt.date(int(m[1]), int(m[2]), 1)


class Refused(Exception):
    """A partition that cannot be archived; nothing of it was changed."""


class Command(BaseCommand):
    help = "Verify, mark (signed), detach and optionally dump and drop the audit partitions before a month."

    def add_arguments(self, parser):
        parser.add_argument(
            "--before",
            required=True,
            help="archive every month partition before this month (YYYY-MM)",
        )
        parser.add_argument(
            "--dump-dir",
            default="",
            help="pg_dump each partition (and its marks) to this directory",
        )
        parser.add_argument(
            "--drop", action="store_true", help="DROP each partition once dumped (needs --dump-dir)"
        )
        parser.add_argument("--batch-size", type=int, default=verify.BATCH)

    def handle(
        self,
        *args,
        before: str,
        dump_dir: str = "",
        drop: bool = False,
        batch_size: int = verify.BATCH,
        **options,
    ):
        month = parse_month(before)
        current = partitions.this_month_utc()
        if month > current or month == current:
            raise CommandError(
                f"--before {before}: must be before the current month ({current:%Y-%m}, UTC); "
                "the current month's partition still takes events"
            )
        if drop and not dump_dir:
            raise CommandError(
                "--drop needs --dump-dir: a dropped partition is gone, dump it first"
            )
        directory = Path(dump_dir) if dump_dir else None
        if directory is not None and not (directory.is_dir() and os.access(directory, os.W_OK)):
            raise CommandError(f"--dump-dir {dump_dir}: not a writable directory")
        for tool in ("pg_dump", "pg_restore") if directory is not None else ():
            if not shutil.which(tool):
                raise CommandError(f"--dump-dir: {tool} is not on PATH")
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more")
        if connection.vendor != "postgresql":
            raise CommandError(
                "audit_archive: PostgreSQL only (SQLite keeps one audit table, without partitions)"
            )
        with owner_credentials(connection):
            with transaction.atomic(), connection.cursor() as cur:
                if not partitions.is_partitioned(cur):
                    raise CommandError(
                        "audit_auditevent is not partitioned: run manage.py migrate first"
                    )
                if not can_grant(cur):
                    raise CommandError(
                        "this connection does not own audit_auditevent: run as the owner (DATABASE_OWNER_URL)"
                    )
                attached = [
                    n
                    for n in partitions.partitions(cur)
                    if (m := partitions.month_of(n)) and m < month
                ]
                left = [
                    n for n in partitions.detached_months(cur) if partitions.month_of(n) < month
                ]
                # Ours to dump and drop: a detached month with archive marks, or an empty one (no chain to mark).
                marked = set(
                    AuditArchiveMark.objects.filter(partition__in=left).values_list(
                        "partition", flat=True
                    )
                )
                for name in left:
                    cur.execute(f'SELECT NOT EXISTS (SELECT 1 FROM "{name}")')
                    if cur.fetchone()[0]:
                        marked.add(name)
            for name in left:
                if name not in marked:
                    self.stdout.write(
                        f"audit_archive: {name} is a detached table with events but without an archive mark: left alone"
                    )
            todo = sorted([(n, True) for n in attached] + [(n, False) for n in left if n in marked])
            if not todo:
                self.stdout.write(f"audit_archive: no partition before {month:%Y-%m}")
                return
            for name, attached_now in todo:
                done = []
                if attached_now:
                    try:
                        events, chains = self._archive(name, batch_size)
                    except Refused as exc:
                        raise CommandError(f"audit_archive: {name} not archived: {exc}") from None
                    except DatabaseError as exc:
                        raise CommandError(
                            f"audit_archive: {name} not archived (rolled back, nothing changed): {exc}".strip()
                        ) from None
                    done.append(
                        f"{events} event(s) in {chains} chain(s) verified, marked and detached"
                    )
                else:
                    done.append("detached earlier")
                if directory is not None:
                    done.append(f"dumped to {self._dump(name, directory)}")
                if drop:
                    with transaction.atomic(), connection.cursor() as cur:
                        cur.execute(f'DROP TABLE "{name}"')
                    done.append("dropped")
                self.stdout.write(f"audit_archive: {name}: " + ", ".join(done))

    def _archive(self, name: str, batch_size: int) -> tuple[int, int]:
        """Steps 2a-2e for one attached partition, in one transaction. Returns (events, chains)."""
        from helhet.audit.services import record
        from helhet.organizations.models import Organization

        first = partitions.month_of(name)
        # The partition's bounds, in UTC as the partitions are (a date would be read as Oslo's midnight).
        start, end = (
            dt.datetime(m.year, m.month, 1, tzinfo=dt.UTC)
            for m in (first, partitions.add_months(first, 1))
        )
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            cur.execute(f'LOCK TABLE "{name}" IN SHARE MODE')
            cur.execute(f'SELECT count(*) FROM "{partitions.DEFAULT}" WHERE at < %s', [end])
            if cur.fetchone()[0]:
                raise Refused(
                    f"{partitions.DEFAULT} holds events of {first:%Y-%m} or before: run manage.py audit_partitions first"
                )
            cur.execute(f'SELECT count(*) FROM "{name}" WHERE seq IS NULL')
            if cur.fetchone()[0]:
                raise Refused(
                    "it holds legacy events (from before migration 0005); archiving them is not supported"
                )
            problems: list[str] = []
            latest, _ = verify.checkpoints(problems)
            archived = verify.archive_marks(problems)
            in_month = AuditEvent.objects.filter(seq__isnull=False, at__gte=start, at__lt=end)
            walk = verify.walk_chains(
                in_month,
                latest=latest,
                archived=archived,
                problems=problems,
                batch_size=batch_size,
                complete=False,
            )
            if problems:
                raise Refused(
                    "the audit log does not verify (run manage.py audit_verify):\n"
                    + "\n".join(problems)
                )
            for chain, (seq, head) in sorted(walk.heads.items()):
                outside = AuditEvent.objects.filter(
                    chain=chain, seq__isnull=False, seq__lte=seq
                ).exclude(at__gte=start, at__lt=end)
                if outside.exists():
                    raise Refused(
                        f"chain {chain} has events up to seq {seq} outside this partition (a clock that went back): "
                        "archive a later month with it"
                    )
                after = (
                    AuditEvent.objects.filter(chain=chain, seq=seq + 1)
                    .values_list("prev_hash", flat=True)
                    .first()
                )
                if after is not None and after != head:
                    raise Refused(
                        f"chain {chain}: seq {seq + 1} does not link to seq {seq} (run manage.py audit_verify)"
                    )
            chains = sorted(walk.heads)
            organizations = Organization.objects.in_bulk([c for c in chains if c])
            missing = [c for c in chains if c and c not in organizations]
            if missing:
                raise Refused(
                    f"chain(s) {missing} name no organisation: the archive event cannot be written to them"
                )
            for chain in chains:
                cur.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)", [_CHAIN_LOCK, chain % 2_147_483_647]
                )
            cur.execute(f'LOCK TABLE "{partitions.PARENT}" IN ACCESS EXCLUSIVE MODE')
            now, key_id = timezone.now(), keys.current_key_id()
            for chain in chains:
                seq, head = walk.heads[chain]
                record(
                    actor=None,
                    action="export",
                    object_type="auditpartition",
                    object_id=name,
                    role="system",
                    organization=organizations.get(chain),
                    summary=ARCHIVED,
                    params={"seq": seq, "partition": name},
                )
                AuditArchiveMark.objects.create(
                    chain=chain,
                    seq=seq,
                    head_hash=head,
                    partition=name,
                    at=now,
                    key_id=key_id,
                    mac=verify.archive_mark_mac(
                        chain=chain, seq=seq, head_hash=head, partition=name, at=now, key_id=key_id
                    ),
                )
            cur.execute(f'ALTER TABLE "{partitions.PARENT}" DETACH PARTITION "{name}"')
        return walk.count, len(chains)

    def _dump(self, name: str, directory: Path) -> Path:
        """Step 3: pg_dump the detached table (custom format) and its marks; checked with pg_restore --list."""
        target, marks_file = directory / f"{name}.dump", directory / f"{name}.marks.json"
        for path in (target, marks_file):
            if path.exists():
                raise CommandError(
                    f"audit_archive: {path} exists: move it away (an archive is never overwritten)"
                )
        db = connection.settings_dict
        env = {
            **os.environ,
            "PGDATABASE": db["NAME"],
            "PGUSER": db.get("USER") or "",
            "PGPASSWORD": db.get("PASSWORD") or "",
        }
        env.update(
            {k: str(v) for k, v in (("PGHOST", db.get("HOST")), ("PGPORT", db.get("PORT"))) if v}
        )
        partial = directory / f".{name}.dump.partial"
        try:
            result = subprocess.run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    f"--table=public.{name}",
                    f"--file={partial}",
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=6 * 3600,
            )
            listing = ""
            if result.returncode == 0:
                listed = subprocess.run(
                    ["pg_restore", "--list", str(partial)],
                    capture_output=True,
                    text=True,
                    timeout=600,
                )
                listing = listed.stdout if listed.returncode == 0 else ""
        except subprocess.TimeoutExpired as exc:
            result, listing = subprocess.CompletedProcess(exc.cmd, 1, "", f"timed out: {exc}"), ""
        if f"TABLE DATA public {name} " not in listing:
            partial.unlink(missing_ok=True)
            raise CommandError(
                f"audit_archive: {name} is detached and marked, but pg_dump failed (run again to dump it): "
                f"{result.stderr.strip() or 'no table data in the dump'}"
            )
        marks = [
            {
                "chain": m.chain,
                "seq": m.seq,
                "head_hash": m.head_hash,
                "partition": m.partition,
                "at": m.at.isoformat(),
                "key_id": m.key_id,
                "mac": m.mac,
            }
            for m in AuditArchiveMark.objects.filter(partition=name).order_by("chain", "seq")
        ]
        marks_file.write_text(json.dumps(marks, indent=1) + "\n", encoding="utf-8")
        partial.rename(target)
        return target
