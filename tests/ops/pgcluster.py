"""Throwaway PostgreSQL clusters on 127.0.0.1 for the scale-out tests (docs/scale-out.md). A helper, not a test.

    with PgCluster() as pg:          # initdb + start a primary on a free port, as the postgres user
        pg.create_database("helhet")
        standby = pg.start_standby()  # pg_basebackup -R: a streaming standby on another free port
        bouncer = pg.start_pgbouncer()  # pgbouncer in transaction mode in front of the primary
        pg.restart()                  # pg_ctl restart -m fast
    # leaving the block (or the interpreter, atexit) stops every server by its pid

Never the shared cluster on 5432: every server here is initdb'ed into a fresh directory under /tmp, listens on a
free loopback port only, with trust authentication for 127.0.0.1 (replication too) and no other address.

What is missing (PostgreSQL's binaries, the postgres user, pgbouncer, root to run `runuser`) raises `Unavailable`;
`require_or_skip()` turns it into pytest.skip with the reason, or a failure when HELHET_REQUIRE_POSTGRES is set.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN = Path(os.environ.get("HELHET_PG_BIN", "/usr/lib/postgresql/15/bin"))
PGBOUNCER = os.environ.get("HELHET_PGBOUNCER", "/usr/sbin/pgbouncer")
OS_USER = "postgres"


class Unavailable(RuntimeError):
    """The machine cannot run a throwaway cluster (a binary, the postgres user or root is missing)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def missing(*, pgbouncer: bool = False) -> str | None:
    """Why a throwaway cluster cannot start here, or None."""
    for name in ("initdb", "pg_ctl", "pg_basebackup"):
        if not (PG_BIN / name).exists():
            return f"PostgreSQL binary {PG_BIN / name} missing (apt-get install postgresql)"
    try:
        pwd.getpwnam(OS_USER)
    except KeyError:
        return "no 'postgres' OS user"
    if os.geteuid() != 0 or not shutil.which("runuser"):
        return "needs root and runuser to run the servers as the postgres user"
    if pgbouncer and not Path(PGBOUNCER).exists():
        return f"{PGBOUNCER} missing (scripts/system-deps.sh installs the Debian package pgbouncer)"
    return None


def require_or_skip(*, pgbouncer: bool = False) -> None:
    """pytest.skip with the reason when a throwaway cluster cannot run; pytest.fail when HELHET_REQUIRE_POSTGRES."""
    import pytest

    reason = missing(pgbouncer=pgbouncer)
    if reason:
        if os.environ.get("HELHET_REQUIRE_POSTGRES"):
            pytest.fail(f"HELHET_REQUIRE_POSTGRES is set but a throwaway cluster cannot run: {reason}")
        pytest.skip(f"throwaway PostgreSQL cluster unavailable: {reason}")


def _as_postgres(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", OS_USER, "--", *map(str, args)], check=True, capture_output=True,
                          text=True, **kwargs)


_live: list[PgCluster] = []


@atexit.register
def _stop_all() -> None:  # a test run killed with Ctrl-C still leaves no server behind
    for cluster in list(_live):
        cluster.stop()


class Server:
    """One postgres server (primary or standby) in its own data directory."""

    def __init__(self, root: Path, name: str):
        self.dir = root / name
        self.log = root / f"{name}.log"
        self.port = free_port()

    def url(self, database: str = "postgres", host: str = "127.0.0.1") -> str:
        return f"postgres://postgres@{host}:{self.port}/{database}"

    def pg_ctl(self, *args: str, timeout: float = 60) -> None:
        _as_postgres([PG_BIN / "pg_ctl", "-D", self.dir, "-l", self.log, "-w", "-t", str(int(timeout)), *args],
                     timeout=timeout + 10)

    def pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int((self.dir / "postmaster.pid").read_text().split()[0])
        return None

    def configure(self, **extra: str) -> None:
        settings = {
            "port": str(self.port), "listen_addresses": "'127.0.0.1'", "unix_socket_directories": f"'{self.dir.parent}'",
            "wal_level": "replica", "max_wal_senders": "5", "hot_standby": "on", "max_connections": "100",
            # Throwaway: no fsync (a fast restart is a clean shutdown, so nothing is lost), UTC like production
            # behind pgbouncer (docs/scale-out.md: no per-connection SET TIME ZONE).
            "fsync": "off", "full_page_writes": "off", "timezone": "'UTC'", "log_min_messages": "warning",
            **extra,
        }
        with open(self.dir / "postgresql.conf", "a") as f:
            f.write("\n# tests/ops/pgcluster.py\n" + "".join(f"{k} = {v}\n" for k, v in settings.items()))

    def stop(self) -> None:
        if not (self.dir / "postmaster.pid").exists():
            return
        pid = self.pid()
        try:
            self.pg_ctl("stop", "-m", "fast", timeout=30)
        except Exception:
            if pid:  # pg_ctl could not: stop the postmaster by its pid, immediately
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGQUIT)


class PgCluster:
    def __init__(self):
        reason = missing()
        if reason:
            raise Unavailable(reason)
        self.root = Path(tempfile.mkdtemp(prefix="helhet-pg-"))
        os.chmod(self.root, 0o755)
        shutil.chown(self.root, OS_USER)
        self.primary: Server | None = None
        self.standbys: list[Server] = []
        self.bouncer: subprocess.Popen | None = None
        self.bouncer_port: int | None = None
        _live.append(self)

    # -- lifecycle -----------------------------------------------------------------------------------------------
    def __enter__(self) -> PgCluster:
        try:
            self.start_primary()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start_primary(self) -> Server:
        server = Server(self.root, "primary")
        _as_postgres([PG_BIN / "initdb", "-D", server.dir, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                      "--locale=C.UTF-8", "--no-sync"], timeout=120)
        server.configure()
        server.pg_ctl("start")
        self.primary = server
        return server

    def start_standby(self, *, timeout: float = 60) -> Server:
        """A streaming standby of the primary (pg_basebackup -R writes standby.signal and primary_conninfo)."""
        assert self.primary is not None
        server = Server(self.root, f"standby{len(self.standbys) + 1}")
        _as_postgres([PG_BIN / "pg_basebackup", "-h", "127.0.0.1", "-p", self.primary.port, "-U", "postgres",
                      "-D", server.dir, "-R", "-X", "stream", "-c", "fast", "--no-sync"], timeout=timeout)
        server.configure()
        server.pg_ctl("start")
        self.standbys.append(server)
        return server

    def start_pgbouncer(self, *, pool_size: int = 10, timeout: float = 20) -> int:
        """pgbouncer in transaction mode in front of the primary, as the postgres user; returns its port."""
        reason = missing(pgbouncer=True)
        if reason:
            raise Unavailable(reason)
        assert self.primary is not None
        port = free_port()
        ini, users, pidfile = self.root / "pgbouncer.ini", self.root / "userlist.txt", self.root / "pgbouncer.pid"
        users.write_text('"postgres" ""\n')
        ini.write_text(
            "[databases]\n"
            f"* = host=127.0.0.1 port={self.primary.port}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {users}\nadmin_users = postgres\nstats_users = postgres\n"
            "pool_mode = transaction\n"
            f"default_pool_size = {pool_size}\nmax_client_conn = 200\n"
            f"pidfile = {pidfile}\nlogfile = {self.root / 'pgbouncer.log'}\n"
            # psycopg sends none of these today; other clients (psql, JDBC) do.
            "ignore_startup_parameters = extra_float_digits,options\n"
        )
        for path in (ini, users):
            shutil.chown(path, OS_USER)
        self.bouncer = subprocess.Popen(["runuser", "-u", OS_USER, "--", PGBOUNCER, str(ini)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.bouncer_port = port
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.bouncer.poll() is not None:
                raise RuntimeError("pgbouncer exited: " + (self.root / "pgbouncer.log").read_text()[-2000:])
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                return port
            time.sleep(0.1)
        raise RuntimeError("pgbouncer did not listen in time")

    def restart(self) -> None:
        """Restart the primary (fast: open transactions are cut, every client connection breaks)."""
        assert self.primary is not None
        self.primary.pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        """Stop pgbouncer, the standbys and the primary by pid, then remove the directory; never raises."""
        if self.bouncer is not None:
            pid = None
            with contextlib.suppress(OSError, ValueError):
                pid = int((self.root / "pgbouncer.pid").read_text().split()[0])
            with contextlib.suppress(ProcessLookupError):
                if pid:
                    os.kill(pid, signal.SIGTERM)
                else:
                    self.bouncer.terminate()
            try:
                self.bouncer.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL) if pid else self.bouncer.kill()
                self.bouncer.wait(timeout=10)
            self.bouncer = None
        for server in [*self.standbys, *([self.primary] if self.primary else [])]:
            with contextlib.suppress(Exception):
                server.stop()
        self.standbys, self.primary = [], None
        shutil.rmtree(self.root, ignore_errors=True)
        if self in _live:
            _live.remove(self)

    # -- SQL -------------------------------------------------------------------------------------------------------
    def sql(self, query: str, params=(), *, database: str = "postgres", server: Server | None = None,
            autocommit: bool = True):
        """Run one statement on the primary (or `server`); returns fetchall() for a query, else None."""
        import psycopg

        server = server or self.primary
        with psycopg.connect(server.url(database), autocommit=autocommit, connect_timeout=5) as conn:
            cur = conn.execute(query, params)
            return cur.fetchall() if cur.description else None

    def create_database(self, name: str) -> str:
        self.sql(f'create database "{name}"')
        return self.primary.url(name)

    def wait_replayed(self, standby: Server, *, timeout: float = 30) -> None:
        """Wait until the standby has replayed everything the primary has written so far."""
        lsn = self.sql("select pg_current_wal_lsn()")[0][0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = self.sql("select pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn], server=standby)[0][0]
            if done:
                return
            time.sleep(0.1)
        raise TimeoutError("the standby did not catch up")
