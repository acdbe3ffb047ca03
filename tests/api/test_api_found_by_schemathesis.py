"""What the schemathesis run (tests/api/test_schemathesis.py) found, pinned as plain tests."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

TOO_BIG = 2**70


def _never_a_500(r) -> None:
    # SQLite cannot hold the number (400 invalid); PostgreSQL compares it as numeric and finds nothing (200, 0 marked).
    assert r.status_code in (200, 400), r.content
    if r.status_code == 400:
        assert r.json()["code"] == "invalid"
    else:
        assert r.json()["marked"] == 0


def test_an_id_past_the_databases_range_is_a_400_not_a_500(api_for):
    _never_a_500(api_for("ke").post("/notifications/read", {"ids": [TOO_BIG]}))


def test_with_an_idempotency_key_too_the_out_of_range_id_is_a_400_and_is_replayed(client_for):
    import json

    c = client_for("ke")
    send = lambda: c.post("/api/v1/notifications/read", data=json.dumps({"ids": [TOO_BIG]}), content_type="application/json",  # noqa: E731
                          HTTP_IDEMPOTENCY_KEY="k-out-of-range")
    first = send()
    _never_a_500(first)
    again = send()
    assert again.status_code == first.status_code and again.json() == first.json()
