"""Start a throwaway PostgreSQL primary (and optionally a streaming standby and pgbouncer) on free loopback ports.

    sudo .venv/bin/python scripts/pgcluster.py [--standby] [--pgbouncer] [--migrate]

Runs the servers as the postgres user (runuser; so it must run as root) from a fresh directory under /tmp, never on
the shared 5432 cluster; prints the URLs to put in DATABASE_URL / DATABASE_REPLICA_URL; stops everything by pid
and removes the directory on Ctrl-C or SIGTERM. The tests use the same harness (tests/ops/pgcluster.py,
docs/scale-out.md).
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.ops.pgcluster import PgCluster, Unavailable  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--standby", action="store_true", help="also a streaming standby (pg_basebackup -R)")
    parser.add_argument("--pgbouncer", action="store_true", help="also pgbouncer in transaction mode before the primary")
    parser.add_argument("--database", default="helhet", help="create this database (default helhet)")
    parser.add_argument("--migrate", action="store_true", help="run manage.py migrate on it (and seed_demo)")
    args = parser.parse_args()
    try:
        cluster = PgCluster()
    except Unavailable as exc:
        print(f"cannot start a throwaway cluster: {exc}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    with cluster:
        url = cluster.create_database(args.database)
        if args.migrate:
            env = {"DATABASE_URL": url, "HELHET_DEMO": "1", "PATH": "/usr/bin:/bin"}
            subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True)
            subprocess.run([sys.executable, "manage.py", "seed_demo"], cwd=ROOT, env=env, check=True)
        print(f"DATABASE_URL={url}")
        if args.standby:
            standby = cluster.start_standby()
            print(f"DATABASE_REPLICA_URL={standby.url(args.database)}")
        if args.pgbouncer:
            port = cluster.start_pgbouncer()
            print(f"# through pgbouncer: HELHET_DB_POOLER=pgbouncer DATABASE_URL=postgres://postgres@127.0.0.1:{port}/{args.database}")
        print(f"# data and logs in {cluster.root}; Ctrl-C stops every server", flush=True)
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
