"""Headers of every response (helhet.core.middleware.ResponseHeadersMiddleware) and the login wall in front of
the OpenAPI document and the API docs (helhet/api/__init__.py)."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client

from helhet.core.middleware import ResponseHeadersMiddleware

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "") and response.get("Pragma") == "no-cache"


def test_a_page_of_a_signed_in_user_is_never_cached_and_carries_the_permissions_policy(client_for, settings):
    r = client_for("coordinator").get("/mine/")
    assert r.status_code == 200
    assert no_store(r)
    assert r["Permissions-Policy"] == settings.HELHET_PERMISSIONS_POLICY
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in r["Permissions-Policy"]


def test_every_api_response_is_never_cached_signed_in_or_not(client_for, person):
    r = client_for("coordinator").get(f"/api/v1/persons/{person.pk}")
    assert r.status_code == 200 and no_store(r)
    r = Client().get("/api/v1/persons/")
    assert r.status_code == 401 and no_store(r)
    assert "Permissions-Policy" in r


def test_the_login_page_carries_the_permissions_policy(world):
    r = Client().get("/login/")
    assert r.status_code == 200
    assert "camera=()" in r["Permissions-Policy"]
    assert "Content-Security-Policy" in r


def test_an_anonymous_page_without_a_session_is_left_cacheable_by_this_middleware(db):
    r = Client().get("/healthz")
    assert "Permissions-Policy" in r
    assert r.get("Pragma") != "no-cache"


def test_the_refusals_of_the_input_guard_carry_the_headers_too(client_for, settings):
    r = client_for("ke").get("/personer/?q=a%00b")
    assert r.status_code == 400
    assert no_store(r) and "Permissions-Policy" in r
    assert r["Content-Security-Policy"] == settings.HELHET_CSP and r["X-Frame-Options"] == "DENY"
    r = Client().get("/api/v1/persons/?q=a%00b")
    assert r.status_code == 400 and no_store(r)


def test_static_files_are_left_cacheable_even_for_a_signed_in_browser(rf, settings):
    middleware = ResponseHeadersMiddleware(lambda request: HttpResponse("body{}", content_type="text/css"))
    request = rf.get("/static/helhet/helhet.css")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "x" * 32
    response = middleware(request)
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Permissions-Policy" in response
    page = middleware(rf.get("/mine/", HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}={'x' * 32}"))
    assert no_store(page)


def test_the_response_that_signs_in_is_never_cached(world):
    from helhet.core.world import DEMO_PASSWORD

    r = Client().post("/login/", {"username": world.users["coordinator"].username, "password": DEMO_PASSWORD})
    assert r.status_code == 302 and no_store(r)


# ---------------------------------------------------------------- the OpenAPI document and docs


def test_the_openapi_document_and_docs_need_a_login_in_production(world, client_for, settings):
    settings.HELHET_API_DOCS_PUBLIC = False
    r = Client().get("/api/v1/openapi.json")
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
    r = Client().get("/api/v1/docs")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    signed_in = client_for("coordinator")
    assert signed_in.get("/api/v1/openapi.json").json()["info"]["title"] == "Helhet API"
    assert signed_in.get("/api/v1/docs").status_code == 200


def test_the_openapi_document_is_open_in_development(db, settings):
    settings.HELHET_API_DOCS_PUBLIC = True
    assert Client().get("/api/v1/openapi.json").status_code == 200


def test_docs_are_public_by_default_only_when_debug_is_on():
    import os
    import subprocess
    import sys

    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='helhet.settings'; from django.conf import settings; print(settings.HELHET_API_DOCS_PUBLIC)"
    env = {k: v for k, v in os.environ.items() if k not in ("HELHET_API_DOCS_PUBLIC", "DEBUG")}
    prod = dict(env, DEBUG="0", SECRET_KEY="x" * 50, HELHET_AUDIT_KEY="y" * 64)
    assert subprocess.run([sys.executable, "-c", code], env=prod, capture_output=True, text=True, check=True).stdout.strip() == "False"
    assert subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.strip() == "True"
