"""manage.py audit_verify recomputes the hash chain and names the first event altered behind its back."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from helhet.audit.db import allow_test_flush
from helhet.audit.models import AuditEvent
from helhet.audit.services import record
from helhet.audit.testing import owner_execute  # the owner's SQL: tests run as the app role on PG


@pytest.fixture
def chain(world, users, person):
    return [record(actor=users["ke"], action="view", obj=person, person=person, reason="ke", summary=f"les {i}") for i in range(7)]


def _behind_its_back(sql: str, params: list) -> None:
    """Change the table as an attacker with SQL access would: past the append-only trigger."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Inside the test's transaction: rolled back with it, trigger and all. The deferred
            # foreign-key checks must fire first, or ALTER TABLE refuses ("pending trigger events").
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            owner_execute(cur, "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
            owner_execute(cur, sql, params)
            owner_execute(cur, "ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only")
        else:
            cur.execute("DROP TRIGGER audit_auditevent_no_update")  # rolled back with the test's transaction
            with allow_test_flush(connection):
                cur.execute(sql, params)


def test_it_reports_ok_with_the_count(chain, capsys):
    call_command("audit_verify", batch_size=3)
    assert f"OK: {AuditEvent.objects.count()} audit events" in capsys.readouterr().out


def test_it_names_the_event_whose_content_was_altered(chain):
    victim = chain[3]
    _behind_its_back("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["ingenting å se her", victim.pk])
    with pytest.raises(CommandError) as info:
        call_command("audit_verify", batch_size=2)
    assert f"id={victim.pk} " in str(info.value)
    assert "altered" in str(info.value)


def test_it_names_the_event_after_one_that_was_deleted(chain):
    _behind_its_back("DELETE FROM audit_auditevent WHERE id = %s", [chain[2].pk])
    with pytest.raises(CommandError) as info:
        call_command("audit_verify")
    assert f"id={chain[3].pk} " in str(info.value)
    assert "removed" in str(info.value)


def test_it_exits_non_zero_from_the_shell(chain):
    _behind_its_back("UPDATE audit_auditevent SET reason = '' WHERE id = %s", [chain[0].pk])
    with pytest.raises(CommandError) as info:
        call_command("audit_verify")
    assert info.value.returncode == 1
    assert f"id={chain[0].pk} " in str(info.value)
