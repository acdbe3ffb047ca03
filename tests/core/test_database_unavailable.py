"""A database that does not answer (restart, failover) is a 503 with Retry-After, never a 500: JSON in the API,
a plain page in the browser. Any other uncaught failure stays a 500, without a traceback."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client

from helhet.core.world import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def ke_client(world, settings):
    settings.DEBUG = False  # handler500 answers only with DEBUG off (as in production)
    client = Client(raise_request_exception=False)
    assert client.login(username=world.users["ke"].username, password=DEMO_PASSWORD)
    return client


def _failing(monkeypatch, exc):
    def fail(*args, **kwargs):
        raise exc

    monkeypatch.setattr("helhet.people.selectors.person_list", fail)


def test_the_api_answers_503_with_retry_after_when_the_database_does_not_answer(ke_client, monkeypatch):
    _failing(monkeypatch, OperationalError("server closed the connection unexpectedly"))
    response = ke_client.get("/api/v1/persons/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["code"] == "database_unavailable" and "Prøv igjen" in body["message"]
    assert "server closed" not in response.content.decode()  # no database text


def test_a_page_answers_503_in_the_readers_language(ke_client, monkeypatch):
    _failing(monkeypatch, OperationalError("terminating connection due to administrator command"))
    response = ke_client.get("/personer/", HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    text = response.content.decode()
    assert "Databasen svarer ikke" in text and "administrator command" not in text


def test_any_other_failure_is_a_plain_500_without_a_traceback(ke_client, monkeypatch):
    _failing(monkeypatch, RuntimeError("secret internals"))
    response = ke_client.get("/api/v1/persons/")
    assert response.status_code == 500 and "Retry-After" not in response
    assert response.json()["code"] == "server_error"
    assert "secret internals" not in response.content.decode()
