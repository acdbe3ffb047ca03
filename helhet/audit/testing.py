"""Test support for the append-only audit table. Import into tests/conftest.py:

    from helhet.audit.testing import pytest_runtest_teardown  # noqa: F401

Transactional tests (transaction=True, live_server) end with Django's flush.
On SQLite the flush is `DELETE FROM audit_auditevent`, which the append-only
trigger refuses; this hook permits it on every open connection, for the
teardown phase only (helhet.audit.db.allow_test_flush). While a test body runs
the trigger is fully in force, so tests/audit/test_append_only.py proves it.
"""

from __future__ import annotations

import contextlib

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    from django.db import connections

    from .db import allow_test_flush

    with contextlib.ExitStack() as stack:
        for conn in connections.all(initialized_only=True):
            stack.enter_context(allow_test_flush(conn))
        return (yield)
