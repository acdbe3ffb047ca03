"""Change the audit tables as an attacker with SQL access would: past the append-only triggers.

Everything happens inside the test's transaction and is rolled back with it, triggers and all (SQLite's DDL
is transactional; PostgreSQL's ALTER TABLE ... DISABLE TRIGGER too). As in test_command_audit_verify.py.
"""

from django.db import connection

from helhet.audit.db import allow_test_flush
from helhet.audit.testing import owner_execute  # the owner's SQL: tests run as the app role on PG

_PG_TRIGGERS = {
    "audit_auditevent": "audit_auditevent_append_only",
    "audit_auditcheckpoint": "audit_auditcheckpoint_append_only",
}


def behind_its_back(sql: str, params=(), tables=("audit_auditevent",)) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # The deferred foreign-key checks must fire first, or ALTER TABLE refuses ("pending trigger events").
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in tables:
                owner_execute(cur, f"ALTER TABLE {table} DISABLE TRIGGER {_PG_TRIGGERS[table]}")
            owner_execute(cur, sql, params)
            for table in tables:
                owner_execute(cur, f"ALTER TABLE {table} ENABLE TRIGGER {_PG_TRIGGERS[table]}")
        else:
            for table in tables:
                cur.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            with allow_test_flush(connection):  # lets DELETE through the SQLite trigger
                cur.execute(sql, params)
