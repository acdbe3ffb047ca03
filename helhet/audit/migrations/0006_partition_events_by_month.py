"""PostgreSQL: audit_auditevent becomes a table PARTITIONED BY RANGE (at), one partition a month (issue 14;
helhet.audit.partitions, docs/operations.md "Audit partitions"). SQLite keeps the plain table: nothing happens there.

The table is rebuilt in this migration's transaction (it holds an ACCESS EXCLUSIVE lock on the table meanwhile:
a deploy with a large log should plan for the copy):
1. Read the definitions to keep: every index not backing a constraint (the `at` index, the FK indexes,
   audit_person_at, audit_actor_at; pg_get_indexdef), every foreign key (to the user, organisation and person:
   pg_get_constraintdef, DEFERRABLE as Django made them) and the id sequence's position.
2. Rename the table away, create the new one LIKE it (same columns, NOT NULLs and checks) PARTITIONED BY RANGE
   (at), create the DEFAULT partition and one partition for every month from the oldest event to next month.
3. Copy every row (ids, hashes, chains unchanged), drop the old table.
4. The id: a sequence owned by the column, continuing where the old one stood (PostgreSQL 15 has no identity
   column on a partitioned table; Django's pg_get_serial_sequence finds it either way).
5. The keys: the primary key must contain the partition key, so it is (id, at) -- Django still sees `id` as the
   primary key, ids come only from the sequence, and a lookup by id alone is an index scan of the (id, at) index
   in each partition. No foreign key points at this table (AuditCheckpoint names chains, not events), so nothing
   else needs `id` unique. The unique (chain, seq) constraint cannot exist on a partitioned table without `at`:
   `audit_chain_seq` becomes a plain index on (chain, seq) in every partition (record()'s head-of-chain lookup and
   audit_verify's walk, a Merge Append of index scans), and a BEFORE INSERT trigger takes record()'s per-chain
   advisory lock and refuses a (chain, seq) that exists in any partition (unique_violation, as the constraint
   did): a race still cannot fork a chain.
6. The indexes and foreign keys of step 1, under their old names, on the parent (so on every partition, and on
   every partition created later), and the append-only trigger of 0003 on the parent (PostgreSQL 13+ clones row
   triggers to every partition, present and future).
The reverse rebuilds a plain table the same way (primary key id, unique constraint audit_chain_seq).
"""

from django.db import migrations

from helhet.audit import partitions

PARENT, OLD = "audit_auditevent", "audit_auditevent_unpartitioned"
SEQUENCE = "audit_auditevent_id_seq"

CHAIN_SEQ_UNIQUE = """
CREATE OR REPLACE FUNCTION audit_auditevent_chain_seq_unique() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq IS NOT NULL THEN
        -- The lock helhet.audit.services.record() takes (_CHAIN_LOCK, chain mod 2^31-1): held, the check sees
        -- every committed event of the chain (READ COMMITTED: each statement a new snapshot).
        PERFORM pg_advisory_xact_lock(727001, (((NEW.chain % 2147483647) + 2147483647) % 2147483647)::int);
        IF EXISTS (SELECT 1 FROM audit_auditevent WHERE chain = NEW.chain AND seq = NEW.seq) THEN
            RAISE EXCEPTION 'duplicate key value violates unique constraint "audit_chain_seq"'
                USING ERRCODE = 'unique_violation', DETAIL = format('Key (chain, seq)=(%s, %s) already exists.', NEW.chain, NEW.seq);
        END IF;
    END IF;
    RETURN NEW;
END;
$$;
"""


def _rebuild(cur, *, partitioned: bool) -> None:
    cur.execute(f'LOCK TABLE "{PARENT}" IN ACCESS EXCLUSIVE MODE')
    cur.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %s::regclass"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)"
        " AND NOT EXISTS (SELECT 1 FROM pg_class x WHERE x.oid = i.indexrelid AND x.relname = 'audit_chain_seq')",
        [PARENT],
    )
    indexes = [r[0] for r in cur.fetchall()]
    cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'", [PARENT])
    foreign_keys = cur.fetchall()
    cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [PARENT])
    (old_sequence,) = cur.fetchone()
    cur.execute(f"SELECT last_value, is_called FROM {old_sequence}")
    last_value, is_called = cur.fetchone()
    cur.execute(f'SELECT min(at) FROM "{PARENT}"')
    (oldest,) = cur.fetchone()

    cur.execute(f'ALTER TABLE "{PARENT}" RENAME TO "{OLD}"')
    cur.execute(
        f'CREATE TABLE "{PARENT}" (LIKE "{OLD}" INCLUDING CONSTRAINTS)' + (" PARTITION BY RANGE (at)" if partitioned else "")
    )
    if partitioned:
        cur.execute("SELECT (now() AT TIME ZONE 'UTC')::date")
        (today,) = cur.fetchone()
        partitions.ensure(cur, today=today, months_ahead=1, since=oldest.date() if oldest else None, app=partitions.app_role(cur))
    cur.execute(f'INSERT INTO "{PARENT}" SELECT * FROM "{OLD}"')
    cur.execute(f'DROP TABLE "{OLD}"')  # its indexes, foreign keys, triggers and identity sequence with it

    cur.execute(f'CREATE SEQUENCE "{SEQUENCE}" OWNED BY "{PARENT}".id')
    cur.execute("SELECT setval(%s, %s, %s)", [SEQUENCE, last_value, is_called])
    cur.execute(f"""ALTER TABLE "{PARENT}" ALTER COLUMN id SET DEFAULT nextval('"{SEQUENCE}"'::regclass)""")
    cur.execute(f'ALTER TABLE "{PARENT}" ADD CONSTRAINT audit_auditevent_pkey PRIMARY KEY ' + ("(id, at)" if partitioned else "(id)"))
    if partitioned:
        cur.execute(f'CREATE INDEX audit_chain_seq ON "{PARENT}" (chain, seq)')
        cur.execute(CHAIN_SEQ_UNIQUE)
        cur.execute(
            f'CREATE TRIGGER audit_auditevent_chain_seq_unique BEFORE INSERT ON "{PARENT}"'
            " FOR EACH ROW EXECUTE FUNCTION audit_auditevent_chain_seq_unique()"
        )
    else:
        cur.execute(f'ALTER TABLE "{PARENT}" ADD CONSTRAINT audit_chain_seq UNIQUE (chain, seq)')
        cur.execute("DROP FUNCTION IF EXISTS audit_auditevent_chain_seq_unique()")
    for definition in indexes:
        # Read before the rename, so "CREATE INDEX name ON public.audit_auditevent ..."; a partitioned table's own
        # index reads "ON ONLY" (the reverse), which would leave the new table's index unbuilt.
        cur.execute(definition.replace(" ON ONLY ", " ON ", 1))
    for name, definition in foreign_keys:
        cur.execute(f'ALTER TABLE "{PARENT}" ADD CONSTRAINT "{name}" {definition}')
    cur.execute(
        f'CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON "{PARENT}"'
        " FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_change()"
    )


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cur:
            _rebuild(cur, partitioned=True)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cur:
            _rebuild(cur, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_chains_keys_checkpoints")]

    # Database only: Django's model state is unchanged (`id` the primary key, audit_chain_seq a unique
    # constraint), which is what SQLite has and what the ORM needs. A later schema migration of AuditEvent on
    # PostgreSQL must take the partitioned layout into account (AuditEvent's docstring).
    operations = [migrations.RunPython(forward, reverse, elidable=False)]
