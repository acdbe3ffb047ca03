"""Session expiry after inactivity, the Content-Security-Policy, secure cookies, and `check --deploy` in production settings."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_a_session_ends_after_30_minutes_without_activity_but_not_while_in_use(world, users):
    # The expiry moves on at most every few minutes (helhet.core.middleware.SessionRefreshMiddleware), not on every request.
    assert django_settings.SESSION_COOKIE_AGE == 1800 and django_settings.HELHET_SESSION_REFRESH_SECONDS <= 300
    with time_machine.travel(T0, tick=False) as traveller:
        client = Client()
        client.force_login(users["coordinator"])
        for _ in range(4):  # two hours of work, a request every 29 minutes
            traveller.shift(dt.timedelta(minutes=29))
            assert client.get("/mine/").status_code == 200
        traveller.shift(dt.timedelta(minutes=30, seconds=1))
        response = client.get("/mine/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_every_page_carries_the_strict_csp(world, client_for, settings):
    settings.DEBUG = False
    for path in ("/login/", "/healthz"):
        response = Client().get(path)
        assert response["Content-Security-Policy"] == settings.HELHET_CSP
    csp = dict(part.strip().split(" ", 1) for part in settings.HELHET_CSP.split(";"))
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert (
        csp["frame-ancestors"] == "'none'"
        and csp["object-src"] == "'none'"
        and csp["base-uri"] == "'none'"
    )
    page = client_for("coordinator").get("/mine/")
    assert "Content-Security-Policy" in page
    assert page["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_pages_have_no_inline_scripts_or_styles(world, client_for):
    import re

    client = client_for("coordinator")
    for path in ("/login/", "/mine/", "/konto/"):
        body = client.get(path).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), path
        assert "<style" not in body and " style=" not in body, path
    body = Client().get("/login/").content.decode()
    assert "includeIndicatorStyles" in body  # htmx must not inject its indicator <style>


def _production_env(**extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "HELHET_", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"))
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        HELHET_AUDIT_KEY=secrets.token_hex(32),
        ALLOWED_HOSTS="helhet.example.no",
        DJANGO_SETTINGS_MODULE="helhet.settings",
        PYTHONDONTWRITEBYTECODE="1",
        **extra,
    )
    return env


def test_check_deploy_is_clean_in_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_production_settings_secure_the_cookies_and_require_two_factor():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_NAME, s.HELHET_REQUIRE_2FA, s.SECURE_HSTS_SECONDS >= 31536000, bool(s.HELHET_CSP))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "True",
        "__Host-sessionid",
        "True",
        "True",
        "True",
    ], result.stderr


def test_the_demo_relaxes_two_factor_only_unless_told_otherwise():
    code = "import django; django.setup(); from django.conf import settings as s; print(s.HELHET_REQUIRE_2FA)"

    def run(**extra):
        env = {**_production_env(), "DEBUG": "1", **extra}
        return subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout.strip()

    assert run() == "True"
    assert run(HELHET_DEMO="1") == "False"
    assert run(HELHET_DEMO="1", HELHET_REQUIRE_2FA="1") == "True"
