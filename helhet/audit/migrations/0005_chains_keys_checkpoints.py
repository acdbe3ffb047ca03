"""One keyed chain per tenant, and signed checkpoints (docs/operations.md, "Audit log").

1. AuditEvent gets `chain` (the tenant), `seq` (its place in the chain) and `key_id` (which HMAC key signed
   it), unique per (chain, seq). Existing rows keep what they were: `seq` NULL, `key_id` "" -- the legacy
   chain, one unkeyed SHA-256 chain in id order that audit_verify checks with services.legacy_digest. Their
   hashes are not recomputed: re-hashing would bless whatever was done to them before.
2. AuditCheckpoint, append-only like the events: PostgreSQL refuses UPDATE and DELETE with a row trigger;
   SQLite with BEFORE UPDATE / DELETE triggers (the DELETE one opened only for test flushes, as in 0003).
3. SQLite: a BEFORE INSERT trigger on both tables refuses a row whose id (or chain and seq) already
   exists, so `INSERT OR REPLACE` cannot delete and rewrite a row behind the DELETE trigger's back (REPLACE
   fires no DELETE trigger unless recursive_triggers is on). SQLite rebuilds the table on AddField, which
   drops its triggers: 0003's are created again here.
4. The legacy seal: one checkpoint of chain keys.LEGACY_CHAIN over the legacy events (count, last hash),
   signed with the key configured when this migration runs. audit_verify then refuses a legacy chain that
   is shorter or longer than its seal: nothing may be added to it, cut from it or forged into it later.
"""

import importlib

from django.db import migrations, models
from django.utils import timezone

_append_only = importlib.import_module("helhet.audit.migrations.0003_append_only_triggers")

PG_FORWARD = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
DROP TRIGGER IF EXISTS audit_auditcheckpoint_append_only ON audit_auditcheckpoint;
CREATE TRIGGER audit_auditcheckpoint_append_only
    BEFORE UPDATE OR DELETE ON audit_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS audit_auditcheckpoint_append_only ON audit_auditcheckpoint;
DROP FUNCTION IF EXISTS audit_refuse_change();
"""


def _no_replace(table: str) -> str:
    return f"""CREATE TRIGGER IF NOT EXISTS {table}_no_replace BEFORE INSERT ON {table}
       WHEN EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id)
         OR EXISTS (SELECT 1 FROM {table} WHERE chain = NEW.chain AND seq = NEW.seq)
       BEGIN SELECT RAISE(ABORT, '{table} is append-only: INSERT over an existing row refused'); END"""


SQLITE_FORWARD = [
    _no_replace("audit_auditevent"),
    _no_replace("audit_auditcheckpoint"),
    """CREATE TRIGGER IF NOT EXISTS audit_auditcheckpoint_no_update BEFORE UPDATE ON audit_auditcheckpoint
       BEGIN SELECT RAISE(ABORT, 'audit_auditcheckpoint is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_auditcheckpoint_no_delete BEFORE DELETE ON audit_auditcheckpoint
       WHEN helhet_audit_flush_permitted() IS NOT 1
       BEGIN SELECT RAISE(ABORT, 'audit_auditcheckpoint is append-only: DELETE refused'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_replace",
    "DROP TRIGGER IF EXISTS audit_auditcheckpoint_no_replace",
    "DROP TRIGGER IF EXISTS audit_auditcheckpoint_no_update",
    "DROP TRIGGER IF EXISTS audit_auditcheckpoint_no_delete",
]


def forward(apps, schema_editor):
    _append_only.forward(apps, schema_editor)  # SQLite dropped them when it rebuilt the table
    _append_only._run(schema_editor, PG_FORWARD, SQLITE_FORWARD)


def reverse(apps, schema_editor):
    _append_only._run(schema_editor, PG_REVERSE, SQLITE_REVERSE)


def seal_legacy(apps, schema_editor):
    from helhet.audit import keys

    db = schema_editor.connection.alias
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditCheckpoint = apps.get_model("audit", "AuditCheckpoint")
    legacy = AuditEvent.objects.using(db).filter(seq__isnull=True)
    count = legacy.count()
    head = legacy.order_by("-id").values_list("hash", flat=True).first() or keys.GENESIS
    now = timezone.now()
    key_id = keys.current_key_id()
    AuditCheckpoint.objects.using(db).create(
        chain=keys.LEGACY_CHAIN, seq=count, head_hash=head, at=now, key_id=key_id,
        mac=keys.checkpoint_mac(chain=keys.LEGACY_CHAIN, seq=count, head_hash=head, at=now, key_id=key_id),
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_event_code_params")]

    operations = [
        migrations.AddField(model_name="auditevent", name="chain", field=models.BigIntegerField(default=0)),
        migrations.AddField(model_name="auditevent", name="seq", field=models.BigIntegerField(blank=True, null=True)),
        migrations.AddField(model_name="auditevent", name="key_id", field=models.CharField(blank=True, max_length=32)),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("chain", "seq"), name="audit_chain_seq"),
        ),
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("chain", models.BigIntegerField()),
                ("seq", models.BigIntegerField()),
                ("head_hash", models.CharField(max_length=64)),
                ("at", models.DateTimeField()),
                ("key_id", models.CharField(max_length=32)),
                ("mac", models.CharField(max_length=64)),
            ],
            options={
                "ordering": ["chain", "seq"],
                "constraints": [
                    models.UniqueConstraint(fields=("chain", "seq"), name="audit_checkpoint_chain_seq")
                ],
            },
        ),
        migrations.RunPython(forward, reverse, elidable=False),
        migrations.RunPython(seal_legacy, migrations.RunPython.noop, elidable=False),
    ]
