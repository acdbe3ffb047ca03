"""AuditArchiveMark: the signed "chain C archived up to seq S (hash H, partition P)" note `manage.py audit_archive`
writes when it detaches a month partition (docs/operations.md "Audit partitions"). Append-only like AuditCheckpoint
(0005): PostgreSQL refuses UPDATE and DELETE with a row trigger (0005's audit_refuse_change()); SQLite with BEFORE
UPDATE / DELETE triggers (the DELETE one opened only for test flushes, as in 0003) and a BEFORE INSERT trigger
that refuses INSERT OR REPLACE over an existing row. The grants (helhet.audit.grants.apply_grants, run after
migrate) treat it as every audit_* table: the app role may SELECT and INSERT only.
"""

import importlib

from django.db import migrations, models

_append_only = importlib.import_module("helhet.audit.migrations.0003_append_only_triggers")
_checkpoints = importlib.import_module("helhet.audit.migrations.0005_chains_keys_checkpoints")

TABLE = "audit_auditarchivemark"

PG_FORWARD = f"""
DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};
CREATE TRIGGER {TABLE}_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""
PG_REVERSE = f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};"

SQLITE_FORWARD = [
    _checkpoints._no_replace(TABLE),
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE}
       BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: UPDATE refused'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE}
       WHEN helhet_audit_flush_permitted() IS NOT 1
       BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: DELETE refused'); END""",
]
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS {TABLE}_{name}" for name in ("no_replace", "no_update", "no_delete")]


def forward(apps, schema_editor):
    _append_only._run(schema_editor, PG_FORWARD, SQLITE_FORWARD)


def reverse(apps, schema_editor):
    _append_only._run(schema_editor, PG_REVERSE, SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_partition_events_by_month")]

    operations = [
        migrations.CreateModel(
            name="AuditArchiveMark",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("chain", models.BigIntegerField()),
                ("seq", models.BigIntegerField()),
                ("head_hash", models.CharField(max_length=64)),
                ("partition", models.CharField(max_length=63)),
                ("at", models.DateTimeField()),
                ("key_id", models.CharField(max_length=32)),
                ("mac", models.CharField(max_length=64)),
            ],
            options={
                "ordering": ["chain", "seq"],
                "constraints": [
                    models.UniqueConstraint(fields=("chain", "seq"), name="audit_archivemark_chain_seq")
                ],
            },
        ),
        migrations.RunPython(forward, reverse, elidable=False),
    ]
