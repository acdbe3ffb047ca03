"""Schemas every router shares: the one error body, and the statuses every operation documents with it.

Schema names are unique across the routers (tests/api/test_openapi_contract.py): the OpenAPI document names a
body by its class name, so two classes of one name made one endpoint documented with the other's body.
"""

from __future__ import annotations

from ninja import Schema


class ErrorOut(Schema):
    """Every 4xx the API answers: {"code", "message" (Norwegian), "details" (e.g. {"fields": {name: [msg]}})}."""

    code: str
    message: str
    details: dict


# Documented on every operation (helhet/api/__init__.py adds what an operation does not list itself):
# 400 bad input (also the input guard's invalid_characters / malformed_body / invalid_json), 401 not logged in,
# 403 two-factor still required, 404 not found or not yours, 409 conflict (stale, exists, race).
COMMON_ERRORS = (400, 401, 403, 404, 409)
# Writes also: 413 body too large, 422 Idempotency-Key reused with another request.
WRITE_ERRORS = (413, 422)
ERRORS = {status: ErrorOut for status in (400, 401, 404, 409)}


def file_response(description: str, *media_types: str) -> dict:
    """openapi_extra for an operation that answers a file, not JSON: its 200 documents the media types it sends
    (schemathesis' content_type_conformance holds the answer to them)."""
    return {"responses": {200: {"description": description,
                                "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in media_types}}}}
