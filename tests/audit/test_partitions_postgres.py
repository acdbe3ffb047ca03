"""The audit event table partitioned by month on PostgreSQL (migration 0006, helhet.audit.partitions,
`manage.py audit_partitions`; docs/operations.md "Audit partitions"). SQLite keeps one plain table: these tests skip
there, except the month arithmetic and the command's SQLite answer."""

import datetime as dt

import psycopg
import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from helhet.audit import partitions
from helhet.audit.grants import APP_ROLE, apply_grants
from helhet.audit.models import AuditEvent
from helhet.audit.partitions import DEFAULT, add_months, month_start, partition_name
from helhet.audit.services import checkpoint_write, record
from helhet.audit.testing import as_owner, owner_execute

_skip_on_sqlite = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="SQLite keeps one plain audit table: partitions exist only on PostgreSQL"
)


def needs_postgres(test):
    return pytest.mark.postgres_only(_skip_on_sqlite(test))


def test_months_add_across_years():
    assert add_months(dt.date(2026, 12, 1), 1) == dt.date(2027, 1, 1)
    assert add_months(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)
    assert add_months(dt.date(2026, 5, 1), 27) == dt.date(2028, 8, 1)
    assert month_start(dt.date(2026, 2, 28)) == dt.date(2026, 2, 1)
    assert partition_name(dt.date(2027, 3, 1)) == "audit_auditevent_p2027_03"


@pytest.mark.django_db
def test_the_command_has_nothing_to_do_on_sqlite(capsys):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite answer")
    call_command("audit_partitions")
    assert "nothing to do" in capsys.readouterr().out


def _this_month() -> dt.date:
    return month_start(timezone.now().date())


def _where(event) -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT tableoid::regclass::text FROM audit_auditevent WHERE id = %s", [event.pk])
        return cur.fetchone()[0]


def _refused_by_privileges(sql: str):
    with pytest.raises(DatabaseError) as info:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
    assert isinstance(info.value.__cause__, psycopg.errors.InsufficientPrivilege), repr(info.value.__cause__)


@pytest.fixture
def events(world, users, person):
    made = [record(actor=users["ke"], action="view", obj=person, person=person, reason="ke") for _ in range(2)]
    checkpoint_write()
    return made


@needs_postgres
def test_the_table_is_partitioned_by_month_with_this_and_next_month_and_a_default(db):
    with connection.cursor() as cur:
        assert partitions.is_partitioned(cur)
        existing = partitions.partitions(cur)
        cur.execute("SELECT pg_get_partkeydef('audit_auditevent'::regclass)")
        assert cur.fetchone()[0] == "RANGE (at)"
    assert {DEFAULT, partition_name(_this_month()), partition_name(add_months(_this_month(), 1))} <= set(existing)


@needs_postgres
def test_the_selectors_indexes_exist_on_the_parent_and_every_partition(db):
    with connection.cursor() as cur:
        cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'audit_auditevent'")
        names = {r[0] for r in cur.fetchall()}
        cur.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'audit_auditevent_pkey'")
        assert cur.fetchone()[0] == "PRIMARY KEY (id, at)"
        cur.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = %s", [partition_name(_this_month())])
        on_partition = cur.fetchone()[0]
    assert {"audit_auditevent_pkey", "audit_chain_seq", "audit_person_at", "audit_actor_at"} <= names
    assert on_partition == len(names)


@needs_postgres
def test_an_event_lands_in_its_months_partition(events):
    assert _where(events[0]) == partition_name(month_start(events[0].at.astimezone(dt.UTC).date()))
    assert AuditEvent.objects.get(pk=events[0].pk).hash == events[0].hash  # a lookup by id alone


@needs_postgres
def test_the_head_of_chain_lookup_is_an_index_scan_in_every_partition(events):
    query = AuditEvent.objects.filter(chain=events[0].chain, seq__isnull=False).order_by("-seq").values_list("seq", "hash")[:1]
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")  # tiny test tables: show that the index can serve it alone
        cur.execute("EXPLAIN " + str(query.query))
        plan = "\n".join(r[0] for r in cur.fetchall())
    assert "Merge Append" in plan and "Sort  (" not in plan and "Seq Scan" not in plan, plan  # no sort node
    assert plan.count("chain_seq_idx") >= 3, plan  # this month, next month, DEFAULT


@needs_postgres
def test_a_taken_place_in_a_chain_is_refused_in_any_partition(events):
    e = events[-1]
    copy = AuditEvent.objects.get(pk=e.pk)
    copy.pk, copy.at = None, e.at + dt.timedelta(days=40)  # another month's partition
    with pytest.raises(IntegrityError, match="audit_chain_seq"), transaction.atomic():
        copy.save(force_insert=True)


@needs_postgres
def test_the_app_role_may_only_read_a_partition(events):
    name = partition_name(_this_month())
    for table in (name, DEFAULT):
        with connection.cursor() as cur:
            cur.execute(
                "SELECT p FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE','REFERENCES','TRIGGER']) p "
                "WHERE has_table_privilege(current_user, %s, p) ORDER BY p", [table])
            assert [r[0] for r in cur.fetchall()] == ["SELECT"], table
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {name}")  # harmless: the rows the parent shows it anyway
        assert cur.fetchone()[0] >= 2
    _refused_by_privileges(f"UPDATE {name} SET chain = chain")
    _refused_by_privileges(f"DELETE FROM {name}")
    _refused_by_privileges(f"TRUNCATE {name}")
    _refused_by_privileges(f"TRUNCATE {DEFAULT}")
    _refused_by_privileges(f"INSERT INTO {name} SELECT * FROM audit_auditevent LIMIT 0")
    _refused_by_privileges(f"ALTER TABLE audit_auditevent DETACH PARTITION {name}")
    _refused_by_privileges(f"ALTER TABLE {name} DISABLE TRIGGER ALL")
    _refused_by_privileges(f"DROP TABLE {name}")
    _refused_by_privileges(f"DROP TABLE {DEFAULT}")
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in events]).count() == 2


@needs_postgres
def test_the_append_only_trigger_refuses_the_owner_on_a_partition(events):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cur:
            owner_execute(cur, f"UPDATE {partition_name(_this_month())} SET summary = 'x'")
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cur:
            owner_execute(cur, f"DELETE FROM {partition_name(_this_month())}")


# ---- the command, as the owner (transactional: DDL and the moved rows are committed, then flushed) ----


@pytest.fixture
def new_partitions(transactional_db):
    """The partitions a test creates are dropped afterwards (as the owner), so each test sees the months the
    migration made."""
    with connection.cursor() as cur:
        before = set(partitions.partitions(cur))
    yield
    with as_owner(connection), connection.cursor() as cur:
        for name in sorted(set(partitions.partitions(cur)) - before):
            cur.execute(f'DROP TABLE "{name}"')


def _a_month_without_partition() -> dt.date:
    with connection.cursor() as cur:
        months = [n for n in partitions.partitions(cur) if n != DEFAULT]
    last = max(dt.date(int(n[-7:-3]), int(n[-2:]), 1) for n in months)
    return add_months(last, 7)


@needs_postgres
def test_default_takes_an_event_beyond_the_partitions_and_the_command_moves_it(new_partitions, world, users, person, capsys):
    far = _a_month_without_partition()
    with time_machine.travel(dt.datetime(far.year, far.month, 15, 12, tzinfo=dt.UTC), tick=False):
        late = record(actor=users["ke"], action="view", obj=person, person=person, reason="ke")
    now = record(actor=users["ke"], action="view", obj=person, person=person, reason="ke")
    checkpoint_write()
    assert _where(late) == DEFAULT
    with as_owner(connection):
        call_command("audit_partitions", "--months-ahead", "3")
    assert partition_name(far) in capsys.readouterr().out
    assert _where(late) == partition_name(far)  # moved: same id, same hash
    assert AuditEvent.objects.get(pk=late.pk).hash == late.hash
    assert _where(now) == partition_name(_this_month())
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {DEFAULT}")
        assert cur.fetchone()[0] == 0
        existing = set(partitions.partitions(cur))
    assert {partition_name(add_months(_this_month(), n)) for n in range(4)} <= existing
    call_command("audit_verify")  # as the app role, across the partitions

    with as_owner(connection):
        call_command("audit_partitions", "--months-ahead", "3")
    assert "every partition exists" in capsys.readouterr().out


@needs_postgres
def test_a_new_partition_gives_the_app_role_select_only(new_partitions):
    with as_owner(connection):
        call_command("audit_partitions", "--months-ahead", "5")
    name = partition_name(add_months(_this_month(), 5))
    with connection.cursor() as cur:
        cur.execute("SELECT has_table_privilege(%s, %s, 'SELECT'), has_table_privilege(%s, %s, 'INSERT')",
                    [APP_ROLE, name, APP_ROLE, name])
        assert cur.fetchone() == (True, False)
    record(actor=None, action="login_failed", object_type="user")  # still inserts through the parent


@needs_postgres
def test_the_migration_keeps_every_row_and_chain_both_ways(new_partitions, world, users, person):
    """Migrate audit back to 0005 (a plain table) and forward again, with events in three months."""
    from django.db.migrations.executor import MigrationExecutor

    made = []
    for months_ago in (14, 2, 0):
        day = add_months(_this_month(), -months_ago)
        with time_machine.travel(dt.datetime(day.year, day.month, 3, 8, tzinfo=dt.UTC), tick=False):
            made.append(record(actor=users["ke"], action="view", obj=person, person=person, reason="ke"))
    checkpoint_write()
    with as_owner(connection):
        latest = MigrationExecutor(connection).loader.graph.leaf_nodes("audit")
        try:
            MigrationExecutor(connection).migrate([("audit", "0005_chains_keys_checkpoints")])
            with connection.cursor() as cur:
                assert not partitions.is_partitioned(cur)
                cur.execute("SELECT count(*) FROM audit_auditevent")
                assert cur.fetchone()[0] == len(made)
        finally:
            MigrationExecutor(connection).migrate(latest)
            with connection.cursor() as cur:
                apply_grants(cur, app=APP_ROLE)  # migrate's post_migrate would; the executor sends none
    for event in made:
        assert _where(event) == partition_name(month_start(event.at.astimezone(dt.UTC).date()))
    call_command("audit_verify")
    assert record(actor=None, action="login_failed", object_type="user").pk > max(e.pk for e in made)


@needs_postgres
def test_the_post_migrate_hook_makes_this_and_next_month(new_partitions):
    from django.apps import apps

    from helhet.audit.partitions import post_migrate_partitions

    upcoming = partition_name(add_months(_this_month(), 1))
    with as_owner(connection):
        with connection.cursor() as cur:
            cur.execute(f"DROP TABLE {upcoming}")  # empty: no event is dated next month
        post_migrate_partitions(sender=apps.get_app_config("audit"))
        with connection.cursor() as cur:
            assert upcoming in partitions.partitions(cur)
    with connection.cursor() as cur:
        cur.execute("SELECT has_table_privilege(%s, %s, 'SELECT'), has_table_privilege(%s, %s, 'INSERT')",
                    [APP_ROLE, upcoming, APP_ROLE, upcoming])
        assert cur.fetchone() == (True, False)
        post_migrate_partitions(sender=apps.get_app_config("audit"))  # as the app role: skipped, no error


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_of_one_chain_append_without_gap_or_fork(world, users, person):
    """record()'s per-chain lock and the (chain, seq) trigger together: 4 writers at once, one chain, 1..N."""
    import threading

    from django.db import connections

    start, errors = threading.Barrier(4), []

    def write():
        try:
            start.wait(10)
            for _ in range(8):
                record(actor=users["ke"], action="view", obj=person, person=person, reason="ke")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    chain = person.home_municipality_id
    seqs = list(AuditEvent.objects.filter(chain=chain, seq__isnull=False).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) >= 32
    call_command("audit_verify")


@needs_postgres
def test_the_restore_drill_restores_the_partitions_and_audit_verify_passes(new_partitions, world, users, person):
    """scripts/restore_drill.sh (tests/ops/test_restore_drill.py) on the partitioned table, with an event in a month
    partition and one in DEFAULT, and audit_verify run on the restored copy (RESTORE_DRILL_AUDIT_VERIFY=1)."""
    import os
    import subprocess
    from pathlib import Path

    from helhet.audit.testing import owner_settings

    far = _a_month_without_partition()
    with time_machine.travel(dt.datetime(far.year, far.month, 2, 9, tzinfo=dt.UTC), tick=False):
        late = record(actor=users["ke"], action="view", obj=person, person=person, reason="ke")
    record(actor=users["ke"], action="view", obj=person, person=person, reason="ke")
    checkpoint_write()
    assert _where(late) == DEFAULT

    def url(db: dict, name: str) -> str:
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"

    db = connection.settings_dict
    result = subprocess.run(
        [str(Path(__file__).resolve().parents[2] / "scripts" / "restore_drill.sh"), url(db, db["NAME"])],
        env={**os.environ, "RESTORE_DRILL_SERVER": url(owner_settings(connection), "postgres").rsplit("/", 1)[0],
             "RESTORE_DRILL_AUDIT_VERIFY": "1", "HELHET_AUDIT_CHECKPOINT_FILE": ""},
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "counts match" in result.stdout
    assert "OK: " in result.stdout and "hash chains intact" in result.stdout


@needs_postgres
def test_the_command_refuses_to_run_as_the_app_role(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="does not own"):
        call_command("audit_partitions")
