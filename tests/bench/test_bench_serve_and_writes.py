"""The benchmark's two concurrent parts at a tiny size, on PostgreSQL: requests/s under the checked-in gunicorn
configuration (DEBUG off, two-factor login over HTTP) and audited events/s of concurrent writer processes over
several tenants' chains. Both need committed data (other processes read it): transactional."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench import run as bench_run
from bench.generate import generate
from bench.report import goal_rows, render
from bench.writes import BENCH_TENANT
from helhet.audit.models import AuditEvent
from helhet.core.world import DEMO_PASSWORD, build_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the benchmark measures PostgreSQL"),
]


def test_served_requests_and_audited_writes_are_measured_honestly(settings, tmp_path):
    settings.HELHET_REQUIRE_2FA = True
    settings.DEBUG = False
    generate(persons=6, plans_ratio=1.0, seed=5, batch=6, progress=False, snapshots="inline")
    ke = build_world().users["ke"]
    # The tests hash with MD5 (tests/conftest.py); the server subprocess knows only the production hashers.
    # PBKDF2 first: the in-process login would otherwise "upgrade" the hash back to MD5.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher", *settings.PASSWORD_HASHERS]
    ke.password = make_password(DEMO_PASSWORD, hasher="pbkdf2_sha256")
    ke.save(update_fields=["password"])
    TOTPDevice.objects.filter(name="bench").delete()
    path = tmp_path / "serve.json"
    rc = bench_run.run(sizes=[1], repeat=2, json_path=str(path), generate_missing=False, serve_seconds=1.0,
                       serve_concurrency=2, serve_workers=1, writers=[1, 4], writes_seconds=1.0,
                       writes_processes=False)  # threads here: a forked test process carries connections it does not own
    result = json.loads(path.read_text())
    assert rc == 0, result["problems"]
    served = result["sizes"][0]["served"]
    for key in ("plan_api", "plan_page", "ke_overview"):
        m = served[key]
        # every answer of the timed loop was a 200 from the real server, and there were some
        assert set(m["statuses"]) == {"200"} and m["n"] > 0 and m["req_per_s"] > 0, (key, m)
        assert len(m["loadavg_after"]) == 3
    # the served plan reads are audited like any other: the server's events (its own key id) name the KE officer
    assert AuditEvent.objects.filter(key_id="bench-serve", action="view", object_type="individualplan").exists()
    writes = {w["writers"]: w for w in result["audited_writes"]}
    assert set(writes) == {1, 4}
    assert writes[1]["tenants"] == 1 and writes[4]["tenants"] == 4
    assert all(w["events"] > 0 and w["events_per_s"] > 0 for w in writes.values())
    bench_events = AuditEvent.objects.filter(object_type="bench")
    assert bench_events.count() == sum(w["events"] for w in writes.values())
    # one chain per tenant, each gap-free
    for chain in bench_events.values_list("chain", flat=True).distinct():
        seqs = list(AuditEvent.objects.filter(chain=chain).order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1))
    assert bench_events.values("chain").distinct().count() == 4
    assert bench_events.filter(organization__name=BENCH_TENANT.format(n=1)).exists()
    # the report shows both tables and the goals, each with a figure from this run
    doc = render(result)
    assert "Requests per second under gunicorn" in doc and "Audited writes" in doc
    figures = {g["figure"]: g for g in goal_rows(result)}
    served_goal = next(g for f, g in figures.items() if f.startswith("plan API req/s"))
    assert served_goal["measured"] != "not measured"
