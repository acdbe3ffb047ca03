"""The audit table refuses UPDATE and DELETE in the database itself (migration 0003), on SQLite and PostgreSQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from helhet.audit.models import AuditEvent
from helhet.audit.services import record


@pytest.fixture
def event(world, users, person):
    return record(actor=users["ke"], action="view", obj=person, person=person, reason="ke", summary="Så personens side")


def _refused(fn):
    # A savepoint, so the refused statement does not poison the test's transaction on PostgreSQL.
    with pytest.raises(DatabaseError) as info:
        with transaction.atomic():
            fn()
    # On PostgreSQL the tests run as the app role, refused by its grants before the trigger is reached; the
    # trigger against the owner: tests/audit/test_app_role_postgres.py.
    assert "append-only" in str(info.value) or "permission denied" in str(info.value)


def test_it_refuses_update_by_raw_sql(event):
    def update():
        with connection.cursor() as cur:
            cur.execute("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["endret i ettertid", event.pk])

    _refused(update)
    event.refresh_from_db()
    assert event.summary == "Så personens side"


def test_it_refuses_delete_by_raw_sql(event):
    def delete():
        with connection.cursor() as cur:
            cur.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])

    _refused(delete)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_refuses_orm_update(event):
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(reason=""))
    _refused(lambda: AuditEvent.objects.update(summary="x"))
    event.summary = "x"
    _refused(event.save)
    event.refresh_from_db()
    assert event.reason == "ke"


def test_it_refuses_orm_delete(event):
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    _refused(event.delete)
    _refused(lambda: AuditEvent.objects.all().delete())
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_inserts_still_work(event, users, person):
    second = record(actor=users["ke"], action="view", obj=person, person=person, reason="ke")
    assert second.prev_hash == event.hash


@pytest.mark.django_db(transaction=True)
def test_it_refuses_delete_in_a_transactional_test_too(world, users, person):
    """Outside the test's own transaction the trigger is equally in force; only teardown's flush is let through."""
    ev = record(actor=users["ke"], action="view", obj=person, person=person, reason="ke")
    _refused(lambda: AuditEvent.objects.filter(pk=ev.pk).delete())
    _refused(lambda: AuditEvent.objects.filter(pk=ev.pk).update(summary="x"))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's test-flush opening only")
def test_sqlite_allow_test_flush_opens_delete_only_inside_the_block(event):
    from helhet.audit.db import allow_test_flush

    with allow_test_flush(connection):
        _refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(summary="x"))  # UPDATE never opens
        with transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).delete()
            transaction.set_rollback(True)
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
