"""On PostgreSQL the owner (or a superuser) can TRUNCATE the audit table (row triggers do not see it): audit_verify reports it."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from helhet.audit.models import AuditEvent
from helhet.audit.services import checkpoint_write, record
from helhet.audit.testing import owner_execute

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _only_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


def test_truncate_after_a_checkpoint_is_reported(world, users, person, capsys):
    events = [record(actor=users["ke"], action="view", obj=person, person=person, reason="ke") for _ in range(3)]
    checkpoint_write()
    call_command("audit_verify")
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # else: "pending trigger events"
        # As the owner (the app role the tests run as may not TRUNCATE: tests/audit/test_app_role_postgres.py),
        # inside the test's transaction: rolled back with it.
        owner_execute(cur, "TRUNCATE audit_auditevent")
    assert not AuditEvent.objects.exists()
    with pytest.raises(CommandError) as info:
        call_command("audit_verify")
    assert f"chain {events[0].chain}: no events" in str(info.value)
    assert f"signed seq {events[-1].seq}" in str(info.value)
    assert info.value.returncode == 1
