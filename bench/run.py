"""The benchmark: p50/p95 latency of the plan page, the plan API document and the KE overview.

Method (see docs/performance.md): requests go through Django's test Client, in-process, against the
real database named by DATABASE_URL, as the Fjordvik KE officer (force_login). No network, no web
server, no browser: the figures are the server-side time of the whole Django stack (middleware,
session, access policy, audit event, queries, template or JSON rendering). Each timed request picks a
random plan the officer may see. The SQL ratio re-runs the SELECTs a plan API request captured, with
a bare cursor, and compares the times.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import random
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from helhet.core.world import build_world
from helhet.people.models import Person
from helhet.plans.models import IndividualPlan

from .generate import expected_plans_per_person, generate

WARMUP = 3


def _pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def _summary(times_ms: list[float]) -> dict:
    if not times_ms:
        return {"n": 0}
    return {
        "n": len(times_ms),
        "p50_ms": round(_pct(times_ms, 50), 2),
        "p95_ms": round(_pct(times_ms, 95), 2),
        "mean_ms": round(statistics.fmean(times_ms), 2),
        "min_ms": round(min(times_ms), 2),
        "max_ms": round(max(times_ms), 2),
    }


def _timed_get(client: Client, url: str, **headers) -> tuple[float, int, int]:
    elapsed, _cpu, status, size = _timed_get_cpu(client, url, **headers)
    return elapsed, status, size


def _timed_get_cpu(client: Client, url: str, **headers) -> tuple[float, float, int, int]:
    """Wall time and this process's CPU time (ms) of one request. CPU time leaves out waiting for the
    database and for other processes: on a busy machine the gap between the two is the contention."""
    cpu0, started = time.process_time(), time.perf_counter()
    response = client.get(url, **headers)
    elapsed = (time.perf_counter() - started) * 1000
    cpu = (time.process_time() - cpu0) * 1000
    return elapsed, cpu, response.status_code, len(response.content)


def _measure(client: Client, urls: list[str], **headers) -> dict:
    """Warm up (and count queries) on the first WARMUP urls, then time each of the rest without capturing."""
    queries = []
    for url in urls[:WARMUP]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, **headers)
        if response.status_code == 200:
            queries.append(len(captured.captured_queries))
    times, cpus, statuses, sizes = [], [], {}, []
    for url in urls[WARMUP:]:
        elapsed, cpu, status, size = _timed_get_cpu(client, url, **headers)
        statuses[status] = statuses.get(status, 0) + 1
        if status == 200:
            times.append(elapsed)
            cpus.append(cpu)
            sizes.append(size)
    out = _summary(times)
    if cpus:
        out["python_cpu_p50_ms"] = round(_pct(cpus, 50), 2)
    out["statuses"] = {str(k): v for k, v in sorted(statuses.items())}
    if sizes:
        out["bytes_p50"] = int(_pct(sizes, 50))
    if queries:
        out["queries_min"], out["queries_max"] = min(queries), max(queries)
    return out


def _sql_ratio(client: Client, urls: list[str]) -> dict:
    """Request time vs. the bare time of the SELECTs it ran (re-executed with a cursor, rows fetched)."""
    request_ms, sql_ms, writes, selects = [], [], [], []
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            elapsed, status, _size = _timed_get(client, url)
        if status != 200:
            continue
        statements = [q["sql"] for q in captured.captured_queries]
        reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in reads:
                cursor.execute(sql)
                cursor.fetchall()
        bare = (time.perf_counter() - started) * 1000
        request_ms.append(elapsed)
        sql_ms.append(bare)
        selects.append(len(reads))
        writes.append(len(statements) - len(reads))
    if not request_ms:
        return {"n": 0}
    ratios = [r / s for r, s in zip(request_ms, sql_ms, strict=True) if s > 0]
    return {
        "n": len(request_ms),
        "request_p50_ms": round(_pct(request_ms, 50), 2),
        "bare_select_sql_p50_ms": round(_pct(sql_ms, 50), 2),
        "ratio_p50": round(_pct(ratios, 50), 2),
        "ratio_of_sums": round(sum(request_ms) / sum(sql_ms), 2),
        "selects_per_request": max(selects),
        "writes_per_request": max(writes),
        "note": "writes (audit event, session save) are not re-run; their time is in the request, not in the bare SQL",
    }


def _visible_plan_ids(ke) -> list[int]:
    orgs = list(
        {
            m.unit.organization_id
            for m in ke.memberships.select_related("unit")
            if m.role == "ke_officer"
        }
    )
    return list(
        IndividualPlan.objects.filter(person__home_municipality_id__in=orgs).values_list(
            "pk", flat=True
        )
    )


def _ensure_size(size: int, plans_ratio: float, snapshots: str) -> None:
    have = IndividualPlan.objects.count()
    if have >= size:
        return
    persons = math.ceil((size - have) / expected_plans_per_person(plans_ratio))
    print(f"generating {persons:,} persons to reach about {size:,} plans (have {have:,})")
    generate(
        persons=persons,
        plans_ratio=plans_ratio,
        append=Person.objects.exists(),
        snapshots=snapshots,
    )


def _machine() -> dict:
    info = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "database": connection.vendor,
    }
    try:
        info["loadavg_at_start"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next(
                (line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), ""
            )
    except OSError:
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("select version()")
            info["server"] = cursor.fetchone()[0]
        elif connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            info["server"] = "SQLite " + cursor.fetchone()[0]
    return info


def run(
    *,
    sizes: list[int],
    repeat: int = 30,
    json_path: str | None = None,
    plans_ratio: float = 0.9,
    generate_missing: bool = True,
    seed: int = 7,
    snapshots: str = "auto",
) -> int:
    # Production-like: no query log in memory, no debug templates. Must be set before the first request.
    settings.DEBUG = False
    rng = random.Random(seed)
    w = build_world()
    ke = w.users["ke"]
    client = Client()
    client.force_login(ke)
    results = {
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "method": "django.test.Client in-process, force_login as the Fjordvik KE officer, real database, DEBUG off; "
        "one random visible plan per timed request; nearest-rank percentiles",
        "repeat": repeat,
        "sizes": [],
    }
    for size in sorted(sizes):
        if generate_missing:
            _ensure_size(size, plans_ratio, snapshots)
        plan_ids = _visible_plan_ids(ke)
        if not plan_ids:
            print(f"no plans visible to the KE officer at size {size}: nothing to measure")
            continue
        picks = [rng.choice(plan_ids) for _ in range(repeat + WARMUP)]
        row = {
            "size_plans": IndividualPlan.objects.count(),
            "size_persons": Person.objects.count(),
            "visible_plans": len(plan_ids),
        }
        row["plan_page"] = _measure(client, [f"/planer/{pk}/" for pk in picks])
        row["plan_api"] = _measure(client, [f"/api/v1/plans/{pk}" for pk in picks])
        row["ke_overview"] = _measure(client, ["/ke/"] * (repeat + WARMUP))
        row["api_vs_sql"] = _sql_ratio(client, [f"/api/v1/plans/{pk}" for pk in picks[WARMUP:]])
        results["sizes"].append(row)
        _print_row(row)
    results["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    try:
        results["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    _print_table(results)
    if json_path:
        path = Path(json_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {path}")
    return 0


def _print_row(row: dict) -> None:
    print(f"measured at {row['size_plans']:,} plans ({row['size_persons']:,} persons)", flush=True)


def _print_table(results: dict) -> None:
    head = f"{'plans':>8}  {'endpoint':<18} {'n':>4} {'p50 ms':>9} {'p95 ms':>9} {'cpu p50':>9} {'queries':>9} {'statuses':<14}"
    print()
    print(head)
    print("-" * len(head))
    for row in results["sizes"]:
        for key, label in (
            ("plan_page", "plan page"),
            ("plan_api", "plan API document"),
            ("ke_overview", "KE overview"),
        ):
            m = row[key]
            queries = f"{m['queries_min']}-{m['queries_max']}" if "queries_min" in m else "-"
            p50 = f"{m['p50_ms']:9.1f}" if m.get("n") else f"{'-':>9}"
            p95 = f"{m['p95_ms']:9.1f}" if m.get("n") else f"{'-':>9}"
            cpu = f"{m['python_cpu_p50_ms']:9.1f}" if m.get("n") else f"{'-':>9}"
            print(
                f"{row['size_plans']:>8,}  {label:<18} {m.get('n', 0):>4} {p50} {p95} {cpu} {queries:>9} {json.dumps(m.get('statuses', {})):<14}"
            )
        r = row["api_vs_sql"]
        if r.get("n"):
            print(
                f"{'':>8}  API time / bare SQL time: p50 {r['ratio_p50']}x (request p50 {r['request_p50_ms']} ms, "
                f"bare SELECTs p50 {r['bare_select_sql_p50_ms']} ms, {r['selects_per_request']} selects + {r['writes_per_request']} writes)"
            )
    print()
