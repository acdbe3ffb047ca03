"""sendreminders --loop stops cleanly on SIGTERM: the batch in progress finishes and the command exits 0."""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _database_url(tmp_path) -> str:
    """A database the subprocess can open with the same schema as the test database."""
    if connection.vendor == "sqlite":
        # The test database lives in memory: copy it (schema and the national rules) to a file.
        connection.ensure_connection()
        path = tmp_path / "worker.sqlite3"
        target = sqlite3.connect(path)
        # iterdump, not backup(): backup waits on the test's own open transaction.
        target.executescript("\n".join(connection.connection.iterdump()))
        target.close()
        return f"sqlite:///{path}"
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _read_until(proc, text: str, timeout: float) -> str:
    out, deadline = "", time.monotonic() + timeout
    while text not in out and time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.2)
        if ready:
            line = proc.stdout.readline()
            if not line:
                break
            out += line
    return out


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_loop_stops_cleanly_on_signal(tmp_path, sig):
    env = {**os.environ, "DATABASE_URL": _database_url(tmp_path), "PYTHONUNBUFFERED": "1",
           "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    proc = subprocess.Popen([sys.executable, "manage.py", "sendreminders", "--loop", "--interval", "1"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        started = _read_until(proc, "started", timeout=60)
        assert "started" in started, proc.stderr.read() if proc.poll() is not None else started
        time.sleep(1.5)  # at least one more batch and a sleep
        proc.send_signal(sig)
        rc = proc.wait(timeout=30)
        rest = proc.stdout.read()
        assert rc == 0, proc.stderr.read()
        assert "stopped" in rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
