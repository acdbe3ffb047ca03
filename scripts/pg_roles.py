#!/usr/bin/env python3
"""Create the PostgreSQL roles Helhet runs as and grant them (issue 9; docs/operations.md "Databaseroller").

    scripts/pg_roles.py SUPERUSER_URL [--database NAME] [--owner helhet_owner] [--app helhet_app]

1. Over SUPERUSER_URL (a superuser, or a role with CREATEROLE): create or correct the owner role (LOGIN, CREATEDB,
   no superuser) and the app role (LOGIN, NOSUPERUSER NOCREATEDB NOCREATEROLE). Passwords from
   HELHET_DB_OWNER_PASSWORD / HELHET_DB_APP_PASSWORD when set (none: trust/peer authentication, e.g. 127.0.0.1).
2. With --database: create that database owned by the owner role if it does not exist, make the owner own every
   table, sequence and view already in its public schema (a database migrated earlier as the superuser), and apply
   the grants (helhet.audit.grants.apply_grants): the app role gets SELECT/INSERT/UPDATE/DELETE on every table and
   USAGE/SELECT on every sequence, but only SELECT/INSERT on the audit_* tables; default privileges cover the
   tables later migrations create (and `manage.py migrate` re-applies the grants: helhet.audit.grants).
Idempotent: run it again after any change. Prints what it did.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402

from helhet.audit.grants import APP_ROLE, OWNER_ROLE, apply_grants, ensure_roles, ident  # noqa: E402


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="superuser URL, e.g. postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", help="also create/grant this database (a name, e.g. helhet, or a URL naming it)")
    parser.add_argument("--owner", default=os.environ.get("HELHET_DB_OWNER_ROLE", OWNER_ROLE))
    parser.add_argument("--app", default=os.environ.get("HELHET_DB_APP_ROLE", "") or APP_ROLE)
    args = parser.parse_args(argv)
    try:
        with psycopg.connect(args.url, autocommit=True) as conn:
            with conn.transaction(), conn.cursor() as cur:
                for line in ensure_roles(cur, owner=args.owner, app=args.app,
                                         owner_password=os.environ.get("HELHET_DB_OWNER_PASSWORD") or None,
                                         app_password=os.environ.get("HELHET_DB_APP_PASSWORD") or None):
                    print(f"pg_roles: {line}")
            if args.database and "://" in args.database:  # a database URL (make run passes DATABASE_OWNER_URL)
                args.database = urlsplit(args.database).path.lstrip("/")
            if args.database:
                ident(args.database)
                cur = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.database])
                if cur.fetchone() is None:
                    conn.execute(f"CREATE DATABASE {ident(args.database)} OWNER {ident(args.owner)}")
                    print(f"pg_roles: created database {args.database}")
        if args.database:
            with psycopg.connect(_with_database(args.url, args.database)) as conn, conn.cursor() as cur:
                cur.execute(f"ALTER DATABASE {ident(args.database)} OWNER TO {ident(args.owner)}")
                cur.execute(f"ALTER SCHEMA public OWNER TO {ident(args.owner)}")
                # Objects a superuser migrated before the roles existed: the owner takes them over.
                cur.execute("SELECT 'TABLE', tablename FROM pg_tables WHERE schemaname = 'public' UNION ALL "
                            "SELECT 'SEQUENCE', sequencename FROM pg_sequences WHERE schemaname = 'public' UNION ALL "
                            "SELECT 'VIEW', viewname FROM pg_views WHERE schemaname = 'public'")
                for kind, name in cur.fetchall():
                    cur.execute(f"ALTER {kind} public.{ident(name)} OWNER TO {ident(args.owner)}")
                cur.execute(f"SET ROLE {ident(args.owner)}")
                done = apply_grants(cur, app=args.app, owner=args.owner)
                cur.execute("RESET ROLE")
                print(f"pg_roles: {done['database']}: {done['tables']} tables granted to {args.app}; "
                      f"SELECT/INSERT only on {', '.join(done['audit_tables']) or '(no audit tables yet)'}")
    except (psycopg.Error, ValueError) as exc:
        print(f"pg_roles: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
