"""One migrated throwaway PostgreSQL primary for the scale-out tests (tests/ops/test_pg_*.py, docs/scale-out.md).

Started at most once per test run, only when one of those tests asks for it: initdb on a free port (never the shared
5432 cluster), `manage.py migrate` and a small demo world in the database `helhet`, stopped by pid at the end.
"""

from __future__ import annotations

import pytest
from django.db import connection

from .appserver import manage
from .pgcluster import PgCluster, require_or_skip


def skip_unless_postgres_pass() -> None:
    """These tests run in the PostgreSQL pass of `make test` (and then fail when a cluster cannot start there
    and HELHET_REQUIRE_POSTGRES is set); the SQLite pass skips them."""
    if connection.vendor != "postgresql":
        pytest.skip("throwaway-cluster tests run in the PostgreSQL pass of make test")


@pytest.fixture(scope="session")
def pg_app():
    """(cluster, database URL): a throwaway primary with Helhet migrated and a small demo world loaded."""
    skip_unless_postgres_pass()
    require_or_skip()
    with PgCluster() as cluster:
        url = cluster.create_database("helhet")
        manage(url, "migrate", "--noinput", "-v0")
        manage(url, "shell", "-c", "from helhet.core.demo import seed_demo; seed_demo(n_persons=4)")
        yield cluster, url
