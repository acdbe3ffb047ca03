"""On PostgreSQL the tests (like the app) connect as the app role, which may only SELECT and INSERT the audit tables
(helhet.audit.grants, docs/operations.md "Databaseroller"): every attack that needs more is refused by the database."""

import psycopg
import pytest
from django.db import DatabaseError, connection, transaction

from helhet.audit.grants import APP_ROLE
from helhet.audit.models import AuditEvent
from helhet.audit.services import checkpoint_write, record
from helhet.audit.testing import owner_execute

pytestmark = pytest.mark.postgres_only

TABLES = ["audit_auditevent", "audit_auditcheckpoint"]
TRIGGERS = {"audit_auditevent": "audit_auditevent_append_only", "audit_auditcheckpoint": "audit_auditcheckpoint_append_only"}


@pytest.fixture(autouse=True)
def _only_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


@pytest.fixture
def events(world, users, person):
    made = [record(actor=users["ke"], action="view", obj=person, person=person, reason="ke") for _ in range(2)]
    checkpoint_write()
    return made


def _refused_by_privileges(sql: str, params=()):
    # A savepoint, so the refused statement does not poison the test's transaction.
    with pytest.raises(DatabaseError) as info:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, params)
    assert isinstance(info.value.__cause__, psycopg.errors.InsufficientPrivilege), repr(info.value.__cause__)


def test_the_test_run_connects_as_the_app_role_which_is_no_superuser(db):
    with connection.cursor() as cur:
        cur.execute("SELECT current_user, session_user, r.rolsuper, r.rolcreatedb, r.rolcreaterole FROM pg_roles r WHERE r.rolname = current_user")
        current, session, superuser, createdb, createrole = cur.fetchone()
    assert current == session == APP_ROLE
    assert (superuser, createdb, createrole) == (False, False, False)


def test_the_app_role_runs_without_jit(db):
    """scripts/pg_roles.py sets jit = off on the roles: JIT made a paged list's COUNT(*) ten times slower (issue 14)."""
    with connection.cursor() as cur:
        cur.execute("SHOW jit")
        assert cur.fetchone()[0] == "off"


def test_the_app_role_owns_no_table(db):
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user")
        assert cur.fetchone()[0] == 0


@pytest.mark.parametrize("table", TABLES)
def test_the_app_role_has_only_select_and_insert_on_the_audit_tables(db, table):
    with connection.cursor() as cur:
        cur.execute(
            "SELECT p FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE','REFERENCES','TRIGGER']) p "
            "WHERE has_table_privilege(current_user, %s, p) ORDER BY p", [table])
        assert [r[0] for r in cur.fetchall()] == ["INSERT", "SELECT"]


def test_other_tables_get_ordinary_read_and_write(db):
    with connection.cursor() as cur:
        cur.execute("SELECT has_table_privilege(current_user, 'people_person', 'UPDATE'), "
                    "has_table_privilege(current_user, 'people_person', 'DELETE'), has_table_privilege(current_user, 'people_person', 'TRUNCATE')")
        assert cur.fetchone() == (True, True, False)


@pytest.mark.parametrize("table", TABLES)
def test_update_and_delete_are_refused(events, table):
    _refused_by_privileges(f"UPDATE {table} SET chain = chain")
    _refused_by_privileges(f"DELETE FROM {table}")


@pytest.mark.parametrize("table", TABLES)
def test_truncate_is_refused(events, table):
    _refused_by_privileges(f"TRUNCATE {table}")


@pytest.mark.parametrize("table", TABLES)
def test_disabling_or_dropping_the_trigger_is_refused(events, table):
    _refused_by_privileges(f"ALTER TABLE {table} DISABLE TRIGGER {TRIGGERS[table]}")
    _refused_by_privileges(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
    _refused_by_privileges(f"DROP TRIGGER {TRIGGERS[table]} ON {table}")


@pytest.mark.parametrize("table", TABLES)
def test_dropping_or_renaming_the_table_is_refused(events, table):
    _refused_by_privileges(f"DROP TABLE {table} CASCADE")
    _refused_by_privileges(f"ALTER TABLE {table} RENAME TO {table}_old")


def test_granting_itself_more_is_refused(events):
    # Not the owner: a GRANT on the audit table is refused (psycopg reports it as a warning-free error or no-op).
    with pytest.raises(DatabaseError):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"GRANT UPDATE, DELETE, TRUNCATE ON audit_auditevent TO {APP_ROLE}")
            cur.execute("UPDATE audit_auditevent SET chain = chain")


def test_the_events_survive_every_attempt(events):
    for sql in ("DELETE FROM audit_auditevent", "TRUNCATE audit_auditevent"):
        with pytest.raises(DatabaseError):
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(sql)
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in events]).count() == 2


def test_insert_through_record_works_as_the_app_role(world, users, person):
    before = AuditEvent.objects.count()
    event = record(actor=users["ke"], action="view", obj=person, person=person, reason="ke")
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.get(pk=event.pk).seq is not None


def test_the_trigger_still_refuses_the_owner(events):
    """The grants are the outer wall; the append-only trigger (migration 0003) still holds for the owner."""
    with pytest.raises(DatabaseError) as info:
        with transaction.atomic(), connection.cursor() as cur:
            owner_execute(cur, "UPDATE audit_auditevent SET summary = 'x'")
    assert "append-only" in str(info.value)
