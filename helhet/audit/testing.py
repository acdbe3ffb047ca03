"""Test support for the append-only audit table. Import into tests/conftest.py:

    from helhet.audit.testing import pytest_runtest_teardown  # noqa: F401

Transactional tests (transaction=True, live_server) end with Django's flush.
On SQLite the flush is `DELETE FROM audit_auditevent`, which the append-only
trigger refuses; this hook permits it on every open connection, for the
teardown phase only (helhet.audit.db.allow_test_flush). While a test body runs
the trigger is fully in force, so tests/audit/test_append_only.py proves it.

On PostgreSQL the test run connects as the app role (use_app_role, called by the
django_db_setup fixture in tests/conftest.py after the test database was created
and migrated over the privileged DATABASE_URL), so the role tests mean something:
the app role may only SELECT and INSERT the audit tables (helhet.audit.grants).
The flush is TRUNCATE, which the app role may not do on the audit tables: the
teardown of a transactional test therefore runs over the owner's connection
(as_owner), exactly as a deploy's `migrate` does. A test body never does.
"""

from __future__ import annotations

import contextlib
import os

import pytest

# The privileged credentials (superuser or owner) the test database was created with, while the tests run as the
# app role: {"USER": ..., "PASSWORD": ...}. Empty: not switched (SQLite, or not yet set up).
_owner: dict = {}


def _swap(connection, creds: dict) -> dict:
    """Point `connection` (and every thread's connection to the same alias: they share settings_dict) at other
    credentials; returns the previous ones. The open connection is closed so the next query reconnects."""
    previous = {k: connection.settings_dict.get(k) for k in creds}
    connection.close()
    connection.settings_dict.update(creds)
    return previous


def use_app_role(connection, *, app: str | None = None, password: str | None = None) -> str:
    """After the PostgreSQL test database is migrated: make sure the roles exist (creating them when this
    connection may), apply the grants, and switch `connection` to the app role. Returns the app role's name."""
    from django.conf import settings

    from .grants import APP_ROLE, OWNER_ROLE, apply_grants, ensure_roles, is_privileged, roles_exist

    if connection.vendor != "postgresql" or _owner:
        return ""
    app = app or getattr(settings, "HELHET_DB_APP_ROLE", "") or APP_ROLE
    password = password if password is not None else os.environ.get("HELHET_DB_APP_PASSWORD", "")
    from django.db import transaction

    # One transaction, so ensure_roles' advisory lock holds until the roles are committed (parallel test runs).
    with transaction.atomic(using=connection.alias), connection.cursor() as cur:
        if not roles_exist(cur, app):
            if not is_privileged(cur):
                raise RuntimeError(
                    f"PostgreSQL role {app!r} is missing and {connection.settings_dict['USER']!r} cannot create it: "
                    "run scripts/pg_roles.py with the superuser URL first (docs/operations.md, Databaseroller)"
                )
            ensure_roles(cur, owner=OWNER_ROLE, app=app, app_password=password or None)
        apply_grants(cur, app=app)
        _create_owner_exec(cur, app)
    _owner.update(_swap(connection, {"USER": app, "PASSWORD": password}))
    return app


# Test databases only: the tamper tests (tests/audit/tampering.py, test_truncate_postgres.py) play an attacker with
# the owner's SQL access INSIDE the test's transaction (so it is rolled back with it); the app role cannot ALTER or
# TRUNCATE the audit tables, so they reach the owner through this SECURITY DEFINER function, created by the
# privileged connection in the throwaway test database and never by a migration.
_OWNER_EXEC = "helhet_test_owner_exec"


def _create_owner_exec(cur, app: str) -> None:
    from .grants import ident

    cur.execute(
        f"CREATE OR REPLACE FUNCTION public.{_OWNER_EXEC}(statement text) RETURNS void LANGUAGE plpgsql "
        "SECURITY DEFINER SET search_path = public AS $$ BEGIN EXECUTE statement; END $$"
    )
    cur.execute(f"REVOKE ALL ON FUNCTION public.{_OWNER_EXEC}(text) FROM PUBLIC")
    cur.execute(f"GRANT EXECUTE ON FUNCTION public.{_OWNER_EXEC}(text) TO {ident(app)}")


def owner_execute(cursor, sql: str, params=()) -> None:
    """Execute `sql` with the owner's privileges in the current transaction (tests only; see _OWNER_EXEC). Plain
    cursor.execute when the run is not switched to the app role (SQLite, or a run as the superuser)."""
    from django.db import connection

    if not _owner or connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    statement = connection.ops.compose_sql(sql, params) if params else sql
    cursor.execute(f"SELECT public.{_OWNER_EXEC}(%s)", [statement])


def use_owner_role(connection) -> None:
    """Session end: back to the privileged credentials, so the test database can be dropped."""
    if _owner:
        _swap(connection, dict(_owner))
        _owner.clear()


def owner_settings(connection) -> dict:
    """The connection's settings with the privileged credentials (for a test that must act as the owner, e.g.
    TRUNCATE in tests/audit/test_truncate_postgres.py); the connection's own settings when not switched."""
    return {**connection.settings_dict, **_owner}


@contextlib.contextmanager
def as_owner(connection):
    """Run the block over the owner's credentials (a transactional test's flush). A no-op while the connection is
    inside a transaction (an ordinary test's rollback must happen on the connection that began it)."""
    if not _owner or connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    app = _swap(connection, dict(_owner))
    try:
        yield
    finally:
        _swap(connection, app)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    from django.db import connections

    from .db import allow_test_flush

    with contextlib.ExitStack() as stack:
        for conn in connections.all(initialized_only=True):
            stack.enter_context(allow_test_flush(conn))
        if "default" in connections:
            stack.enter_context(as_owner(connections["default"]))
        return (yield)
