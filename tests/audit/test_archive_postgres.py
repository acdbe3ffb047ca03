"""`manage.py audit_archive` on PostgreSQL: verify, mark (signed), DETACH, pg_dump and DROP old month partitions, and
audit_verify afterwards (docs/operations.md "Audit partitions"). Transactional: the command commits its own
transactions and pg_dump reads committed rows; the partitions and detached tables a test makes are dropped after it.
SQLite has no partitions: tests/audit/test_archive_marks.py tests the marks and the input there."""

import datetime as dt
import json
import subprocess

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from helhet.audit import keys, partitions
from helhet.audit.models import AuditArchiveMark, AuditEvent
from helhet.audit.partitions import add_months, partition_name
from helhet.audit.services import checkpoint_write, record
from helhet.audit.testing import as_owner

from .tampering import behind_its_back

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'",
        reason="DETACH PARTITION, pg_dump and DROP of a month partition exist only on PostgreSQL "
        "(SQLite keeps one plain audit table)",
    ),
]


def _month(n: int) -> dt.date:
    return add_months(partitions.this_month_utc(), n)


@pytest.fixture
def old_months(transactional_db):
    """Partitions for the months 4..1 before this one (as the owner); afterwards every partition and detached month
    table the test left is dropped, so the next test sees what the migration made."""
    with connection.cursor() as cur:
        before = set(partitions.partitions(cur))
    with as_owner(connection), transaction.atomic(), connection.cursor() as cur:
        partitions.ensure(
            cur, today=_month(0), months_ahead=1, since=_month(-4), app=partitions.app_role(cur)
        )
    yield
    with as_owner(connection), connection.cursor() as cur:
        for name in sorted(set(partitions.partitions(cur)) - before) + partitions.detached_months(
            cur
        ):
            cur.execute(f'DROP TABLE IF EXISTS "{name}"')


def _at(month: dt.date, day: int) -> dt.datetime:
    return dt.datetime(month.year, month.month, day, 10, tzinfo=dt.UTC)


@pytest.fixture
def history(old_months, world, users, person):
    """Chain of the person's home municipality: 3 events 3 months ago, 2 events 2 months ago, 2 now; chain 0 (a
    failed login) 1 event 3 months ago, 1 now. Checkpoints after the first month and at the end."""
    made = {"person": [], "zero": []}

    def view():
        made["person"].append(
            record(actor=users["ke"], action="view", obj=person, person=person, reason="ke")
        )

    def failed_login():
        made["zero"].append(record(actor=None, action="login_failed", object_type="user"))

    with time_machine.travel(_at(_month(-3), 5), tick=False):
        for _ in range(3):
            view()
        failed_login()
        checkpoint_write(path="")
    with time_machine.travel(_at(_month(-2), 7), tick=False):
        view(), view()
    view(), view(), failed_login()
    checkpoint_write(path="")
    return made


def _archive(*args, **kwargs) -> str:
    import io

    out = io.StringIO()
    with as_owner(connection):
        call_command("audit_archive", *args, stdout=out, **kwargs)
    return out.getvalue()


def _verify() -> str:
    import io

    out = io.StringIO()
    call_command("audit_verify", stdout=out)  # as the app role, as cron runs it
    return out.getvalue()


def _attached() -> list[str]:
    with connection.cursor() as cur:
        return partitions.partitions(cur)


def test_archiving_a_month_marks_detaches_and_verify_says_archived(history, tmp_path):
    p3, p2 = partition_name(_month(-3)), partition_name(_month(-2))
    person, zero = history["person"], history["zero"]
    out = _archive("--before", f"{_month(-2):%Y-%m}", "--dump-dir", str(tmp_path))
    assert f"audit_archive: {p3}: 4 event(s) in 2 chain(s) verified, marked and detached" in out, (
        out
    )
    assert p3 not in _attached() and p2 in _attached()
    assert (
        partition_name(_month(-4)) not in _attached()
    )  # an empty month before it: detached, no mark
    marks = {m.chain: m for m in AuditArchiveMark.objects.all()}
    assert set(marks) == {person[0].chain, 0}
    assert (marks[person[0].chain].seq, marks[person[0].chain].head_hash) == (3, person[2].hash)
    assert (marks[0].seq, marks[0].head_hash, marks[0].partition) == (1, zero[0].hash, p3)
    # each chain got an event saying so, at its head (this month)
    noted = AuditEvent.objects.filter(object_type="auditpartition", object_id=p3).order_by("chain")
    assert [(e.chain, e.seq) for e in noted] == sorted([(0, 3), (person[0].chain, 8)])
    assert "arkivert til og med nr. 3" in noted.get(chain=person[0].chain).summary

    out = _verify()
    assert "OK: " in out
    assert f"chain {person[0].chain}: archived up to seq 3 (partition {p3}" in out
    assert f"chain 0: archived up to seq 1 (partition {p3}" in out

    # the dump: the partition's data, restorable; the marks next to it
    dump = tmp_path / f"{p3}.dump"
    listing = subprocess.run(
        ["pg_restore", "--list", str(dump)], capture_output=True, text=True, check=True
    ).stdout
    assert f"TABLE DATA public {p3} " in listing
    sql = subprocess.run(
        ["pg_restore", "--data-only", "-f", "-", str(dump)],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = sql.stdout.split(f"COPY public.{p3} ", 1)[1].split("\n\\.\n", 1)[0].splitlines()[1:]
    assert sorted(int(r.split("\t", 1)[0]) for r in rows) == sorted(
        [e.pk for e in person[:3]] + [zero[0].pk]
    )
    saved = json.loads((tmp_path / f"{p3}.marks.json").read_text())
    assert {(m["chain"], m["seq"], m["head_hash"]) for m in saved} == {
        (m.chain, m.seq, m.head_hash) for m in marks.values()
    }

    # a second run: the detached table is dumped already (the file exists) -- refused, never overwritten
    with pytest.raises(CommandError, match="exists: move it away"):
        _archive("--before", f"{_month(-2):%Y-%m}", "--dump-dir", str(tmp_path))


def test_the_dump_restores_into_a_scratch_table_and_verifies(history, tmp_path):
    """The archive is usable: restored, its events recompute to their HMACs and end at the mark's hash."""
    from helhet.audit.services import event_digest

    p3 = partition_name(_month(-3))
    _archive("--before", f"{_month(-2):%Y-%m}", "--dump-dir", str(tmp_path), "--drop")
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [p3])
        assert cur.fetchone()[0] is None  # dropped
    scratch = "audit_restored_scratch"
    sql = subprocess.run(
        ["pg_restore", "--no-owner", "-f", "-", str(tmp_path / f"{p3}.dump")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.replace(f"public.{p3}", f"public.{scratch}")
    with as_owner(connection):
        try:
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(f"CREATE TABLE {scratch} (LIKE audit_auditevent)")
                copy = sql.split(f"COPY public.{scratch} ", 1)[1]
                header, body = copy.split(" FROM stdin;\n", 1)
                with cur.copy(f"COPY {scratch} {header} FROM STDIN") as c:
                    c.write(body.split("\n\\.\n", 1)[0] + "\n")
                cur.execute(f"SELECT count(*) FROM {scratch}")
                assert cur.fetchone()[0] == 4
            restored = list(AuditEvent.objects.raw(f"SELECT * FROM {scratch} ORDER BY chain, seq"))
        finally:
            with connection.cursor() as cur:
                cur.execute(f"DROP TABLE IF EXISTS {scratch}")
    assert all(keys.same(event_digest(e), e.hash) for e in restored)
    for mark in AuditArchiveMark.objects.all():
        assert [e.hash for e in restored if e.chain == mark.chain][-1] == mark.head_hash


def test_a_live_event_deleted_after_the_archive_is_found(history):
    _archive("--before", f"{_month(-2):%Y-%m}")
    victim = history["person"][3]  # seq 4, the first live event after the mark
    with transaction.atomic():
        behind_its_back("DELETE FROM audit_auditevent WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError) as info:
        _verify()
    assert "seq=5" in str(info.value) and "no valid archive mark says seq 1..4" in str(info.value)


def test_a_forged_mark_for_a_dropped_month_fails(history):
    """Someone with the owner's SQL but not the key detaches a month and writes the mark himself: refused."""
    p2 = partition_name(_month(-2))
    _archive("--before", f"{_month(-2):%Y-%m}")
    person = history["person"]
    with as_owner(connection), connection.cursor() as cur:
        cur.execute(f'ALTER TABLE audit_auditevent DETACH PARTITION "{p2}"')
    # the app role may INSERT a mark; without the key its MAC is wrong
    AuditArchiveMark.objects.create(
        chain=person[0].chain,
        seq=5,
        head_hash=person[4].hash,
        partition=p2,
        at=person[4].at,
        key_id="1",
        mac="a" * 64,
    )
    with pytest.raises(CommandError) as info:
        _verify()
    text = str(info.value)
    assert "archive mark id=" in text and "MAC does not verify" in text
    assert f"id={person[5].pk} seq=6" in text and "no valid archive mark says seq 1..5" in text


def test_a_failure_half_way_leaves_no_mark_and_no_detach(history, monkeypatch):
    """The second chain's archive event fails: the first chain's event and mark are rolled back with the detach."""
    from helhet.audit import services

    real, calls = services.record, []

    def failing(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(services, "record", failing)
    count = AuditEvent.objects.count()
    with pytest.raises(RuntimeError, match="disk full"):
        _archive("--before", f"{_month(-2):%Y-%m}")
    monkeypatch.undo()
    assert len(calls) == 2
    assert not AuditArchiveMark.objects.exists()
    assert AuditEvent.objects.count() == count
    assert partition_name(_month(-3)) in _attached()
    _verify()


def test_a_month_whose_chain_continues_before_it_is_refused(history, world, users, person):
    """A clock that went back: an event of an older month (DEFAULT holds it, no partition) -- refused, nothing done."""
    with time_machine.travel(_at(_month(-8), 3), tick=False):
        record(actor=users["ke"], action="view", obj=person, person=person, reason="ke")
    with pytest.raises(
        CommandError, match="holds events of .* or before: run manage.py audit_partitions first"
    ):
        _archive("--before", f"{_month(-2):%Y-%m}")
    assert not AuditArchiveMark.objects.exists()
    assert partition_name(_month(-3)) in _attached()


def test_a_broken_chain_is_not_archived(history):
    victim = history["person"][1]
    with transaction.atomic():
        behind_its_back("UPDATE audit_auditevent SET reason = 'x' WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError, match="not archived: the audit log does not verify") as info:
        _archive("--before", f"{_month(-2):%Y-%m}")
    assert f"id={victim.pk} " in str(info.value)
    assert not AuditArchiveMark.objects.exists()


def test_the_app_role_cannot_archive(db):
    with pytest.raises(CommandError, match="does not own"):
        call_command("audit_archive", "--before", f"{_month(-1):%Y-%m}")


def test_a_failed_dump_stops_the_run_and_the_next_run_dumps_and_drops_what_was_detached(
    history, tmp_path, monkeypatch
):
    """The oldest month (empty) is detached, its dump fails: the run stops there; the next run dumps and drops it
    and goes on with the next month."""
    from helhet.audit.management.commands import audit_archive

    p4, p3 = partition_name(_month(-4)), partition_name(_month(-3))

    def no_disk(args, **kwargs):
        return subprocess.CompletedProcess(
            args, 1, "", "pg_dump: error: could not write: No space left on device"
        )

    monkeypatch.setattr(audit_archive.subprocess, "run", no_disk)
    with pytest.raises(
        CommandError, match="is detached and marked, but pg_dump failed .*No space left"
    ):
        _archive("--before", f"{_month(-2):%Y-%m}", "--dump-dir", str(tmp_path), "--drop")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []  # no partial file left
    with connection.cursor() as cur:
        assert partitions.detached_months(cur) == [p4]  # detached, not dropped: the only copy
    assert p3 in _attached() and not AuditArchiveMark.objects.exists()
    _verify()

    out = _archive("--before", f"{_month(-2):%Y-%m}", "--dump-dir", str(tmp_path), "--drop")
    assert (
        f"audit_archive: {p4}: detached earlier, dumped to {tmp_path / (p4 + '.dump')}, dropped"
        in out
    ), out
    assert (
        f"audit_archive: {p3}: 4 event(s) in 2 chain(s) verified, marked and detached, dumped to"
        in out
    ), out
    with connection.cursor() as cur:
        assert partitions.detached_months(cur) == []
    assert p3 not in _attached()
    assert "archived up to seq 3" in _verify()
