"""Audited writes that scale out: events/s through `helhet.audit.services.record` at 1, 8 and 32 concurrent writers.

Each writer is its own process with its own database connection (threads would measure the GIL, not the audit
store), writing events in its own transaction one after another for a fixed time, closed loop. Writers are spread
round-robin over `tenants` organisations, so each tenant's chain (one advisory lock per chain,
helhet/audit/services.py) has `writers / tenants` writers; with one global chain every writer would wait on one
lock. The figures are events/s over all writers and the per-event latency (p50/p95), with the load average.

The events are real audit events in the benchmark database (object type "bench"), chained, keyed and verifiable by
audit_verify like any other; they are what the benchmark database is for.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time

from django.db import connections
from stdnum.no import orgnr

BENCH_TENANT = "Benchmark-virksomhet {n}"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def _org_number(n: int) -> str:
    """A valid-format organisation number (mod 11), synthetic: 97xxxxxx + the check digit stdnum accepts."""
    base = 97_000_000 + n * 7
    while True:
        for last in "0123456789":
            if orgnr.is_valid(f"{base}{last}"):
                return f"{base}{last}"
        base += 1  # no check digit for this body


def tenants(n: int) -> list[int]:
    """`n` organisations for the writers (created once in the benchmark database), as primary keys."""
    from helhet.organizations.models import Organization

    out = []
    for i in range(1, n + 1):
        org = Organization.objects.filter(name=BENCH_TENANT.format(n=i)).first()
        if org is None:
            org = Organization.objects.create(name=BENCH_TENANT.format(n=i), kind=Organization.Kind.HEALTH_TRUST,
                                              org_number=_org_number(i))
        out.append(org.pk)
    return out


def _writer(args) -> dict:
    """One writer process: audited events for `seconds`, each in its own transaction; returns count and latencies."""
    org_id, actor_id, seconds, start_at = args
    from helhet.audit.services import record
    from helhet.organizations.models import Organization, User

    org = Organization.objects.get(pk=org_id)
    actor = User.objects.get(pk=actor_id)
    latencies: list[float] = []
    while time.time() < start_at:  # every writer starts at the same moment
        time.sleep(0.001)
    deadline = start_at + seconds
    i = 0
    while time.time() < deadline:
        t0 = time.perf_counter()
        record(actor=actor, action="view", object_type="bench", object_id=i, organization=org, role="bench",
               summary="benchmark event")
        latencies.append((time.perf_counter() - t0) * 1000)
        i += 1
    connections.close_all()
    return {"events": len(latencies), "latencies": latencies}


def measure(writers: int, *, tenant_ids: list[int], actor_id: int, seconds: float = 5.0, processes: bool = True) -> dict:
    """events/s of `writers` concurrent writers over the tenants (writer k writes to tenant k mod len). `processes`
    False: threads (each its own connection; the GIL is then part of the figure) — the test suite uses them, because a
    forked test process may carry open connections it does not own (pytest-django's, the owner role's)."""
    connections.close_all()  # no connection may cross the fork
    start_at = time.time() + 1.0 + writers * 0.05
    jobs = [(tenant_ids[k % len(tenant_ids)], actor_id, seconds, start_at) for k in range(writers)]
    load_before = os.getloadavg()
    if processes:
        with multiprocessing.get_context("fork").Pool(writers) as pool:
            parts = pool.map(_writer, jobs)
    else:
        from multiprocessing.pool import ThreadPool

        with ThreadPool(writers) as pool:
            parts = pool.map(_writer, jobs)
    latencies = [x for p in parts for x in p["latencies"]]
    events = sum(p["events"] for p in parts)
    return {
        "writers": writers,
        "processes": processes,
        "tenants": len({j[0] for j in jobs}),
        "seconds": seconds,
        "events": events,
        "events_per_s": round(events / seconds, 1),
        "latency_p50_ms": round(_pct(latencies, 50), 2) if latencies else None,
        "latency_p95_ms": round(_pct(latencies, 95), 2) if latencies else None,
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
    }


def run_writes(*, writer_counts: list[int], n_tenants: int = 8, seconds: float = 5.0, actor, processes: bool = True) -> list[dict]:
    tenant_ids = tenants(n_tenants)
    rows = []
    for writers in writer_counts:
        row = measure(writers, tenant_ids=tenant_ids, actor_id=actor.pk, seconds=seconds, processes=processes)
        print(f"audited writes: {writers:>3} writers over {row['tenants']} tenants: {row['events_per_s']:>8,.0f} events/s "
              f"(p50 {row['latency_p50_ms']} ms, p95 {row['latency_p95_ms']} ms, load {row['loadavg_after'][0]})", flush=True)
        rows.append(row)
    return rows
