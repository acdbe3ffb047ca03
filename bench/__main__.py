"""`python -m bench generate --persons 10000`, `python -m bench run --sizes 1000,10000` (exit 1 when a figure
is not honest) and `python -m bench report` (docs/performance.md from the run's JSON)."""

from __future__ import annotations

import argparse
import os
import sys


def _jobs(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(
            f"--jobs must be a whole number of at least 1, not {value!r}"
        )
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser(
        "generate",
        help="build synthetic persons, cases and plans (bulk COPY on PostgreSQL; audit events on request)",
    )
    g.add_argument("--persons", type=int, required=True)
    g.add_argument(
        "--plans-ratio", type=float, default=0.9, help="share of persons with a plan (default 0.9)"
    )
    g.add_argument("--append", action="store_true", help="add to existing data instead of refusing")
    g.add_argument("--seed", type=int, default=2026)
    g.add_argument("--batch", type=int, default=250, help="persons per bulk batch")
    g.add_argument(
        "--snapshots",
        choices=["auto", "selector", "inline"],
        default="auto",
        help="how PlanVersion snapshots are built: the plans selector (auto when it exists) or inline JSON",
    )
    g.add_argument("--quiet", action="store_true", help="no progress bar")
    g.add_argument(
        "--no-copy",
        action="store_true",
        help="bulk_create instead of COPY on PostgreSQL (for comparison)",
    )
    g.add_argument(
        "--audit-events-per-plan",
        type=int,
        default=0,
        help="about this many valid, chained audit events per plan (a year of reads and writes); default 0",
    )
    g.add_argument(
        "--jobs",
        type=_jobs,
        default=os.cpu_count() or 1,
        help="worker processes building the persons in parallel on PostgreSQL (default: the number of "
        "CPUs; 1: everything in one process)",
    )

    r = sub.add_parser(
        "run",
        help="measure p50/p95 latency of the plan page, the plan API document and the KE overview",
    )
    r.add_argument(
        "--sizes",
        default="1000,10000",
        help="plan counts to measure at; data is generated up to each size first",
    )
    r.add_argument("--repeat", type=int, default=30, help="timed requests per endpoint and size")
    r.add_argument("--json", default="bench/results/latest.json")
    r.add_argument("--plans-ratio", type=float, default=0.9)
    r.add_argument(
        "--no-generate", action="store_true", help="measure what the database holds; never generate"
    )
    r.add_argument("--seed", type=int, default=7)
    r.add_argument(
        "--serve-seconds",
        type=float,
        default=0.0,
        help="also measure requests/s under gunicorn for this many seconds per endpoint (0 = not)",
    )
    r.add_argument("--serve-concurrency", type=int, default=8)
    r.add_argument("--serve-workers", type=int, default=4)
    r.add_argument(
        "--writers",
        default="",
        help="audited writes at these numbers of concurrent writers, e.g. 1,8,32",
    )
    r.add_argument("--writes-seconds", type=float, default=5.0)
    r.add_argument(
        "--snapshots",
        choices=["auto", "selector", "inline"],
        default="auto",
        help="passed to the generator when it has to generate",
    )

    rep = sub.add_parser(
        "report", help="regenerate the figures in docs/performance.md from a run's JSON"
    )
    rep.add_argument("--json", default="bench/results/latest.json")
    rep.add_argument("--doc", default="docs/performance.md")

    args = parser.parse_args(argv)
    if args.command == "report":
        from bench.report import main as report

        return report(args.json, args.doc)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helhet.settings")
    import django

    django.setup()
    if args.command == "generate":
        from bench.generate import generate

        counts = generate(
            persons=args.persons,
            plans_ratio=args.plans_ratio,
            append=args.append,
            seed=args.seed,
            batch=args.batch,
            snapshots=args.snapshots,
            progress=not args.quiet,
            copy=not args.no_copy,
            audit_events_per_plan=args.audit_events_per_plan,
            jobs=args.jobs,
        )
        if args.audit_events_per_plan:
            from helhet.audit.models import AuditEvent

            counts["auditevent"] = AuditEvent.objects.count()
        width = max(len(k) for k in counts)
        for key, value in counts.items():
            print(f"{key:<{width}}  {value:>9,}")
        return 0
    from bench.run import run

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    return run(
        sizes=sizes,
        repeat=args.repeat,
        json_path=args.json,
        plans_ratio=args.plans_ratio,
        generate_missing=not args.no_generate,
        seed=args.seed,
        snapshots=args.snapshots,
        serve_seconds=args.serve_seconds,
        serve_concurrency=args.serve_concurrency,
        serve_workers=args.serve_workers,
        writers=[int(w) for w in args.writers.split(",") if w.strip()],
        writes_seconds=args.writes_seconds,
    )


if __name__ == "__main__":
    sys.exit(main())
