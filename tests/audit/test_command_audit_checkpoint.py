"""audit_checkpoint signs each chain's head; audit_verify then sees a cut tail, an emptied chain, a forged
checkpoint; the checkpoint table is append-only; the reminder worker writes checkpoints and survives a failure."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from helhet.audit import keys
from helhet.audit.models import AuditCheckpoint, AuditEvent
from helhet.audit.services import checkpoint_write, record

from .tampering import behind_its_back


@pytest.fixture
def chain(world, users, person):
    return [record(actor=users["ke"], action="view", obj=person, person=person, reason="ke", summary=f"les {i}") for i in range(6)]


def _broken(*needles: str, **options) -> str:
    with pytest.raises(CommandError) as info:
        call_command("audit_verify", **options)
    text = str(info.value)
    for needle in needles:
        assert needle in text, text
    return text


def test_it_signs_the_head_of_each_chain_that_grew_once(chain, capsys):
    call_command("audit_checkpoint")
    assert "checkpoint(s) written" in capsys.readouterr().out
    mark = AuditCheckpoint.objects.get(chain=chain[-1].chain)
    assert (mark.seq, mark.head_hash) == (chain[-1].seq, chain[-1].hash)
    assert keys.same(mark.mac, keys.checkpoint_mac(chain=mark.chain, seq=mark.seq, head_hash=mark.head_hash, at=mark.at, key_id=mark.key_id))
    assert checkpoint_write() == []  # nothing grew
    call_command("audit_verify")


def test_events_after_the_checkpoint_are_fine(chain, users, person, capsys):
    checkpoint_write()
    record(actor=users["ke"], action="view", obj=person, person=person, reason="ke")
    call_command("audit_verify")
    assert "OK:" in capsys.readouterr().out


def test_it_reports_the_newest_events_deleted_after_a_checkpoint(chain):
    checkpoint_write()
    behind_its_back("DELETE FROM audit_auditevent WHERE id IN (%s, %s)", [chain[-2].pk, chain[-1].pk])
    call_command("audit_checkpoint")  # a later checkpoint never lowers the mark
    _broken(f"chain {chain[0].chain}: ends at seq {chain[-3].seq}", f"signed seq {chain[-1].seq}",
            f"events from seq {chain[-2].seq} were removed")


def test_it_reports_a_chain_emptied_after_a_checkpoint(chain):
    checkpoint_write()
    behind_its_back("DELETE FROM audit_auditevent")
    assert not AuditEvent.objects.exists()
    _broken(f"chain {chain[0].chain}: no events", "removed")


def test_it_reports_a_rewritten_tail_with_the_checkpoint_hash(chain):
    """Even a tail re-chained to valid links cannot match the checkpoint's head hash."""
    checkpoint_write()
    behind_its_back("UPDATE audit_auditevent SET hash = %s WHERE id = %s", ["f" * 64, chain[-1].pk])
    _broken(f"id={chain[-1].pk} ")


def test_it_reports_a_forged_checkpoint(chain):
    AuditCheckpoint.objects.create(chain=chain[0].chain, seq=99, head_hash="0" * 64, at=chain[0].at, key_id=keys.current_key_id(), mac="0" * 64)
    _broken("MAC does not verify")


def test_the_local_file_copy_catches_both_tables_emptied(chain, tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "audit-checkpoints.jsonl"
    with django_capture_on_commit_callbacks(execute=True):
        checkpoint_write(path=str(path))
    line = json.loads(path.read_text().splitlines()[-1])
    assert (line["chain"], line["seq"], line["head_hash"]) == (chain[-1].chain, chain[-1].seq, chain[-1].hash)
    call_command("audit_verify", checkpoint_file=str(path))
    behind_its_back("DELETE FROM audit_auditevent")
    behind_its_back("DELETE FROM audit_auditcheckpoint", tables=("audit_auditcheckpoint",))
    _broken("no events", "line 1", checkpoint_file=str(path))


def test_a_tampered_file_line_is_reported(chain, tmp_path):
    path = tmp_path / "audit-checkpoints.jsonl"
    path.write_text(json.dumps({"chain": chain[0].chain, "seq": 1, "head_hash": "0" * 64, "at": chain[0].at.isoformat(), "key_id": "dev", "mac": "0" * 64}) + "\n")
    _broken("line 1: its MAC does not verify", checkpoint_file=str(path))


def _refused(fn):
    with pytest.raises(DatabaseError) as info:
        with transaction.atomic():
            fn()
    # On PostgreSQL the tests run as the app role, refused by its grants before the trigger is reached; the
    # trigger against the owner: tests/audit/test_app_role_postgres.py.
    assert "append-only" in str(info.value) or "permission denied" in str(info.value)


def test_the_checkpoint_table_refuses_update_and_delete(chain):
    checkpoint_write()
    mark = AuditCheckpoint.objects.get(chain=chain[0].chain)
    _refused(lambda: AuditCheckpoint.objects.filter(pk=mark.pk).update(seq=1))
    _refused(lambda: AuditCheckpoint.objects.filter(pk=mark.pk).delete())

    def raw():
        with connection.cursor() as cur:
            cur.execute("DELETE FROM audit_auditcheckpoint WHERE id = %s", [mark.pk])

    _refused(raw)
    assert AuditCheckpoint.objects.filter(pk=mark.pk, seq=chain[-1].seq).exists()


def test_the_migration_sealed_the_legacy_chain(db, capsys):
    """Migration 0005 signs the pre-0005 events (none in a new database) as chain LEGACY_CHAIN."""
    seal = AuditCheckpoint.objects.get(chain=keys.LEGACY_CHAIN)
    assert (seal.seq, seal.head_hash) == (0, keys.GENESIS)
    call_command("audit_verify")
    assert "0 legacy event(s)" in capsys.readouterr().out


def test_a_legacy_event_forged_after_the_seal_is_reported(chain):
    """An unkeyed pre-0005 row inserted later (seq NULL) fits the legacy digest but not the seal."""
    from helhet.audit.services import legacy_digest

    forged = AuditEvent.objects.get(pk=chain[0].pk)
    forged.pk, forged.seq, forged.key_id, forged.prev_hash = None, None, "", keys.GENESIS
    forged.hash = legacy_digest(forged)
    forged.save(force_insert=True)
    _broken("legacy chain: 1 event(s)", "its seal")


def test_the_reminder_worker_writes_a_checkpoint(chain):
    call_command("sendreminders")
    assert AuditCheckpoint.objects.filter(chain=chain[0].chain, seq=chain[-1].seq).exists()


def test_a_failing_checkpoint_is_logged_not_raised_by_the_worker(chain, monkeypatch, caplog):
    from helhet.notifications.management.commands import sendreminders

    def fail(**kwargs):
        raise DatabaseError("checkpoint table gone")

    monkeypatch.setattr(sendreminders, "checkpoint_write", fail)
    call_command("sendreminders")
    assert "audit checkpoint failed" in caplog.text
