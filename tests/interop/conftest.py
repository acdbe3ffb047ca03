"""Fixtures for the FHIR tests: the canary scenario of tests/access (a person with everything around them)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.access.canary import build_scenario
from tests.accounts.conftest import client_key, oidc_server, system_token, token_settings  # noqa: F401  (bearer tokens)

FHIR = "/fhir/R4"


@pytest.fixture
def scenario(world):
    return build_scenario(world)


@pytest.fixture
def fhir_client(scenario):
    """fhir_client("gp") -> a logged-in client for that persona (the scenario's users include self and representative)."""

    def make(key: str) -> Client:
        client = Client(raise_request_exception=True)
        client.force_login(scenario.users[key])
        return client

    return make
