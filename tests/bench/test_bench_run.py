"""The benchmark itself, at a tiny size, on PostgreSQL: it measures with two-factor on, and it FAILS (returns 1)
when a measured request is not 200 or a plan read leaves no audit event. Skipped on SQLite (the one-query
yardstick and the figures are PostgreSQL's)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench import run as bench_run
from bench.generate import generate
from bench.report import BEGIN, END, update_document
from helhet.core.world import build_world

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the benchmark measures PostgreSQL"
    ),
]


@pytest.fixture
def bench_world(settings):
    settings.HELHET_REQUIRE_2FA = (
        True  # the default outside the demo: the benchmark must log in with a code
    )
    settings.DEBUG = False  # run() sets it again; through the fixture it is restored afterwards
    generate(persons=12, plans_ratio=1.0, seed=3, batch=12, progress=False, snapshots="inline")
    return build_world()


def _run(tmp_path, name: str) -> tuple[int, dict]:
    TOTPDevice.objects.filter(
        name="bench"
    ).delete()  # a fresh device: each run's code is new (no replay)
    path = tmp_path / f"{name}.json"
    rc = bench_run.run(sizes=[1], repeat=4, json_path=str(path), generate_missing=False)
    return rc, json.loads(path.read_text())


def test_the_benchmark_measures_with_two_factor_on_and_writes_an_honest_report(
    bench_world, tmp_path
):
    rc, result = _run(tmp_path, "ok")
    assert rc == 0, result["problems"]
    assert result["ok"] and result["machine"]["two_factor_required"]
    row = result["sizes"][0]
    for key in ("plan_page", "plan_api", "ke_overview", "person_list"):
        assert row[key]["n"] == 4 and row[key]["statuses"] == {"200": 7}, (key, row[key])
        assert len(row[key]["loadavg_before"]) == 3 and len(row[key]["loadavg_after"]) == 3
    assert row["plan_api"]["audit_events"] >= 4 and row["plan_page"]["audit_events"] >= 4
    one = row["api_vs_one_query"]
    assert one["n"] == 4 and one["one_query_p50_ms"] > 0 and one["ratio_p50"] > 0
    # The plan as a FHIR bundle, against the same plans' API documents (every answer a 200).
    fv = row["fhir_vs_api"]
    assert fv["n"] == 4 and fv["statuses"] == {"200": 8} and fv["ratio_p50"] > 0
    # The one query really returns the plan's document (same goals as the API).
    from bench.onequery import plan_document_json

    plan_id = bench_run._visible_plan_ids(bench_world.users["ke"])[0]
    sql_doc = json.loads(plan_document_json(plan_id))
    assert (
        sql_doc["id"] == plan_id
        and len(sql_doc["goals"]) >= 3
        and sql_doc["measures"][0]["goal_ids"]
    )

    doc = tmp_path / "performance.md"
    doc.write_text(f"# prose\n\n{BEGIN}\nold\n{END}\n\nmore prose\n")
    text = update_document(result, doc)
    assert (
        "old" not in text
        and "more prose" in text
        and "honest" in text
        and "one PostgreSQL query" in text
    )


def test_a_read_without_its_audit_event_fails_the_benchmark(bench_world, tmp_path, monkeypatch):
    from helhet.plans import selectors

    monkeypatch.setattr(selectors, "record", lambda **kwargs: None)
    rc, result = _run(tmp_path, "unaudited")
    assert rc == 1
    assert any("audit events" in p for p in result["problems"])


def test_a_request_that_is_not_200_fails_the_benchmark(bench_world, tmp_path, monkeypatch):
    from helhet.plans.models import IndividualPlan

    # Plans of the other municipality: the officer gets 404 for each.
    havbygd = list(
        IndividualPlan.objects.exclude(
            pk__in=bench_run._visible_plan_ids(bench_world.users["ke"])
        ).values_list("pk", flat=True)
    )
    assert havbygd
    monkeypatch.setattr(bench_run, "_visible_plan_ids", lambda ke: havbygd)
    rc, result = _run(tmp_path, "refused")
    assert rc == 1
    assert any("non-200" in p for p in result["problems"])
