"""pgbouncer in transaction mode in front of PostgreSQL (issue 14, docs/scale-out.md).

The Debian package's pgbouncer on a free port (tests/ops/pgcluster.py), pool_mode = transaction, a small server
pool. gunicorn with HELHET_DB_POOLER=pgbouncer (no server-side cursors, no prepared statements: helhet/settings.py,
"Scale-out") serves logged-in reads and audited writes from three clients at once, with every write stored once
and audited; audit_verify, whose QuerySet.iterator() would open a server-side cursor, runs through it too; and
pgbouncer's own statistics show the transactions went through it.
"""

from __future__ import annotations

import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from .appserver import AppServer, Browser, manage, post_until_acknowledged
from .conftest import skip_unless_postgres_pass
from .pgcluster import require_or_skip

pytestmark = [pytest.mark.postgres_only]


def _bouncer_stats(port: int) -> dict[str, int]:
    # The admin console speaks only the simple query protocol: psql, not psycopg's extended one.
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-tA", "-F", "|", "-c", "SHOW STATS", "pgbouncer"],
                         capture_output=True, text=True, timeout=10, check=True).stdout
    return {row.split("|")[0]: int(row.split("|")[1]) for row in out.splitlines() if row}  # database -> total_xact_count


def test_the_app_serves_reads_and_audited_writes_through_pgbouncer_in_transaction_mode(pg_app):
    skip_unless_postgres_pass()
    require_or_skip(pgbouncer=True)
    cluster, _url = pg_app
    port = cluster.bouncer_port or cluster.start_pgbouncer(pool_size=3)
    url = f"postgres://postgres@127.0.0.1:{port}/helhet"
    thread_id = cluster.sql("select id from meetings_thread order by id limit 1", database="helhet")[0][0]
    server = AppServer(url, workers=2, HELHET_DB_POOLER="pgbouncer")
    try:
        server.wait_ready()
        run = uuid.uuid4().hex[:10]

        def client(n: int) -> list[int]:
            browser = Browser(server.url)
            browser.login("koordinator")
            ids = []
            for i in range(12):
                key = f"bouncer-{run}-{n}-{i}"
                body, failed = post_until_acknowledged(browser, f"/api/v1/plan-group/threads/{thread_id}/posts", {"text": f"Melding {key}"}, key)
                assert failed == []
                ids.append(body["id"])
                read = browser.get(f"/api/v1/plan-group/threads/{thread_id}")  # a logged-in, audited read
                assert read.status_code == 200 and body["id"] in {p["id"] for p in read.json()["posts"]}
                assert browser.get("/personer/").status_code == 200
            return ids

        with ThreadPoolExecutor(3) as pool:
            ids = [pk for batch in pool.map(client, range(3)) for pk in batch]
        assert len(set(ids)) == 36
        rows = cluster.sql("select count(*) from meetings_post where text like %s", [f"Melding bouncer-{run}-%"], database="helhet")
        assert rows[0][0] == 36
        audited = cluster.sql("select count(*) from audit_auditevent where action = 'create' and object_id = any(%s)"
                              " and detail->>'thread' = %s", [[str(pk) for pk in ids], str(thread_id)], database="helhet")
        assert audited[0][0] == 36
        assert _bouncer_stats(port).get("helhet", 0) > 100
        assert "OK" in manage(url, "audit_verify", HELHET_DB_POOLER="pgbouncer")
    finally:
        server.stop()
