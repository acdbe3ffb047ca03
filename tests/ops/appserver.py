"""Real app servers and real HTTP clients for the scale-out tests (docs/scale-out.md). A helper, not a test.

`AppServer` runs gunicorn with the checked-in configuration (deploy/gunicorn.conf.py) in a subprocess against a
given DATABASE_URL; `Browser` logs in over HTTP like a person would and calls the API with the CSRF token.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from .pgcluster import free_port

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
DEMO_PASSWORD = "helhet-demo-2026"  # helhet.core.world.DEMO_PASSWORD


def app_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a server or command: the demo settings (synthetic ids; two-factor off, see
    docs/scale-out.md) against `database_url`, never the test run's own database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "HELHET_DB_", "PYTEST", "DJANGO_SETTINGS"))}
    env.update({"DATABASE_URL": database_url, "HELHET_DEMO": "1", "HELHET_REQUIRE_2FA": "0", "DB_CONN_MAX_AGE": "60",
                "PYTHONDONTWRITEBYTECODE": "1", "LOG_LEVEL": "WARNING", **extra})
    return env


def manage(database_url: str, *args: str, timeout: float = 180, **extra: str) -> str:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=app_env(database_url, **extra),
                            capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    return result.stdout


class AppServer:
    """gunicorn -c deploy/gunicorn.conf.py helhet.wsgi:application on a free port; stop() by its pid."""

    def __init__(self, database_url: str, *, workers: int = 2, **extra: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.var = Path(tempfile.mkdtemp(prefix="helhet-app-"))
        self.log = self.var / "gunicorn.log"
        env = app_env(database_url, GUNICORN_BIND=f"127.0.0.1:{self.port}", GUNICORN_WORKERS=str(workers),
                      GUNICORN_LOGLEVEL="warning", HELHET_VAR_DIR=str(self.var), **extra)
        gunicorn = Path(PYTHON).with_name("gunicorn")
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen([str(gunicorn), "-c", "deploy/gunicorn.conf.py", "helhet.wsgi:application"],
                                         cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 40) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + self.output())
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer /healthz:\n" + self.output())

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-5000:] if self.log.exists() else ""

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.var, ignore_errors=True)


class Browser:
    """One person's HTTP session against one server: login form, then the API with the session and CSRF token."""

    def __init__(self, base_url: str):
        self.base = base_url
        self.http = requests.Session()

    def login(self, username: str, password: str = DEMO_PASSWORD) -> None:
        self.http.get(self.base + "/login/", timeout=10)
        response = self.http.post(self.base + "/login/", timeout=20, allow_redirects=False, data={
            "username": username, "password": password, "csrfmiddlewaretoken": self.http.cookies.get("csrftoken", ""),
        }, headers={"Referer": self.base + "/login/"})
        assert response.status_code == 302, f"login as {username}: {response.status_code} {response.text[:500]}"

    def headers(self, **extra: str) -> dict[str, str]:
        return {"X-CSRFToken": self.http.cookies.get("csrftoken", ""), "Referer": self.base + "/", **extra}

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.base + path, timeout=kwargs.pop("timeout", 20), **kwargs)

    def post(self, path: str, json: dict, *, key: str | None = None, timeout: float = 20) -> requests.Response:
        headers = self.headers(**({"Idempotency-Key": key} if key else {}))
        return self.http.post(self.base + path, json=json, headers=headers, timeout=timeout)


def post_until_acknowledged(browser: Browser, path: str, body: dict, key: str, *, give_up_after: float = 45) -> tuple[dict, list[str]]:
    """POST with an Idempotency-Key, retrying a connection error or a 5xx with the same key until a 2xx.

    Returns (the acknowledged JSON body, the failed attempts before it: "503", "connection error", ...). A 4xx is
    an answer, not a failure to retry: it fails the caller's test (a write the server refused or answered wrongly)."""
    failures: list[str] = []
    deadline = time.monotonic() + give_up_after
    while True:
        try:
            response = browser.post(path, body, key=key, timeout=15)
        except requests.RequestException as exc:
            response, outcome = None, f"connection error ({type(exc).__name__})"
        else:
            outcome = str(response.status_code)
        if response is not None and 200 <= response.status_code < 300:
            return response.json(), failures
        if response is not None and response.status_code < 500:
            raise AssertionError(f"{path} with key {key}: {response.status_code} {response.text[:500]}")
        failures.append(outcome)
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} with key {key}: no 2xx within {give_up_after} s")
        time.sleep(0.2)
