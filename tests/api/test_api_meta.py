"""The OpenAPI document and the health check."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_json_is_a_valid_document_listing_the_paths(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == "Helhet API"
    for path in [
        "/api/v1/persons/",
        "/api/v1/persons/{person_id}",
        "/api/v1/persons/{person_id}/consents",
        "/api/v1/cases/requests",
        "/api/v1/cases/requests/{request_id}/decision",
        "/api/v1/cases/appointments/{appointment_id}/handover",
        "/api/v1/cases/my-persons",
    ]:
        assert path in doc["paths"], path
    decision = doc["paths"]["/api/v1/cases/requests/{request_id}/decision"]["post"]
    assert {"201", "400", "401", "404", "409"} <= set(decision["responses"])
    # Every $ref resolves inside the document.
    refs = set()

    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                refs.add(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    schemas = doc["components"]["schemas"]
    assert refs and all(ref.removeprefix("#/components/schemas/") in schemas for ref in refs)


def test_openapi_document_validates_against_the_spec(client):
    import openapi_spec_validator  # a test dependency (pyproject.toml): never skipped

    openapi_spec_validator.validate(client.get("/api/v1/openapi.json").json())


def test_healthz_reports_the_database(client):
    from django.db import connection

    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": connection.vendor}


def test_the_api_docs_page_uses_no_cdn_and_no_inline_script(client):
    body = client.get("/api/v1/docs").content.decode()
    assert "cdn." not in body
    assert "/static/ninja/swagger-ui-bundle.js" in body
    import re

    inline = [s for s in re.findall(r"<script([^>]*)>", body) if "src=" not in s and "application/json" not in s]
    assert inline == []
