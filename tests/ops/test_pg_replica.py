"""A streaming standby as read replica, with read-your-writes (issue 14, docs/scale-out.md, helhet/core/dbrouter.py).

A throwaway primary and a standby made with pg_basebackup -R (tests/ops/pgcluster.py); gunicorn with DATABASE_URL
on the primary and DATABASE_REPLICA_URL on the standby. With the standby's replay paused, a person created through
the API exists only on the primary: the KE officer who created it sees it in the person list at once (read from the
primary: their write pinned them), while the same officer's other session, which has written nothing for longer than
HELHET_REPLICA_PIN_SECONDS, reads the list from the standby and does not see it yet — until replay resumes. The
person page (an access-checked, audited read) is served from the primary in both sessions. When the standby
stops, the lists are served from the primary.
"""

from __future__ import annotations

import datetime as dt
import random
import time

import pytest

from .appserver import AppServer, Browser
from .conftest import skip_unless_postgres_pass

pytestmark = [pytest.mark.postgres_only]

PIN_SECONDS = 2


def _names(response) -> set[str]:
    assert response.status_code == 200, response.text[:500]
    return {p["family_name"] for p in response.json()}


def test_list_reads_go_to_the_standby_and_a_writer_reads_its_own_writes_from_the_primary(pg_app):
    skip_unless_postgres_pass()
    from helhet.core.world import synthetic_national_id

    cluster, url = pg_app
    standby = cluster.standbys[0] if cluster.standbys else cluster.start_standby()
    cluster.wait_replayed(standby)
    assert cluster.sql("select pg_is_in_recovery()", server=standby)[0][0] is True
    fjordvik = cluster.sql("select id from organizations_organization where name = 'Fjordvik kommune'", database="helhet")[0][0]
    server = AppServer(url, workers=2, DATABASE_REPLICA_URL=standby.url("helhet"), HELHET_REPLICA_PIN_SECONDS=str(PIN_SECONDS))
    try:
        server.wait_ready()
        writer, reader = Browser(server.url), Browser(server.url)
        writer.login("ke")
        reader.login("ke")
        time.sleep(PIN_SECONDS + 1.2)  # the login (a POST) pinned both sessions for a moment
        before = _names(reader.get("/api/v1/persons/"))
        assert before, "the replica serves the list"

        cluster.sql("select pg_wal_replay_pause()", server=standby)
        try:
            family = f"Replikasen{random.randint(10_000, 99_999)}"
            nid = synthetic_national_id(dt.date(1971, 3, 9), random.randint(1_000, 900_000))
            created = writer.post("/api/v1/persons/", {"national_id": nid, "given_name": "Rita", "family_name": family,
                                                      "home_municipality_id": fjordvik})
            assert created.status_code == 201, created.text[:500]
            person_id = created.json()["id"]
            # Read-your-writes: the writer's next list read comes from the primary.
            assert family in _names(writer.get("/api/v1/persons/"))
            # The other session reads the list from the standby, where the person does not exist yet.
            assert family not in _names(reader.get("/api/v1/persons/"))
            assert family not in reader.get("/personer/").text
            # An access-checked read of the person itself always runs on the primary.
            assert reader.get(f"/api/v1/persons/{person_id}").status_code == 200
            # The standby really has not replayed it (the same fact, asked of the standby directly).
            on_standby = cluster.sql("select count(*) from people_person where family_name = %s", [family],
                                     database="helhet", server=standby)[0][0]
            assert on_standby == 0
            time.sleep(PIN_SECONDS + 1.2)
            # Once the pin has run out, the writer's list reads go to the standby too.
            assert family not in _names(writer.get("/api/v1/persons/"))
        finally:
            cluster.sql("select pg_wal_replay_resume()", server=standby)
        cluster.wait_replayed(standby)
        assert family in _names(reader.get("/api/v1/persons/"))
        # The KE overview (cases.selectors.ke_overview, use_replica()) is served with a replica configured.
        assert reader.get("/ke/").status_code == 200
        # A standby that goes away costs no failed request: the lists read from the primary (dbrouter._replica_up).
        standby.stop()
        assert family in _names(reader.get("/api/v1/persons/"))
        assert reader.get("/ke/").status_code == 200
    finally:
        server.stop()
