"""The benchmark: p50/p95 latency of the plan page, the plan API document, the KE overview and the person list,
and the plan API document against ONE PostgreSQL query that returns the same document as JSON.

Method (see docs/performance.md): requests go through Django's test Client, in-process, against the real
database named by DATABASE_URL, as the Fjordvik KE officer, logged in the way a user logs in: password on
/login/, then a current TOTP code on /konto/2fa/ (two-factor is on by default; the benchmark gives the officer a
confirmed device, as the tests do). No network, no web server, no browser: the figures are the server-side time
of the whole Django stack (middleware, session, access policy, audit event, queries, template or JSON rendering).
Each timed request picks a random plan the officer may see.

The run is honest or it fails: any measured request that is not 200, an endpoint with n = 0, or a plan read
without its audit event makes `run` return 1 (and `python -m bench run` exit 1). Every figure carries the
machine's load average before and after it was measured.
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

from helhet.audit.models import AuditEvent
from helhet.core.world import DEMO_PASSWORD, build_world
from helhet.people.models import Person
from helhet.plans.models import IndividualPlan

from .generate import expected_plans_per_person, generate

WARMUP = 3

# Endpoints whose every successful request must leave one 'view' audit event on the plan (helhet.plans.selectors).
AUDITED = {"plan_page", "plan_api"}


class BenchFailed(Exception):
    """The benchmark could not measure what it claims to (login refused, nothing visible)."""


def _pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


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


def _timed_get_cpu(client: Client, url: str, **headers) -> tuple[float, float, int, int]:
    """Wall time and this process's CPU time (ms) of one request. CPU time leaves out waiting for the
    database and for other processes: on a busy machine the gap between the two is the contention."""
    cpu0, started = time.process_time(), time.perf_counter()
    response = client.get(url, **headers)
    elapsed = (time.perf_counter() - started) * 1000
    cpu = (time.process_time() - cpu0) * 1000
    return elapsed, cpu, response.status_code, len(response.content)


def _last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _plan_views_since(actor, after_id: int) -> int:
    return AuditEvent.objects.filter(
        id__gt=after_id, actor=actor, action="view", object_type="individualplan"
    ).count()


def _measure(
    client: Client, urls: list[str], *, actor=None, audited: bool = False, **headers
) -> dict:
    """Warm up (and count queries) on the first WARMUP urls, then time each of the rest without capturing.

    Every status is counted, the warm-up's too; `audit_events` is the number of plan 'view' events the timed
    requests wrote (checked against the number of 200s when `audited`)."""
    queries, statuses = [], {}
    for url in urls[:WARMUP]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, **headers)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code == 200:
            queries.append(len(captured.captured_queries))
    times, cpus, sizes = [], [], []
    load_before, first_event = _load(), _last_event_id()
    for url in urls[WARMUP:]:
        elapsed, cpu, status, size = _timed_get_cpu(client, url, **headers)
        statuses[status] = statuses.get(status, 0) + 1
        if status == 200:
            times.append(elapsed)
            cpus.append(cpu)
            sizes.append(size)
    out = _summary(times)
    out["loadavg_before"], out["loadavg_after"] = load_before, _load()
    if cpus:
        out["python_cpu_p50_ms"] = round(_pct(cpus, 50), 2)
    out["statuses"] = {str(k): v for k, v in sorted(statuses.items())}
    if sizes:
        out["bytes_p50"] = int(_pct(sizes, 50))
    if queries:
        out["queries_min"], out["queries_max"] = min(queries), max(queries)
    if actor is not None:
        out["audit_events"] = _plan_views_since(actor, first_event)
        out["audited"] = audited
    return out


def _problems(name: str, m: dict) -> list[str]:
    """What makes a measurement dishonest: not-200 answers, nothing measured, reads without their audit event."""
    found = []
    bad = {k: v for k, v in m.get("statuses", {}).items() if k != "200"}
    if bad:
        found.append(f"{name}: non-200 answers {bad}")
    if not m.get("n"):
        found.append(f"{name}: n = 0, nothing was measured")
    if m.get("audited") and m.get("audit_events", 0) < m.get("n", 0):
        found.append(f"{name}: {m.get('n', 0)} reads but {m.get('audit_events', 0)} audit events")
    return found


def _sql_ratio(client: Client, urls: list[str]) -> dict:
    """Request time vs. the bare time of the SELECTs it ran (re-executed with a cursor, rows fetched)."""
    request_ms, sql_ms, writes, selects, statuses = [], [], [], [], {}
    load_before = _load()
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            elapsed, _cpu, status, _size = _timed_get_cpu(client, url)
        statuses[status] = statuses.get(status, 0) + 1
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
    out = {
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "loadavg_before": load_before,
        "loadavg_after": _load(),
    }
    if not request_ms:
        return {**out, "n": 0}
    ratios = [r / s for r, s in zip(request_ms, sql_ms, strict=True) if s > 0]
    return {
        **out,
        "n": len(request_ms),
        "request_p50_ms": round(_pct(request_ms, 50), 2),
        "bare_select_sql_p50_ms": round(_pct(sql_ms, 50), 2),
        "ratio_p50": round(_pct(ratios, 50), 2),
        "ratio_of_sums": round(sum(request_ms) / sum(sql_ms), 2),
        "selects_per_request": max(selects),
        "writes_per_request": max(writes),
        "note": "writes (audit event, session save) are not re-run; their time is in the request, not in the bare SQL",
    }


def _one_query_ratio(client: Client, plan_ids: list[int]) -> dict:
    """The plan API document vs. ONE PostgreSQL query returning the same plan's document as JSON
    (bench.onequery), interleaved plan by plan so both see the same machine load and cache state."""
    if connection.vendor != "postgresql":
        return {"n": 0, "skipped": "PostgreSQL only"}
    from .onequery import plan_document_json

    api_ms, sql_ms, statuses, sql_bytes = [], [], {}, []
    plan_document_json(plan_ids[0])  # warm the plan cache of this connection
    load_before = _load()
    for pk in plan_ids:
        elapsed, _cpu, status, _size = _timed_get_cpu(client, f"/api/v1/plans/{pk}")
        statuses[status] = statuses.get(status, 0) + 1
        started = time.perf_counter()
        text = plan_document_json(pk)
        sql_ms.append((time.perf_counter() - started) * 1000)
        sql_bytes.append(len(text or ""))
        if status == 200:
            api_ms.append(elapsed)
    out = {
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "loadavg_before": load_before,
        "loadavg_after": _load(),
    }
    if not api_ms:
        return {**out, "n": 0}
    api_p50, sql_p50 = _pct(api_ms, 50), _pct(sql_ms, 50)
    return {
        **out,
        "n": len(api_ms),
        "api_p50_ms": round(api_p50, 2),
        "api_p95_ms": round(_pct(api_ms, 95), 2),
        "one_query_p50_ms": round(sql_p50, 2),
        "one_query_p95_ms": round(_pct(sql_ms, 95), 2),
        "one_query_bytes_p50": int(_pct(sql_bytes, 50)),
        "ratio_p50": round(api_p50 / sql_p50, 2) if sql_p50 else None,
        "note": "one query = json_build_object/json_agg of every section (bench/onequery.py), no labels, no access, no audit",
    }


def fhir_plan_bundle_url(person_id: int) -> str:
    """The plan as one FHIR bundle: the person's CarePlans with their activities (Tasks), goals and care team."""
    return (f"/fhir/R4/CarePlan?patient={person_id}&_include=CarePlan:activity-reference&_include=CarePlan:goal"
            "&_include=CarePlan:care-team")


def _fhir_vs_api(client: Client, plan_ids: list[int]) -> dict:
    """The plan as a FHIR bundle vs. the plan API document, the same plans, interleaved plan by plan."""
    persons = dict(IndividualPlan.objects.filter(pk__in=plan_ids).values_list("pk", "person_id"))
    api_ms, fhir_ms, statuses = [], [], {}
    load_before = _load()
    for pk in plan_ids:
        a, _cpu, a_status, _size = _timed_get_cpu(client, f"/api/v1/plans/{pk}")
        f, _cpu, f_status, _size = _timed_get_cpu(client, fhir_plan_bundle_url(persons[pk]))
        for status in (a_status, f_status):
            statuses[status] = statuses.get(status, 0) + 1
        if a_status == 200 and f_status == 200:
            api_ms.append(a)
            fhir_ms.append(f)
    out = {"statuses": {str(k): v for k, v in sorted(statuses.items())}, "loadavg_before": load_before, "loadavg_after": _load()}
    if not api_ms:
        return {**out, "n": 0}
    api_p50, fhir_p50 = _pct(api_ms, 50), _pct(fhir_ms, 50)
    return {**out, "n": len(api_ms), "api_p50_ms": round(api_p50, 2), "fhir_p50_ms": round(fhir_p50, 2),
            "fhir_p95_ms": round(_pct(fhir_ms, 95), 2), "ratio_p50": round(fhir_p50 / api_p50, 2) if api_p50 else None}


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
    # National sizes get what docs/performance.md says the 100k database holds: a year of audit events
    # (~50 a plan) and inline snapshots (the selector costs ~150 ms a plan); small sizes stay quick (no
    # events, the snapshots asked for). In parallel (one worker per CPU) on PostgreSQL.
    national = size >= 10_000  # plans
    events = 50 if national else 0
    if national and snapshots == "auto":
        snapshots = "inline"
    jobs = os.cpu_count() or 1
    print(
        f"generating {persons:,} persons to reach about {size:,} plans (have {have:,}; "
        f"{jobs} jobs, {snapshots} snapshots, {events} audit events a plan)"
    )
    generate(
        persons=persons,
        plans_ratio=plans_ratio,
        append=Person.objects.exists(),
        snapshots=snapshots,
        audit_events_per_plan=events,
        jobs=jobs,
    )


def _totp_code(device, offset_steps: int = 0) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset_steps):06d}"


def login_verified(user, password: str = DEMO_PASSWORD) -> Client:
    """A client logged in as `user` the way a person logs in: the password, then a current TOTP code.

    Gives the user a confirmed TOTP device first if they have none (like tests/accounts/test_two_factor.py).
    A code is accepted once per 30-second step (no replay): when the current step was used by an earlier
    run, the next step's code (inside django-otp's tolerance) is tried, then the next step is waited for.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from helhet.accounts.twofactor import confirmed_totp

    device = confirmed_totp(user) or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    # A 500 is an answer to count (and fail the run on), not an exception that hides the figures.
    client = Client(raise_request_exception=False)
    response = client.post("/login/", {"username": user.username, "password": password})
    if response.status_code != 302:
        raise BenchFailed(f"password login as {user.username} answered {response.status_code}")
    for attempt in range(4):
        device.refresh_from_db()
        device.throttle_reset()
        response = client.post(
            "/konto/2fa/", {"token": _totp_code(device, offset_steps=attempt % 2)}
        )
        if response.status_code == 302:
            return client
        if attempt % 2:
            time.sleep(device.step - time.time() % device.step + 0.5)
    raise BenchFailed(f"two-factor verification as {user.username} answered {response.status_code}")


def _http_totp(user):
    """Codes for a login over HTTP (bench/serve.py): the current step, the next, then wait for a new step."""
    from helhet.accounts.twofactor import confirmed_totp

    device = confirmed_totp(user)

    def code(attempt: int) -> str:
        device.refresh_from_db()
        device.throttle_reset()
        if attempt == 2:
            time.sleep(device.step - time.time() % device.step + 0.5)
        return _totp_code(device, offset_steps=attempt % 2)

    return code


def database_url() -> str:
    """The URL of the database this process is connected to (the server subprocess uses the same one)."""
    d = connection.settings_dict
    user = d.get("USER") or ""
    auth = f"{user}:{d['PASSWORD']}@" if d.get("PASSWORD") else (f"{user}@" if user else "")
    return f"postgres://{auth}{d.get('HOST') or '127.0.0.1'}:{d.get('PORT') or 5432}/{d['NAME']}"


SERVED = (("plan_api", "plan API document"), ("plan_page", "plan page"), ("ke_overview", "KE overview"))


def _served(ke, picks: list[int], *, seconds: float, concurrency: int, workers: int) -> dict:
    """Requests/s of the plan API, the plan page and the KE overview under gunicorn (bench/serve.py)."""
    from .serve import Server, closed_loop, login

    urls = {"plan_api": [f"/api/v1/plans/{pk}" for pk in picks], "plan_page": [f"/planer/{pk}/" for pk in picks],
            "ke_overview": ["/ke/"]}
    out = {"workers": workers}
    with Server(database_url(), workers=workers) as server:
        browser = login(server.base, ke, DEMO_PASSWORD, _http_totp(ke))
        for key, _label in SERVED:
            closed_loop(server.base, browser.cookies, urls[key], concurrency=concurrency, seconds=min(1.0, seconds))  # warm-up
            out[key] = closed_loop(server.base, browser.cookies, urls[key], concurrency=concurrency, seconds=seconds)
            print(f"served {key}: {out[key]['req_per_s']} req/s at c = {concurrency} ({out[key]['statuses']})", flush=True)
    return out


def _machine() -> dict:
    info = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "database": connection.vendor,
        "loadavg_at_start": _load(),
        "two_factor_required": bool(getattr(settings, "HELHET_REQUIRE_2FA", False)),
        "session_save_every_request": bool(settings.SESSION_SAVE_EVERY_REQUEST),
    }
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


ENDPOINTS = (
    ("plan_page", "plan page"),
    ("plan_api", "plan API document"),
    ("ke_overview", "KE overview"),
    ("person_list", "person list (API)"),
)


def run(
    *,
    sizes: list[int],
    repeat: int = 30,
    json_path: str | None = None,
    plans_ratio: float = 0.9,
    generate_missing: bool = True,
    seed: int = 7,
    snapshots: str = "auto",
    serve_seconds: float = 0.0,
    serve_concurrency: int = 8,
    serve_workers: int = 4,
    writers: list[int] | None = None,
    writes_seconds: float = 5.0,
    writes_processes: bool = True,
) -> int:
    """Measure at each size; write the JSON; return 0, or 1 when any figure is not honest (see _problems).

    `serve_seconds` > 0 also measures requests/s under gunicorn at each size (bench/serve.py); `writers` measures
    audited events/s at those numbers of concurrent writers over 8 tenants once (bench/writes.py). Both PostgreSQL only.
    """
    # Production-like: no query log in memory, no debug templates. Must be set before the first request.
    settings.DEBUG = False
    rng = random.Random(seed)
    w = build_world()
    ke = w.users["ke"]
    results = {
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "method": "django.test.Client in-process, password + TOTP login as the Fjordvik KE officer, real database, "
        "DEBUG off; one random visible plan per timed request; nearest-rank percentiles; load average per figure",
        "repeat": repeat,
        "sizes": [],
        "problems": [],
    }
    try:
        client = login_verified(ke)
    except BenchFailed as exc:
        results["problems"].append(str(exc))
        client = None
    for size in sorted(sizes) if client else []:
        if generate_missing:
            _ensure_size(size, plans_ratio, snapshots)
        plan_ids = _visible_plan_ids(ke)
        if not plan_ids:
            results["problems"].append(
                f"no plans visible to the KE officer at size {size}: nothing to measure"
            )
            continue
        picks = [rng.choice(plan_ids) for _ in range(repeat + WARMUP)]
        row = {
            "size_plans": IndividualPlan.objects.count(),
            "size_persons": Person.objects.count(),
            "visible_plans": len(plan_ids),
        }
        row["plan_page"] = _measure(
            client, [f"/planer/{pk}/" for pk in picks], actor=ke, audited=True
        )
        row["plan_api"] = _measure(
            client, [f"/api/v1/plans/{pk}" for pk in picks], actor=ke, audited=True
        )
        row["ke_overview"] = _measure(client, ["/ke/"] * (repeat + WARMUP))
        row["person_list"] = _measure(client, ["/api/v1/persons/"] * (repeat + WARMUP))
        row["api_vs_sql"] = _sql_ratio(client, [f"/api/v1/plans/{pk}" for pk in picks[WARMUP:]])
        row["api_vs_one_query"] = _one_query_ratio(client, picks[WARMUP:])
        row["fhir_vs_api"] = _fhir_vs_api(client, picks[WARMUP:])
        for key, _label in ENDPOINTS:
            results["problems"] += _problems(f"{row['size_plans']:,} plans, {key}", row[key])
        for key in ("api_vs_sql", "api_vs_one_query", "fhir_vs_api"):
            if row[key].get("skipped"):
                continue
            results["problems"] += _problems(f"{row['size_plans']:,} plans, {key}", row[key])
        if serve_seconds and connection.vendor == "postgresql":
            try:
                row["served"] = _served(ke, picks, seconds=serve_seconds, concurrency=serve_concurrency, workers=serve_workers)
            except RuntimeError as exc:
                results["problems"].append(f"{row['size_plans']:,} plans, served: {exc}")
            else:
                for key, _label in SERVED:
                    results["problems"] += _problems(f"{row['size_plans']:,} plans, served {key}", row["served"][key])
        results["sizes"].append(row)
        _print_row(row)
    if writers and client and connection.vendor == "postgresql":
        from .writes import run_writes

        results["audited_writes"] = run_writes(writer_counts=writers, actor=ke, seconds=writes_seconds, processes=writes_processes)
        for w in results["audited_writes"]:
            if not w["events"]:
                results["problems"].append(f"audited writes, {w['writers']} writers: no event was written")
    if not results["sizes"]:
        results["problems"].append("no size was measured")
    results["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    results["machine"]["loadavg_at_end"] = _load()
    results["ok"] = not results["problems"]
    _print_table(results)
    from .report import goal_rows

    for g in goal_rows(results):
        print(f"  goal {g['figure']:<52} measured {g['measured']:<26} goal {g['goal']:<10} {'met' if g['met'] else 'NOT met'}")
    if json_path:
        path = Path(json_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {path}")
    if results["problems"]:
        print("BENCHMARK FAILED: these figures would not be honest:")
        for p in results["problems"]:
            print(f"  - {p}")
        return 1
    return 0


def _print_row(row: dict) -> None:
    print(f"measured at {row['size_plans']:,} plans ({row['size_persons']:,} persons)", flush=True)


def _print_table(results: dict) -> None:
    head = (
        f"{'plans':>8}  {'endpoint':<18} {'n':>4} {'p50 ms':>9} {'p95 ms':>9} {'cpu p50':>9} "
        f"{'queries':>9} {'load':>5} {'statuses':<14}"
    )
    print()
    print(head)
    print("-" * len(head))
    for row in results["sizes"]:
        for key, label in ENDPOINTS:
            m = row[key]
            queries = f"{m['queries_min']}-{m['queries_max']}" if "queries_min" in m else "-"
            p50 = f"{m['p50_ms']:9.1f}" if m.get("n") else f"{'-':>9}"
            p95 = f"{m['p95_ms']:9.1f}" if m.get("n") else f"{'-':>9}"
            cpu = f"{m['python_cpu_p50_ms']:9.1f}" if m.get("n") else f"{'-':>9}"
            load = f"{m['loadavg_after'][0]:5.2f}" if m.get("loadavg_after") else f"{'-':>5}"
            print(
                f"{row['size_plans']:>8,}  {label:<18} {m.get('n', 0):>4} {p50} {p95} {cpu} {queries:>9} {load} "
                f"{json.dumps(m.get('statuses', {})):<14}"
            )
        r = row["api_vs_sql"]
        if r.get("n"):
            print(
                f"{'':>8}  API time / bare SQL time: p50 {r['ratio_p50']}x (request p50 {r['request_p50_ms']} ms, "
                f"bare SELECTs p50 {r['bare_select_sql_p50_ms']} ms, {r['selects_per_request']} selects + {r['writes_per_request']} writes)"
            )
        fv = row.get("fhir_vs_api", {})
        if fv.get("n"):
            print(f"{'':>8}  plan as FHIR bundle / API document: p50 {fv['ratio_p50']}x (FHIR p50 {fv['fhir_p50_ms']} ms)")
        o = row["api_vs_one_query"]
        if o.get("n"):
            print(
                f"{'':>8}  API document / one-query JSON: p50 {o['ratio_p50']}x (API p50 {o['api_p50_ms']} ms, "
                f"one query p50 {o['one_query_p50_ms']} ms)"
            )
    print()
