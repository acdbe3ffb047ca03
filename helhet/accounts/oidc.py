"""OpenID Connect login (authorization code flow with PKCE, state and nonce): HelseID for staff, ID-porten for citizens.

1. start(): make state, nonce and a PKCE verifier, keep them in the session under the
   state, and send the browser to the provider's authorization endpoint.
2. finish(): the provider sends the browser back with ?code&state. Refuse an unknown
   state; trade the code (with the PKCE verifier and the client's credentials) for
   tokens at the token endpoint; validate the ID token's signature against the
   provider's JWKS, its issuer, audience, expiry and nonce.
3. Map the identity onto a Helhet user: HelseID by the HPR-number claim onto
   User.hpr_number; ID-porten by the national id claim (pid) onto User.national_id,
   creating a citizen user (no memberships) the first time.
4. Log in, mark the session as two-factor verified when the provider's login is
   (settings.HELHET_OIDC_PROVIDERS[...]["satisfies_2fa"]), and audit the login with the provider.

Providers come from settings.HELHET_OIDC_PROVIDERS; discovery documents are cached per process.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
import uuid
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from helhet.audit.services import record

from .twofactor import SESSION_PROVIDER_MFA

SESSION_PENDING = "helhet_oidc_pending"
PENDING_TTL = 600  # seconds a login may take at the provider
HTTP_TIMEOUT = 10
ASYMMETRIC_ALGS = [
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
]
_CLAIM_FORMATS = {"hpr_number": re.compile(r"^\d{1,10}$"), "national_id": re.compile(r"^\d{11}$")}

_discovery_cache: dict[str, tuple[float, dict]] = {}
_jwks_clients: dict[str, jwt.PyJWKClient] = {}


class OIDCError(Exception):
    """A login that must be refused; `code` goes to the audit log, the message to the user."""

    def __init__(self, code: str, message: str):
        super().__init__(code)
        self.code = code
        self.message = message


def provider_config(name: str) -> dict:
    config = getattr(settings, "HELHET_OIDC_PROVIDERS", {}).get(name)
    if not config:
        raise Http404
    return config


def discovery(config: dict) -> dict:
    issuer = config["issuer"]
    cached = _discovery_cache.get(issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=HTTP_TIMEOUT)
    response.raise_for_status()
    doc = response.json()
    if doc.get("issuer", "").rstrip("/") != issuer:
        raise OIDCError("issuer_mismatch", _("Innloggingstjenesten er feil konfigurert."))
    _discovery_cache[issuer] = (time.monotonic() + 300, doc)
    return doc


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def redirect_uri(request, name: str) -> str:
    path = reverse("oidc_callback", args=[name])
    base = getattr(settings, "HELHET_OIDC_REDIRECT_BASE", "")
    return base.rstrip("/") + path if base else request.build_absolute_uri(path)


def start(request, name: str, *, next_url: str = ""):
    config = provider_config(name)
    doc = discovery(config)
    state, nonce, verifier = (
        secrets.token_urlsafe(32),
        secrets.token_urlsafe(32),
        secrets.token_urlsafe(48),
    )
    pending = {
        k: v
        for k, v in request.session.get(SESSION_PENDING, {}).items()
        if v["expires"] > time.time()
    }
    pending[state] = {
        "provider": name,
        "nonce": nonce,
        "verifier": verifier,
        "next": next_url,
        "expires": time.time() + PENDING_TTL,
    }
    request.session[SESSION_PENDING] = pending
    params = {
        "response_type": "code",
        "client_id": config["client_id"],
        "redirect_uri": redirect_uri(request, name),
        "scope": config["scopes"],
        "state": state,
        "nonce": nonce,
        "code_challenge": _b64(hashlib.sha256(verifier.encode()).digest()),
        "code_challenge_method": "S256",
    }
    if config.get("acr_values"):
        params["acr_values"] = config["acr_values"]
    return HttpResponseRedirect(f"{doc['authorization_endpoint']}?{urlencode(params)}")


def _client_auth(config: dict, token_endpoint: str) -> tuple[dict, tuple | None]:
    """The client's credentials: private_key_jwt when a key file is set, else client_secret_basic."""
    if config.get("private_key_file"):
        with open(config["private_key_file"], "rb") as fh:
            key = fh.read()
        now = int(time.time())
        assertion = jwt.encode(
            {
                "iss": config["client_id"],
                "sub": config["client_id"],
                "aud": token_endpoint,
                "jti": str(uuid.uuid4()),
                "iat": now,
                "exp": now + 60,
            },
            key,
            algorithm="RS256",
            headers={"kid": config["private_key_id"]} if config.get("private_key_id") else None,
        )
        return {
            "client_id": config["client_id"],
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        }, None
    secret = ""
    if config.get("client_secret_file"):
        with open(config["client_secret_file"], encoding="utf-8") as fh:
            secret = fh.read().strip()
    return {}, (config["client_id"], secret)


def _validate_id_token(config: dict, doc: dict, id_token: str, nonce: str) -> dict:
    jwks_uri = doc["jwks_uri"]
    client = _jwks_clients.get(jwks_uri)
    if client is None:
        client = _jwks_clients[jwks_uri] = jwt.PyJWKClient(
            jwks_uri, cache_keys=True, lifespan=300, timeout=HTTP_TIMEOUT
        )
    algorithms = [
        a
        for a in doc.get("id_token_signing_alg_values_supported", ["RS256"])
        if a in ASYMMETRIC_ALGS
    ] or ["RS256"]
    try:
        key = client.get_signing_key_from_jwt(id_token)
        claims = jwt.decode(
            id_token,
            key.key,
            algorithms=algorithms,
            audience=config["client_id"],
            issuer=doc["issuer"],
            leeway=60,
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
        )
    except jwt.PyJWTError as exc:
        raise OIDCError("id_token_invalid", _("Innloggingen kunne ikke bekreftes.")) from exc
    if not nonce or not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise OIDCError("nonce_mismatch", _("Innloggingen kunne ikke bekreftes."))
    return claims


def _userinfo(doc: dict, access_token: str) -> dict:
    endpoint = doc.get("userinfo_endpoint")
    if not endpoint or not access_token:
        return {}
    response = requests.get(
        endpoint, headers={"Authorization": f"Bearer {access_token}"}, timeout=HTTP_TIMEOUT
    )
    return response.json() if response.ok else {}


@transaction.atomic
def map_user(config: dict, claims: dict):
    """The Helhet user for this identity, or OIDCError. Only ID-porten creates users (citizens)."""
    User = get_user_model()
    field, value = config["user_field"], str(claims.get(config["user_claim"]) or "").strip()
    if not _CLAIM_FORMATS[field].match(value):
        raise OIDCError(
            "claim_missing",
            _("Innloggingstjenesten sendte ikke det vi trenger for å kjenne deg igjen."),
        )
    users = list(User.objects.select_for_update().filter(**{field: value})[:2])
    if len(users) > 1:
        raise OIDCError(
            "ambiguous_user",
            _("Flere brukere i Helhet har samme identitet. Kontakt systemforvalter."),
        )
    if users:
        user = users[0]
        if not user.is_active:
            raise OIDCError("inactive_user", _("Brukeren din er deaktivert."))
        return user
    if not config.get("create_citizen"):
        raise OIDCError(
            "unknown_user",
            _("Du har ingen bruker i Helhet. Kontakt koordinerende enhet i kommunen din."),
        )
    user = User(
        username=f"borger-{uuid.uuid4().hex[:12]}",
        national_id=value,
        first_name=str(claims.get("given_name", ""))[:150],
        last_name=str(claims.get("family_name", ""))[:150],
    )
    user.set_unusable_password()
    user.save()
    record(
        actor=None,
        action="user_created",
        obj=user,
        summary=gettext_noop("Innbygger opprettet ved første innlogging"),
        detail={"provider": "idporten"},
    )
    return user


def finish(request, name: str):
    config = provider_config(name)
    state = request.GET.get("state", "")
    pending = request.session.get(SESSION_PENDING, {})
    entry = pending.pop(state, None) if state else None
    request.session[SESSION_PENDING] = pending
    try:
        if entry is None or entry["provider"] != name or entry["expires"] < time.time():
            raise OIDCError(
                "state_mismatch",
                _("Innloggingen er utløpt eller ble ikke startet her. Prøv igjen."),
            )
        if request.GET.get("error"):
            raise OIDCError("provider_error", _("Innloggingen ble avbrutt."))
        code = request.GET.get("code", "")
        if not code:
            raise OIDCError("code_missing", _("Innloggingen kunne ikke fullføres."))
        doc = discovery(config)
        extra, basic = _client_auth(config, doc["token_endpoint"])
        response = requests.post(
            doc["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri(request, name),
                "code_verifier": entry["verifier"],
                **extra,
            },
            auth=basic,
            timeout=HTTP_TIMEOUT,
        )
        if not response.ok:
            raise OIDCError("token_error", _("Innloggingen kunne ikke fullføres."))
        tokens = response.json()
        claims = _validate_id_token(config, doc, tokens.get("id_token", ""), entry["nonce"])
        if config["user_claim"] not in claims:
            userinfo = _userinfo(doc, tokens.get("access_token", ""))
            if userinfo.get("sub") == claims["sub"]:
                claims = {**userinfo, **claims}
        user = map_user(config, claims)
    except OIDCError as exc:
        record(
            actor=None,
            action="login_failed",
            object_type="session",
            summary=gettext_noop("Mislykket innlogging"),
            detail={"provider": name, "reason": exc.code},
        )
        return render(request, "accounts/oidc_error.html", {"message": exc.message}, status=400)
    except (requests.RequestException, ValueError, KeyError) as exc:
        record(
            actor=None,
            action="login_failed",
            object_type="session",
            summary=gettext_noop("Mislykket innlogging"),
            detail={
                "provider": name,
                "reason": "provider_unavailable",
                "error": type(exc).__name__,
            },
        )
        return render(
            request,
            "accounts/oidc_error.html",
            {"message": _("Innloggingstjenesten svarer ikke. Prøv igjen om litt.")},
            status=502,
        )
    auth_login(request, user, backend="helhet.accounts.backends.SessionBackend")
    if config.get("satisfies_2fa"):
        request.session[SESSION_PROVIDER_MFA] = name
    record(
        actor=user,
        action="login",
        object_type="session",
        summary=gettext_noop("Logget inn"),
        detail={"provider": name, "acr": str(claims.get("acr", ""))[:100]},
    )
    from django.utils.http import url_has_allowed_host_and_scheme

    target = entry.get("next") or ""
    if not (target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})):
        target = settings.LOGIN_REDIRECT_URL
        target = reverse(target) if "/" not in target else target
    return HttpResponseRedirect(target)
