"""The OpenAPI contract: unique schema names, every error status documented with the one error body."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from ninja import Schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def doc(client):
    return client.get("/api/v1/openapi.json").json()


def test_schema_class_names_are_unique_across_the_routers():
    import helhet.api

    seen: dict[str, str] = {}
    for info in pkgutil.iter_modules(helhet.api.__path__):
        module = importlib.import_module(f"helhet.api.{info.name}")
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, Schema) and obj.__module__ == module.__name__:
                assert name not in seen, f"{name} in {module.__name__} and {seen[name]}"
                seen[name] = module.__name__
    assert {"PlanItemIn", "TransferItemIn", "MeetingCancelIn", "TransferCancelIn", "ConsentWithdrawIn",
            "ObjectionWithdrawIn", "PersonConsentOut", "ErrorOut"} <= set(seen)


def test_every_operation_documents_its_error_statuses_with_the_error_body(doc):
    ref = {"$ref": "#/components/schemas/ErrorOut"}
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            wanted = {"400", "401", "403", "404", "409"} | ({"413", "422"} if method != "get" else set())
            missing = wanted - set(op["responses"])
            assert not missing, f"{method.upper()} {path} misses {missing}"
            for status in wanted:
                assert op["responses"][status]["content"]["application/json"]["schema"] == ref


def test_plan_items_are_documented_with_their_own_body(doc):
    for method, path in (("post", "/api/v1/plans/{plan_id}/{section}"), ("patch", "/api/v1/plans/{plan_id}/{section}/{item_id}")):
        body = doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/PlanItemIn"}
    transfer = doc["paths"]["/api/v1/coordination/transfers/{transfer_id}/items/{key}"]["post"]["requestBody"]
    assert transfer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/TransferItemIn"}


def test_meeting_times_document_the_offset_format(doc):
    start = doc["components"]["schemas"]["MeetingIn"]["properties"]["start"]
    assert start["format"] == "date-time" and "UTC" in start["description"]


def test_the_openapi_validator_runs(client):
    from openapi_spec_validator import validate  # a test dependency (pyproject.toml), never skipped

    validate(client.get("/api/v1/openapi.json").json())
