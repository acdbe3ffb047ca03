"""PostgreSQL roles and grants for the append-only audit store (issue 9; docs/operations.md "Databaseroller").

Two roles (cluster-wide; created by scripts/pg_roles.py, and by the PostgreSQL test run in tests/conftest.py):

- the owner (default `helhet_owner`): owns the schema objects and runs `manage.py migrate`
  (DATABASE_OWNER_URL, helhet/audit/management/commands/migrate.py);
- the app (default `helhet_app`, settings.HELHET_DB_APP_ROLE): LOGIN, NOSUPERUSER, NOCREATEDB, NOCREATEROLE; the
  web server and the worker connect as it (DATABASE_URL). It gets SELECT, INSERT, UPDATE, DELETE on every table and
  USAGE, SELECT on every sequence, EXCEPT the audit tables (every `audit_*` table: audit_auditevent,
  audit_auditcheckpoint), where it gets SELECT and INSERT only. It owns nothing, so it can neither ALTER (DISABLE
  TRIGGER), DROP TRIGGER, DROP TABLE nor TRUNCATE.

`apply_grants` is idempotent and is run (a) by scripts/pg_roles.py, (b) after every `migrate` by the post_migrate
handler below (when HELHET_DB_APP_ROLE is set), so a table a later migration creates gets the grants and an audit
table the default privileges opened is closed again, and (c) by the PostgreSQL test run after it migrated the test
database. Default privileges (for the owner role) cover tables created between two runs.

Plain SQL over a DB-API cursor, no Django import: scripts/pg_roles.py uses it before Django is configured.
"""

from __future__ import annotations

import re

OWNER_ROLE = "helhet_owner"
APP_ROLE = "helhet_app"
AUDIT_TABLE_PREFIX = "audit_"
_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# One lock for role creation: two test runs (or two deploys) starting at once must not race on CREATE ROLE.
_ROLE_LOCK = 0x4845_4C48  # "HELH"


def ident(name: str) -> str:
    """A role or table name, checked (these names are interpolated into DDL, which takes no parameters)."""
    if not _IDENT.match(name or ""):
        raise ValueError(f"not a plain PostgreSQL identifier: {name!r}")
    return f'"{name}"'


def _role_exists(cur, name: str) -> bool:
    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
    return cur.fetchone() is not None


def ensure_roles(cur, *, owner: str = OWNER_ROLE, app: str = APP_ROLE, owner_password: str | None = None,
                 app_password: str | None = None, owner_createdb: bool = True) -> list[str]:
    """Create (or correct) the owner and the app role. Needs a superuser (or CREATEROLE) connection. Returns what
    it did, for the script's output. The app role is always forced back to NOSUPERUSER NOCREATEDB NOCREATEROLE."""
    done = []
    cur.execute("SELECT pg_advisory_xact_lock(%s)", [_ROLE_LOCK])
    owner_attrs = "LOGIN NOSUPERUSER NOCREATEROLE " + ("CREATEDB" if owner_createdb else "NOCREATEDB")
    app_attrs = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
    for name, attrs, password in ((owner, owner_attrs, owner_password), (app, app_attrs, app_password)):
        verb = "ALTER" if _role_exists(cur, name) else "CREATE"
        if password:
            cur.execute(f"{verb} ROLE {ident(name)} {attrs} PASSWORD %s", [password])
        else:
            cur.execute(f"{verb} ROLE {ident(name)} {attrs}")
        done.append(f"{verb.lower()} role {name}")
        # No JIT compilation for the app's short queries: with the per-person visibility checks (access.facts) the
        # planner overestimates a paged list's COUNT(*) and JIT-compiles it, 75 ms -> 950 ms at 9k persons (issue 14).
        cur.execute(f"ALTER ROLE {ident(name)} SET jit = off")
    return done


def is_privileged(cur) -> bool:
    cur.execute("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
    row = cur.fetchone()
    return bool(row and row[0])


def roles_exist(cur, *names: str) -> bool:
    return all(_role_exists(cur, n) for n in names)


def can_grant(cur, schema: str = "public") -> bool:
    """True when this connection owns the audit table (or is a superuser): only then can it GRANT/REVOKE on it.
    The post_migrate handler asks first, so a flush over the app role's connection never tries."""
    cur.execute(
        "SELECT r.rolsuper OR EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = %s AND t.tablename = 'audit_auditevent'"
        " AND pg_has_role(current_user, t.tableowner, 'USAGE')) FROM pg_roles r WHERE r.rolname = current_user",
        [schema],
    )
    row = cur.fetchone()
    return bool(row and row[0])


def apply_grants(cur, *, app: str = APP_ROLE, owner: str | None = None, schema: str = "public") -> dict:
    """Grant the app role what it may do in the current database. Idempotent. Run as the tables' owner.

    1. CONNECT on the database, USAGE on the schema (never CREATE).
    2. SELECT, INSERT, UPDATE, DELETE on every table, USAGE, SELECT on every sequence.
    3. Every audit_* table: revoke everything, grant SELECT, INSERT (append-only; the triggers refuse UPDATE and
       DELETE for everyone, this refuses TRUNCATE, ALTER and DROP for the app role); every partition of one
       (the audit event table's months on PostgreSQL, helhet.audit.partitions): SELECT only.
    4. Default privileges for `owner` (default: current_user) in the schema, so the next migration's tables get
       step 2's grants at once; post_migrate runs this again to close step 3 for a new audit table.
    Returns the tables it treated, for the script and the tests.
    """
    a, s = ident(app), ident(schema)
    cur.execute("SELECT current_database(), current_user")
    database, me = cur.fetchone()
    cur.execute(f'GRANT CONNECT ON DATABASE "{database}" TO {a}')
    cur.execute(f"REVOKE CREATE ON SCHEMA {s} FROM {a}")
    cur.execute(f"GRANT USAGE ON SCHEMA {s} TO {a}")
    cur.execute(
        "SELECT c.relname, c.relispartition FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname", [schema])
    rows = cur.fetchall()
    tables = [r[0] for r in rows]
    audit = [t for t, partition in rows if t.startswith(AUDIT_TABLE_PREFIX) and not partition]
    cur.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {a}")
    cur.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {a}")
    for table in audit:
        t = f"{s}.{ident(table)}"
        cur.execute(f"REVOKE ALL ON {t} FROM {a}")
        cur.execute(f"REVOKE ALL ON {t} FROM PUBLIC")
        cur.execute(f"GRANT SELECT, INSERT ON {t} TO {a}")
    audit_partition_grants(cur, [t for t, partition in rows if t.startswith(AUDIT_TABLE_PREFIX) and partition],
                           app=app, schema=schema)
    for_role = ident(owner or me)
    cur.execute(f"ALTER DEFAULT PRIVILEGES FOR ROLE {for_role} IN SCHEMA {s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {a}")
    cur.execute(f"ALTER DEFAULT PRIVILEGES FOR ROLE {for_role} IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {a}")
    return {"database": database, "tables": len(tables), "audit_tables": audit}


def audit_partition_grants(cur, tables, *, app: str = APP_ROLE, schema: str = "public") -> None:
    """A partition of an audit table (helhet.audit.partitions): SELECT only for the app role, nothing for PUBLIC.
    Inserts and reads through the parent need privileges on the parent only; SELECT on the partition itself is
    what pg_dump as the app role needs (it reads each partition) and shows no row the parent does not."""
    a, s = ident(app), ident(schema)
    for table in tables:
        t = f"{s}.{ident(table)}"
        cur.execute(f"REVOKE ALL ON {t} FROM {a}")
        cur.execute(f"REVOKE ALL ON {t} FROM PUBLIC")
        cur.execute(f"GRANT SELECT ON {t} TO {a}")


def post_migrate_grants(sender, using="default", **kwargs) -> None:
    """post_migrate (helhet.audit.apps): on PostgreSQL with settings.HELHET_DB_APP_ROLE set, re-apply the grants
    after every migrate, over the connection that migrated (the owner's). Skipped when that connection cannot
    grant (a test flush over the app role emits post_migrate too)."""
    from django.conf import settings
    from django.db import connections

    app = getattr(settings, "HELHET_DB_APP_ROLE", "")
    connection = connections[using]
    if not app or connection.vendor != "postgresql" or getattr(sender, "label", None) != "audit":
        return
    with connection.cursor() as cur:
        if not roles_exist(cur, app) or not can_grant(cur):
            return
        apply_grants(cur, app=app)
