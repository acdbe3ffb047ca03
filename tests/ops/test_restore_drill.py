"""The restore drill (scripts/restore_drill.sh, docs/operations.md): a pg_dump of the test database restores into a
throwaway database on 127.0.0.1 with the same row count in every table, and the throwaway database is dropped.
PostgreSQL only: skipped in the SQLite pass of `make test`, which then runs the suite on PostgreSQL (and fails when
HELHET_REQUIRE_POSTGRES is set and PostgreSQL does not answer)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "restore_drill.sh"


def _url(db: dict, name: str) -> str:
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.mark.django_db(transaction=True)
def test_the_restore_drill_restores_every_row_and_drops_its_database(world):
    if connection.vendor != "postgresql":
        pytest.skip("the restore drill runs on PostgreSQL (the PostgreSQL pass of make test)")
    db = connection.settings_dict
    # The dump runs as the app role the tests use; the throwaway database is created over the privileged
    # credentials (the app role has no CREATEDB: helhet.audit.testing, docs/operations.md "Databaseroller").
    from helhet.audit.testing import owner_settings

    server = _url(owner_settings(connection), "postgres").rsplit("/", 1)[0]
    result = subprocess.run(
        [str(SCRIPT), _url(db, db["NAME"])],
        env={**os.environ, "RESTORE_DRILL_SERVER": server},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "counts match" in result.stdout
    tables = int(result.stdout.split("counts match: ", 1)[1].split(" tables", 1)[0])
    assert tables > 30
    with connection.cursor() as cursor:
        # Its own database is gone (another run's may exist at the same moment; never ours).
        pid = result.stdout.split("helhet_restore_drill_", 1)[1].split()[0]
        cursor.execute(
            "select count(*) from pg_database where datname = %s", [f"helhet_restore_drill_{pid}"]
        )
        assert cursor.fetchone()[0] == 0
