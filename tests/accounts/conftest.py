"""Fixtures for the security tests: a real OpenID Connect provider (node, npm `oidc-provider`) and a driver for its login.

The provider is scripts/oidc-test-provider.mjs, started once per test session on a free
port; the fixture waits for its discovery document and stops it afterwards. No mocks:
Helhet talks to it over HTTP exactly as it talks to HelseID and ID-porten.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from helhet.core.world import synthetic_national_id

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "oidc-test-provider.mjs"
CLIENT_ID = "helhet-test"
JWT_CLIENT_ID = "helhet-test-jwt"
CLIENT_SECRET = "test-secret-for-the-local-provider-only"
HPR_CLAIM = "helseid://claims/hpr/hpr_number"
CLINICIAN_HPR = "9100001"  # the clinician persona (helhet/core/world.py)
CITIZEN_PID = synthetic_national_id(dt.date(1990, 3, 14), 37)
NEW_CITIZEN_PID = synthetic_national_id(dt.date(1985, 11, 2), 91)
# Systems (client credentials, tests/accounts/test_tokens.py and tests/interop): the API's resource indicator (the
# audience Helhet checks), another resource server's, and the system clients registered at the provider.
SYSTEM_AUDIENCE = "urn:helhet:test-api"
OTHER_AUDIENCE = "urn:other:resource-server"
SYSTEM_SECRET = "system-secret-for-the-local-provider-only"
SYSTEM_CLIENTS = {
    "helhet-system-rw": "helhet/api.read helhet/api.write helhet/fhir.read",
    "helhet-system-ro": "helhet/api.read helhet/fhir.read",
}


@dataclass
class OIDCServer:
    issuer: str

    def login(self, authorize_url: str, account: str) -> str:
        """Log `account` in at the provider; return the URL it sends the browser back to (Helhet's callback)."""
        session = requests.Session()
        response = session.get(authorize_url, allow_redirects=False, timeout=10)
        assert response.status_code in (302, 303), response.text[:500]
        interaction = urljoin(self.issuer, response.headers["Location"])
        assert "/interaction/" in interaction, interaction
        response = session.post(
            interaction,
            data={"prompt": "login", "login": account},
            allow_redirects=False,
            timeout=10,
        )
        for _ in range(10):
            assert response.status_code in (302, 303), response.text[:500]
            location = urljoin(self.issuer, response.headers["Location"])
            if not location.startswith(self.issuer):
                return location
            response = session.get(location, allow_redirects=False, timeout=10)
        raise AssertionError("the provider never sent the browser back")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def client_key(tmp_path_factory):
    """An RSA key for the private_key_jwt client (HelseID's way): PEM file for Helhet, public JWK for the provider."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path_factory.mktemp("oidc") / "client_key.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    return path, {**public, "kid": "helhet-client-1", "use": "sig", "alg": "RS256"}


@pytest.fixture(scope="session")
def oidc_server(client_key):
    node = shutil.which("node")
    if not node or not (ROOT / "node_modules" / "oidc-provider").exists():
        if os.environ.get("HELHET_REQUIRE_OIDC_PROVIDER"):
            raise RuntimeError(
                "node and npm's oidc-provider (npm install) are needed for the OIDC tests"
            )
        pytest.skip("node or oidc-provider (npm install) missing")
    port = _free_port()
    redirect_uris = [f"http://testserver/oidc/{name}/callback/" for name in ("helseid", "idporten")]
    env = {
        **os.environ,
        "OIDC_TEST_PORT": str(port),
        "OIDC_TEST_CLIENTS": json.dumps(
            [
                {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": redirect_uris,
                    "grant_types": ["authorization_code"],
                    "response_types": ["code"],
                    "token_endpoint_auth_method": "client_secret_basic",
                },
                {
                    "client_id": JWT_CLIENT_ID,
                    "jwks": {"keys": [client_key[1]]},
                    "redirect_uris": redirect_uris,
                    "grant_types": ["authorization_code"],
                    "response_types": ["code"],
                    "token_endpoint_auth_method": "private_key_jwt",
                },
            ]
            + [
                {
                    "client_id": client_id,
                    "client_secret": SYSTEM_SECRET,
                    "grant_types": ["client_credentials"],
                    "response_types": [],
                    "redirect_uris": [],
                    "token_endpoint_auth_method": "client_secret_basic",
                    "scope": scope,
                }
                for client_id, scope in SYSTEM_CLIENTS.items()
            ]
        ),
        "OIDC_TEST_RESOURCE_SERVERS": json.dumps(
            {
                SYSTEM_AUDIENCE: {"scope": "helhet/api.read helhet/api.write helhet/fhir.read", "accessTokenTTL": 300},
                OTHER_AUDIENCE: {"scope": "helhet/api.read helhet/fhir.read", "accessTokenTTL": 300},
            }
        ),
        "OIDC_TEST_ACCOUNTS": json.dumps(
            {
                "lege": {HPR_CLAIM: CLINICIAN_HPR, "given_name": "Jonas", "family_name": "Lie"},
                "ukjent-lege": {HPR_CLAIM: "9999999"},
                "ke-lege": {HPR_CLAIM: "9100077"},
                "borger": {"pid": CITIZEN_PID},
                "ny-borger": {"pid": NEW_CITIZEN_PID},
            }
        ),
    }
    proc = subprocess.Popen(
        [node, str(SCRIPT)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read() if proc.poll() is not None else ""
                raise RuntimeError(f"the OIDC test provider did not start: {out}")
            time.sleep(0.1)
        yield OIDCServer(issuer=issuer)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def oidc_settings(settings, oidc_server, tmp_path):
    """Point both providers (HelseID and ID-porten) at the local provider, the secret in a file."""
    from helhet.accounts import oidc

    secret_file = tmp_path / "client_secret"
    secret_file.write_text(CLIENT_SECRET + "\n")
    common = {
        "issuer": oidc_server.issuer,
        "client_id": CLIENT_ID,
        "client_secret_file": str(secret_file),
        "private_key_file": "",
        "private_key_id": "",
        "acr_values": "",
        "satisfies_2fa": True,
    }
    settings.HELHET_OIDC_PROVIDERS = {
        "helseid": {
            **common,
            "scopes": "openid profile helseid://scopes/identity/hpr_number",
            "user_claim": HPR_CLAIM,
            "user_field": "hpr_number",
            "create_citizen": False,
        },
        "idporten": {
            **common,
            "scopes": "openid profile pid",
            "user_claim": "pid",
            "user_field": "national_id",
            "create_citizen": True,
        },
    }
    oidc._discovery_cache.clear()
    return settings


@pytest.fixture
def token_settings(settings, oidc_server):
    """Helhet accepts the local provider's access tokens for SYSTEM_AUDIENCE (settings.HELHET_TOKEN_ISSUERS)."""
    from helhet.accounts import tokens

    settings.HELHET_TOKEN_ISSUERS = {
        oidc_server.issuer: {"jwks_uri": f"{oidc_server.issuer}/jwks", "audience": SYSTEM_AUDIENCE},
    }
    tokens.clear_cache()
    yield settings
    tokens.clear_cache()


@pytest.fixture
def system_token(oidc_server):
    """system_token(client_id, scope=..., resource=SYSTEM_AUDIENCE) -> a client-credentials JWT access token."""

    def get(client_id: str = "helhet-system-ro", *, scope: str | None = None, resource: str = SYSTEM_AUDIENCE) -> str:
        response = requests.post(
            f"{oidc_server.issuer}/token",
            data={"grant_type": "client_credentials", "resource": resource, "scope": scope or SYSTEM_CLIENTS[client_id]},
            auth=(client_id, SYSTEM_SECRET),
            timeout=10,
        )
        assert response.ok, response.text
        return response.json()["access_token"]

    return get
