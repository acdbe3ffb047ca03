"""Exit 0 when PostgreSQL answers at the given URL (used by `make test` to decide whether to run the PG suite)."""

import sys

import psycopg

try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
except Exception:
    sys.exit(1)
