"""Bearer tokens for systems: OAuth 2.0 client-credentials access tokens (JWT, RFC 9068), as HelseID issues them.

Used by the JSON API (helhet/api/__init__.py, BearerTokenAuth) and FHIR (helhet/interop/views.py). For a request
with `Authorization: Bearer <jwt>`, authenticate():

1. reads the token's `iss` (unverified) and finds it in settings.HELHET_TOKEN_ISSUERS (issuer -> {"jwks_uri",
   "audience"}; an unknown issuer is refused before any network call);
2. finds the signing key by the token's `kid` in the issuer's JWKS (PyJWT's PyJWKClient, one per issuer, keys
   cached; an unknown kid refetches the set once) and verifies the signature, `iss`, `aud`, `exp` (required) and
   `nbf`/`iat` with a small leeway;
3. finds the active SystemClient registered for (issuer, client_id) — `client_id`, else `azp`, else `sub`;
4. keeps the token's scopes that the client is also registered with and requires the surface's scope
   (API: helhet/api.read or helhet/api.write for reads, helhet/api.write for writes; FHIR: helhet/fhir.read);
5. returns the client's service user with the token bound to it (helhet.access.policy.bind_token): its memberships give the
   relationships, and the scopes further limit the actions in the one policy (helhet.access.policy.token_allows).

Every failure is a TokenError: 401 `invalid_token` (bad, expired, wrong audience, unknown issuer or client) or
403 `insufficient_scope`, with a WWW-Authenticate header (RFC 6750). No CSRF: a bearer token is not sent by a
browser on its own. Nothing here decides access to a person: that is helhet/access.
"""

from __future__ import annotations

import dataclasses
import json
import os
import threading

import jwt
from django.conf import settings
from django.utils.translation import gettext as _

from helhet.access.policy import SCOPE_API_READ, SCOPE_API_WRITE, SCOPE_FHIR_READ, bind_token
from helhet.core.errors import DomainError

ALGORITHMS = ["RS256", "PS256", "ES256"]  # asymmetric only: a shared-secret (HS*) token is never accepted
LEEWAY_SECONDS = 30
JWKS_CACHE_SECONDS = 300
SYSTEM_ROLE = "system"  # the role the audit log shows for a system's events (AuditEvent.actor_role)

SURFACE_SCOPES = {
    # surface -> (scopes that allow a read, scopes that allow a write)
    "api": (frozenset({SCOPE_API_READ, SCOPE_API_WRITE}), frozenset({SCOPE_API_WRITE})),
    "fhir": (frozenset({SCOPE_FHIR_READ}), frozenset()),
}
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenError(DomainError):
    """A refused bearer token: 401 invalid_token, or 403 insufficient_scope."""

    def __init__(self, code: str, message: str, *, status: int = 401):
        super().__init__(code, message, status=status)

    @property
    def www_authenticate(self) -> str:
        error = "insufficient_scope" if self.status == 403 else "invalid_token"
        return f'Bearer error="{error}"'


def _invalid(message) -> TokenError:
    return TokenError("invalid_token", message)


def issuers() -> dict[str, dict]:
    """settings.HELHET_TOKEN_ISSUERS, else the JSON in the environment variable of that name; {} when neither."""
    configured = getattr(settings, "HELHET_TOKEN_ISSUERS", None)
    if configured is None:
        raw = os.environ.get("HELHET_TOKEN_ISSUERS", "")
        configured = json.loads(raw) if raw.strip() else {}
    return configured


_clients: dict[str, jwt.PyJWKClient] = {}
_lock = threading.Lock()


def _jwk_client(jwks_uri: str) -> jwt.PyJWKClient:
    with _lock:
        client = _clients.get(jwks_uri)
        if client is None:
            client = jwt.PyJWKClient(jwks_uri, cache_keys=True, lifespan=JWKS_CACHE_SECONDS, timeout=5)
            _clients[jwks_uri] = client
        return client


def clear_cache() -> None:
    """Forget the cached key sets (tests; a key rotation is picked up by the unknown-kid refetch anyway)."""
    with _lock:
        _clients.clear()


@dataclasses.dataclass(frozen=True)
class TokenClaims:
    issuer: str
    client_id: str
    scopes: frozenset[str]
    claims: dict


def validate(token: str) -> TokenClaims:
    """The token's verified claims, or TokenError (steps 1-2 of the module docstring)."""
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise _invalid(_("Tilgangsnøkkelen (token) kan ikke leses.")) from None
    issuer = unverified.get("iss")
    config = issuers().get(issuer) if isinstance(issuer, str) else None
    if not config:
        raise _invalid(_("Tilgangsnøkkelen er utstedt av en ukjent utsteder."))
    if header.get("alg") not in ALGORITHMS:
        raise _invalid(_("Tilgangsnøkkelen er signert med en algoritme som ikke godtas."))
    try:
        key = _jwk_client(config["jwks_uri"]).get_signing_key_from_jwt(token)
    except jwt.PyJWKClientConnectionError:
        raise TokenError("issuer_unavailable", _("Utstederens nøkler kunne ikke hentes. Prøv igjen senere."), status=503) from None
    except (jwt.PyJWKClientError, jwt.InvalidTokenError):
        raise _invalid(_("Tilgangsnøkkelen er signert med en nøkkel utstederen ikke har.")) from None
    try:
        claims = jwt.decode(
            token, key.key, algorithms=ALGORITHMS, audience=config["audience"], issuer=issuer,
            leeway=config.get("leeway", LEEWAY_SECONDS), options={"require": ["exp", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError:
        raise _invalid(_("Tilgangsnøkkelen er utløpt.")) from None
    except jwt.InvalidAudienceError:
        raise _invalid(_("Tilgangsnøkkelen er ikke utstedt til Helhet (feil audience).")) from None
    except jwt.InvalidSignatureError:
        raise _invalid(_("Tilgangsnøkkelens signatur er ugyldig.")) from None
    except jwt.InvalidTokenError:
        raise _invalid(_("Tilgangsnøkkelen er ugyldig.")) from None
    client_id = claims.get("client_id") or claims.get("azp") or claims.get("sub")
    if not isinstance(client_id, str) or not client_id:
        raise _invalid(_("Tilgangsnøkkelen sier ikke hvilket system den gjelder (client_id)."))
    raw = claims.get("scope", "")
    scopes = frozenset(raw.split()) if isinstance(raw, str) else frozenset(s for s in raw if isinstance(s, str))
    return TokenClaims(issuer=issuer, client_id=client_id, scopes=scopes, claims=claims)


def authenticate(request, token: str, *, surface: str):
    """The service user of the system that presented `token`, bound to its scopes; or TokenError (steps 1-5)."""
    from .models import SystemClient

    claims = validate(token)
    client = (SystemClient.objects.select_related("service_user", "organization")
              .filter(issuer=claims.issuer, client_id=claims.client_id, active=True).first())
    if client is None or not client.service_user.is_active:
        raise _invalid(_("Systemet er ikke registrert i Helhet, eller det er deaktivert."))
    granted = claims.scopes & frozenset(client.scopes)
    reads, writes = SURFACE_SCOPES[surface]
    needed = reads if request.method in READ_METHODS else writes
    if not granted & needed:
        raise TokenError("insufficient_scope", _("Tilgangsnøkkelen gir ikke lov til dette (scope mangler: %(s)s).")
                         % {"s": " / ".join(sorted(needed)) or "-"}, status=403)
    user = client.service_user
    bind_token(user, granted, role=SYSTEM_ROLE)
    user.token_scopes = granted
    request.user = user
    request.system_client = client
    return user


def bearer_token(request) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, '' for an empty one, None without the header."""
    value = request.headers.get("Authorization", "")
    scheme, _sep, token = value.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()
