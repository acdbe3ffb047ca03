"""Fault test (issue 9, docs/scale-out.md): PostgreSQL restarts in the middle of ~200 audited API writes.

A throwaway primary on 127.0.0.1 (tests/ops/pgcluster.py), Helhet migrated on it, gunicorn with the checked-in
configuration and 2 workers (CONN_HEALTH_CHECKS on, persistent connections), four clients logged in over HTTP
posting messages, each write with its own Idempotency-Key, retrying a failure or 5xx with the same key until a 2xx.
Halfway, `pg_ctl restart -m fast`. Then: every acknowledged write is in the database exactly once with its audit
event, and the same gunicorn (never restarted) serves on.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from .appserver import AppServer, Browser, post_until_acknowledged
from .conftest import skip_unless_postgres_pass

pytestmark = [pytest.mark.postgres_only]

WRITES = 200
CLIENTS = 4


def test_a_postgresql_restart_loses_no_acknowledged_write_and_duplicates_none(pg_app, record_property):
    skip_unless_postgres_pass()
    cluster, url = pg_app
    started = time.monotonic()
    thread_id = cluster.sql("select id from meetings_thread order by id limit 1", database="helhet")[0][0]
    path = f"/api/v1/plan-group/threads/{thread_id}/posts"
    run = uuid.uuid4().hex[:10]
    server = AppServer(url, workers=2)
    try:
        server.wait_ready()
        gunicorn_pid = server.proc.pid
        boot_before = cluster.sql("select pg_postmaster_start_time()")[0][0]
        acknowledged: dict[str, int] = {}
        failures: dict[str, list[str]] = {}
        lock, halfway = threading.Lock(), threading.Event()

        def client(n: int) -> None:
            browser = Browser(server.url)
            browser.login("koordinator")
            for i in range(n, WRITES, CLIENTS):
                key = f"fault-{run}-{i}"
                body, failed = post_until_acknowledged(browser, path, {"text": f"Melding {key}"}, key)
                with lock:
                    acknowledged[key], failures[key] = body["id"], failed
                    if len(acknowledged) >= WRITES // 2:
                        halfway.set()

        with ThreadPoolExecutor(CLIENTS) as pool:
            futures = [pool.submit(client, n) for n in range(CLIENTS)]
            deadline = time.monotonic() + 120
            while not halfway.wait(timeout=0.2):
                for future in futures:
                    if future.done():
                        future.result()  # a client that failed: its error, now
                assert time.monotonic() < deadline, "half of the writes never got through"
            cluster.restart()
            restarted_at = time.monotonic()
            for future in futures:
                future.result()
        writes_done = time.monotonic()

        # The server was restarted; the app was not.
        assert cluster.sql("select pg_postmaster_start_time()")[0][0] > boot_before
        assert server.alive() and server.proc.pid == gunicorn_pid, server.output()
        assert Browser(server.url).get("/healthz").status_code == 200

        rows = cluster.sql("select id, text from meetings_post where text like %s", [f"Melding fault-{run}-%"], database="helhet")
        keys_in_db = [text.removeprefix("Melding ") for _id, text in rows]
        # 0 acknowledged writes lost, 0 duplicates: one row per distinct key, and it is the row that was acknowledged.
        assert len(acknowledged) == WRITES
        assert len(rows) == len(set(keys_in_db)) == WRITES
        assert {pk: text.removeprefix("Melding ") for pk, text in rows} == {pk: key for key, pk in acknowledged.items()}
        # Every write is audited, once.
        audited = cluster.sql(
            "select count(distinct object_id), count(*) from audit_auditevent where action = 'create' and object_id = any(%s)"
            " and detail->>'thread' = %s", [[str(pk) for pk in acknowledged.values()], str(thread_id)], database="helhet")[0]
        assert audited == (WRITES, WRITES)
        # One idempotency record per key.
        records = cluster.sql("select count(*) from core_idempotencyrecord where key like %s", [f"fault-{run}-%"], database="helhet")
        assert records[0][0] == WRITES

        outcomes = Counter(outcome for failed in failures.values() for outcome in failed)
        record_property("requests_failed_during_restart", sum(outcomes.values()))
        record_property("writes_seconds", round(writes_done - started, 1))
        print(f"\nfault test: {WRITES} writes, {sum(outcomes.values())} requests failed around the restart "
              f"({dict(outcomes)}) and were retried with their key ({sum(1 for f in failures.values() if f)} writes "
              f"affected); {writes_done - restarted_at:.1f} s from restart to the last write")
    finally:
        server.stop()
