"""Archive marks (AuditArchiveMark, helhet.audit.verify) and audit_archive's input checks, on SQLite and PostgreSQL.

audit_verify accepts a chain whose first live event is seq S+1 only when a valid archive mark for (chain, S) exists
and the event's prev_hash is the hash the mark signed. Here the archive is simulated: the oldest events are deleted
behind the append-only trigger's back (as a DETACH takes them away) and a mark is written with the key. The real
archive (DETACH of a month partition, pg_dump) is PostgreSQL only: tests/audit/test_archive_postgres.py.
"""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from helhet.audit import keys, partitions
from helhet.audit.models import AuditArchiveMark
from helhet.audit.services import checkpoint_write, record
from helhet.audit.testing import owner_execute
from helhet.audit.verify import archive_mark_mac

from .tampering import behind_its_back

PARTITION = "audit_auditevent_p2026_01"


@pytest.fixture
def chain(world, users, person):
    return [
        record(
            actor=users["ke"],
            action="view",
            obj=person,
            person=person,
            reason="ke",
            summary=f"les {i}",
        )
        for i in range(7)
    ]


def _mark(event, *, head_hash=None, mac=None, partition=PARTITION) -> AuditArchiveMark:
    at, key_id = timezone.now(), keys.current_key_id()
    head_hash = event.hash if head_hash is None else head_hash
    return AuditArchiveMark.objects.create(
        chain=event.chain,
        seq=event.seq,
        head_hash=head_hash,
        partition=partition,
        at=at,
        key_id=key_id,
        mac=mac
        or archive_mark_mac(
            chain=event.chain,
            seq=event.seq,
            head_hash=head_hash,
            partition=partition,
            at=at,
            key_id=key_id,
        ),
    )


def _archive(chain, upto: int) -> None:
    """The first `upto` events leave the live table, as a detached partition takes them."""
    ids = ", ".join(str(e.pk) for e in chain[:upto])
    behind_its_back(f"DELETE FROM audit_auditevent WHERE id IN ({ids})")


def _broken(*needles: str) -> str:
    with pytest.raises(CommandError) as info:
        call_command("audit_verify")
    text = str(info.value)
    for needle in needles:
        assert needle in text, text
    return text


def test_a_chain_starting_after_a_valid_mark_verifies_and_says_archived(chain, capsys):
    checkpoint_write()  # the checkpoint is at the head, after the archived part
    _mark(chain[2])
    _archive(chain, 3)
    call_command("audit_verify")
    out = capsys.readouterr().out
    assert "OK: 4 audit events" in out
    assert f"chain {chain[0].chain}: archived up to seq 3 (partition {PARTITION}" in out


def test_a_gap_at_the_start_without_a_mark_is_removed_evidence(chain):
    _archive(chain, 3)
    _broken(
        f"id={chain[3].pk} seq=4", "no valid archive mark says seq 1..3 were archived", "removed"
    )


def test_a_forged_mark_does_not_verify(chain):
    _mark(chain[2], mac="0" * 64)  # written without the key
    _archive(chain, 3)
    _broken(
        "archive mark id=",
        "MAC does not verify",
        f"id={chain[3].pk} seq=4",
        "no valid archive mark",
    )


def test_a_mark_signed_over_another_hash_does_not_match_the_chain(chain):
    _mark(chain[2], head_hash="f" * 64)  # a valid MAC, but not the archived event's hash
    _archive(chain, 3)
    _broken(
        f"id={chain[3].pk} seq=4",
        "prev_hash does not match the hash archive mark id=",
        "not the archived one",
    )


def test_a_mark_for_another_seq_does_not_cover_the_gap(chain):
    _mark(chain[1])  # archived up to 2, but 3 is gone too
    _archive(chain, 3)
    _broken(f"id={chain[3].pk} seq=4", "no valid archive mark says seq 1..3")


def test_a_live_event_deleted_after_the_mark_is_still_found(chain):
    _mark(chain[2])
    _archive(chain, 3)
    behind_its_back("DELETE FROM audit_auditevent WHERE id = %s", [chain[4].pk])
    _broken(f"id={chain[5].pk} seq=6", "follows seq 4", "removed")


def test_the_first_live_event_deleted_after_the_mark_is_found(chain):
    _mark(chain[2])
    _archive(chain, 4)
    _broken(f"id={chain[4].pk} seq=5", "no valid archive mark says seq 1..4")


def test_a_chain_still_holding_the_marked_event_must_carry_its_hash(chain):
    _mark(chain[2], head_hash="e" * 64)  # a restored partition, or a mark over a rewritten chain
    _broken(f"id={chain[2].pk} seq=3", "hash differs from archive mark id=")


def test_a_chain_whose_every_event_was_archived_needs_the_checkpoint_covered(chain, capsys):
    checkpoint_write()
    _mark(chain[-1])
    _archive(chain, len(chain))
    call_command("audit_verify")
    assert f"archived up to seq {len(chain)}" in capsys.readouterr().out


def test_a_checkpoint_beyond_the_last_mark_of_an_emptied_chain_is_removed_evidence(chain):
    checkpoint_write()
    _mark(chain[2])
    _archive(chain, len(chain))
    _broken(f"chain {chain[0].chain}: no events", "every event from seq 4 was removed")


def test_a_mark_is_append_only(chain):
    """The trigger refuses UPDATE and DELETE to everyone, the owner too; on PostgreSQL the app role may not even try
    (SELECT and INSERT only, helhet.audit.grants: every audit_* table)."""
    mark = _mark(chain[2])
    for sql in (
        f"UPDATE audit_auditarchivemark SET head_hash = 'x' WHERE id = {mark.pk}",
        f"DELETE FROM audit_auditarchivemark WHERE id = {mark.pk}",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cur:
                owner_execute(cur, sql)
        if connection.vendor == "postgresql":
            with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
                with connection.cursor() as cur:
                    cur.execute(sql)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("TRUNCATE audit_auditarchivemark")
    assert AuditArchiveMark.objects.get(pk=mark.pk).head_hash == chain[2].hash


# ---- audit_archive: input, on either database ----


@pytest.mark.parametrize("value", ["2026-13", "2026-00", "2026-1", "26-01", "januar", ""])
def test_a_bad_month_is_a_clear_error(db, value):
    with pytest.raises(CommandError, match="--before must be a month as YYYY-MM"):
        call_command("audit_archive", "--before", value)


def test_the_current_month_and_later_are_refused(db):
    this = partitions.this_month_utc()
    for month in (this, partitions.add_months(this, 1), partitions.add_months(this, 30)):
        with pytest.raises(CommandError, match="must be before the current month"):
            call_command("audit_archive", "--before", f"{month:%Y-%m}")


def test_drop_needs_a_dump_dir(db):
    last = partitions.add_months(partitions.this_month_utc(), -1)
    with pytest.raises(CommandError, match="--drop needs --dump-dir"):
        call_command("audit_archive", "--before", f"{last:%Y-%m}", "--drop")


def test_the_dump_dir_must_be_a_writable_directory(db, tmp_path):
    last = partitions.add_months(partitions.this_month_utc(), -1)
    with pytest.raises(CommandError, match="not a writable directory"):
        call_command(
            "audit_archive", "--before", f"{last:%Y-%m}", "--dump-dir", str(tmp_path / "missing")
        )


def test_sqlite_has_no_partitions_to_archive(db):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite answer")
    last = partitions.add_months(partitions.this_month_utc(), -1)
    with pytest.raises(CommandError, match="PostgreSQL only"):
        call_command("audit_archive", "--before", f"{last:%Y-%m}")
