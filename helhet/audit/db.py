"""Database-level support for the append-only audit table (migration 0003_append_only_triggers).

SQLite's DELETE trigger on audit_auditevent asks the connection-level SQL
function helhet_audit_flush_permitted() whether a delete may pass. Django
defines it on every SQLite connection (AuditConfig.ready); it returns 1 only
while `allow_test_flush(connection)` is active on that connection, which only
test teardown uses (helhet.audit.testing). A connection opened outside Django
(the sqlite3 shell) has no such function, so its DELETE fails too.

The flag lives in Python on the connection object: plain SQL cannot switch it.
"""

from __future__ import annotations

import contextlib

_FLAG = "_helhet_audit_flush_permitted"


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    if connection.vendor != "sqlite":
        return
    # A closure over the Django wrapper (not the raw sqlite3 connection) so the
    # flag survives Django reconnecting.
    connection.connection.create_function(
        "helhet_audit_flush_permitted", 0, lambda: 1 if getattr(connection, _FLAG, False) else 0
    )


@contextlib.contextmanager
def allow_test_flush(connection):
    """Let DELETE through the SQLite audit trigger on this connection, for test flushes only.

    PostgreSQL needs nothing: its flush is TRUNCATE, which row-level triggers do
    not see. Used by helhet.audit.testing.pytest_runtest_teardown.
    """
    previous = getattr(connection, _FLAG, False)
    setattr(connection, _FLAG, True)
    try:
        yield
    finally:
        setattr(connection, _FLAG, previous)


_CREDENTIALS = ("NAME", "USER", "PASSWORD", "HOST", "PORT")


@contextlib.contextmanager
def owner_credentials(connection):
    """On PostgreSQL, when settings.HELHET_DB_OWNER (DATABASE_OWNER_URL) is set: run the block over the owner's
    credentials on the same alias (so everything that uses that connection runs as the owner), then close that
    connection and point the alias back. Otherwise a no-op. Used by `migrate` and `audit_partitions`."""
    from django.conf import settings

    owner = getattr(settings, "HELHET_DB_OWNER", {}) or {}
    if not owner or connection.alias != "default" or connection.vendor != "postgresql":
        yield
        return
    previous = {k: connection.settings_dict.get(k) for k in _CREDENTIALS}
    connection.close()
    connection.settings_dict.update({k: owner.get(k) or "" for k in _CREDENTIALS})
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(previous)
