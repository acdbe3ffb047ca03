"""Requests per second under the production server: gunicorn with the checked-in configuration
(deploy/gunicorn.conf.py, sync workers), DEBUG off, over HTTP on 127.0.0.1, closed loop at `concurrency` clients.

The clients are threads of this process sharing one real session (password + TOTP login over HTTP, as a person
logs in; a TOTP code is accepted once, so one login is cloned to every client). Each client sends its next
request as soon as the last one answered, for `seconds` per endpoint. Any answer that is not 200 is counted and
fails the run (bench/run.py). The clients share the machine's two cores with the server: the figure is what the
server does with what the clients leave it, and the load average is recorded with it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
# The server's own keys (production refuses the development ones). Its audit events carry the key id
# "bench-serve"; verify the benchmark database with HELHET_AUDIT_OLD_KEYS="bench-serve:<this key>".
SERVER_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-serve-secret-key-synthetic-data-only",
    "HELHET_AUDIT_KEY": "bench-serve-audit-key-synthetic-data-only",
    "HELHET_AUDIT_KEY_ID": "bench-serve",
    "HELHET_AUDIT_CHECKPOINT_FILE": "",
    "SECURE_SSL_REDIRECT": "0",
    "ALLOWED_HOSTS": "127.0.0.1",
    "GUNICORN_ACCESSLOG": "/dev/null",
    "GUNICORN_LOGLEVEL": "warning",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn in a subprocess on a free port; stopped (SIGTERM, then kill) on exit."""

    def __init__(self, database_url: str, *, workers: int = 4):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, **SERVER_ENV, "DATABASE_URL": database_url, "GUNICORN_WORKERS": str(workers),
               "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        env.pop("HELHET_DEMO", None)
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.proc = subprocess.Popen([str(gunicorn), "-c", "deploy/gunicorn.conf.py", "helhet.wsgi:application"], cwd=ROOT,
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def __enter__(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.3)
        output = self.proc.stdout.read().decode() if self.proc.poll() is not None else "no answer in 60 s"
        self.__exit__()
        raise RuntimeError(f"gunicorn did not start: {output[-2000:]}")

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Browser:
    """A client over HTTP as the browser would be behind the TLS proxy: X-Forwarded-Proto https (the proxy's header,
    trusted from 127.0.0.1), the Secure cookies sent back by hand (requests sends them only over real https), the
    Referer the CSRF check wants."""

    def __init__(self, base: str, cookies: dict | None = None):
        self.base = base
        self.host = urllib.parse.urlsplit(base).netloc
        self.cookies = dict(cookies or {})
        self.http = requests.Session()
        self.http.trust_env = False

    def _headers(self, path: str) -> dict:
        headers = {"X-Forwarded-Proto": "https", "Referer": f"https://{self.host}{path}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _keep(self, response) -> None:
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value

    def get(self, path: str):
        response = self.http.get(self.base + path, headers=self._headers(path), allow_redirects=False, timeout=30)
        self._keep(response)
        return response

    def post(self, path: str, data: dict):
        token = next((v for k, v in self.cookies.items() if k.endswith("csrftoken")), "")  # __Host-csrftoken in production
        data = {**data, "csrfmiddlewaretoken": token}
        response = self.http.post(self.base + path, data=data, headers=self._headers(path), allow_redirects=False, timeout=30)
        self._keep(response)
        return response


def login(base: str, user, password: str, totp_code) -> Browser:
    """Password on /login/, then a TOTP code on /konto/2fa/ (`totp_code(attempt)` gives the code to try)."""
    b = Browser(base)
    b.get("/login/")
    r = b.post("/login/", {"username": user.username, "password": password})
    if r.status_code != 302:
        raise RuntimeError(f"password login over HTTP answered {r.status_code}")
    for attempt in range(4):
        b.get("/konto/2fa/")
        r = b.post("/konto/2fa/", {"token": totp_code(attempt)})
        if r.status_code == 302:
            return b
    raise RuntimeError(f"two-factor over HTTP answered {r.status_code}")


def closed_loop(base: str, cookies: dict, urls: list[str], *, concurrency: int, seconds: float) -> dict:
    """`concurrency` clients, each sending the next url (cycling) as soon as the last answered, for `seconds`."""
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    lock = threading.Lock()
    start_at = time.perf_counter() + 0.5
    deadline = start_at + seconds

    def client(k: int) -> None:
        b = Browser(base, cookies)
        mine_s, mine_l, i = {}, [], k
        while time.perf_counter() < start_at:
            time.sleep(0.001)
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            status = b.get(urls[i % len(urls)]).status_code
            mine_l.append((time.perf_counter() - t0) * 1000)
            mine_s[status] = mine_s.get(status, 0) + 1
            i += concurrency
        with lock:
            latencies.extend(mine_l)
            for s, n in mine_s.items():
                statuses[s] = statuses.get(s, 0) + n

    load_before = os.getloadavg()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = statuses.get(200, 0)
    latencies.sort()
    return {
        "concurrency": concurrency,
        "seconds": seconds,
        "n": ok,
        "req_per_s": round(ok / seconds, 1),
        "latency_p50_ms": round(latencies[len(latencies) // 2], 1) if latencies else None,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
    }
