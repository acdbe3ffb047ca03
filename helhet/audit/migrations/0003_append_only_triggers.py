"""Make audit_auditevent append-only in the database itself: triggers refuse UPDATE and DELETE.

PostgreSQL: one plpgsql function raised by a row-level BEFORE UPDATE OR DELETE
trigger (SQLSTATE 23001 restrict_violation, which Django reports as
IntegrityError). TRUNCATE is a statement, not row, operation and is not
refused: pytest-django's flush uses it between transactional tests.

SQLite: two BEFORE triggers with RAISE(ABORT). The DELETE trigger lets a
delete through only while the connection-level function
helhet_audit_flush_permitted() returns 1, which happens only inside
helhet.audit.testing.allow_test_flush() (test teardown; SQLite's flush is
DELETE FROM). See AuditEvent's docstring.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION audit_auditevent_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_change();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_auditevent_refuse_change();
"""

SQLITE_FORWARD = [
    """CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
       WHEN helhet_audit_flush_permitted() IS NOT 1
       BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only: DELETE refused'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
]


def _run(schema_editor, pg: str | None, sqlite: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(pg, params=None)  # None: "%" in the function body is not a placeholder
    elif vendor == "sqlite":
        for statement in sqlite:
            schema_editor.execute(statement)
    else:  # pragma: no cover - Helhet supports only these two
        raise RuntimeError(f"append-only audit triggers are not written for {vendor}")


def forward(apps, schema_editor):
    _run(schema_editor, PG_FORWARD, SQLITE_FORWARD)


def reverse(apps, schema_editor):
    _run(schema_editor, PG_REVERSE, SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]

    operations = [migrations.RunPython(forward, reverse, elidable=False)]
