"""Helhet settings: ONE file, driven by the environment.

Development defaults are safe to run on a laptop (SQLite under var/, DEBUG on).
Production is any run with DEBUG off: it refuses to start with the default
SECRET_KEY, and turns on secure cookies.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HELHET_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG is off: refusing to start production with the default key."
    )
# The audit log's HMAC key (helhet/audit/keys.py, docs/operations.md "Audit log"): from HELHET_AUDIT_KEY or the
# file HELHET_AUDIT_KEY_FILE (systemd credentials, a k8s secret), never from the database. Refused in production
# like the default SECRET_KEY. HELHET_AUDIT_KEY_ID names it on every event and checkpoint; after a rotation the
# old keys stay in HELHET_AUDIT_OLD_KEYS ("id:key,id:key", or HELHET_AUDIT_OLD_KEYS_FILE, one id:key a line).
DEV_AUDIT_KEY = "dev-only-audit-key-never-use-in-production"


def _read_secret(name: str) -> str:
    value = os.environ.get(name, "")
    path = os.environ.get(name + "_FILE", "")
    if not value and path:
        value = Path(path).read_text().strip()
    return value


def _audit_old_keys(text: str) -> dict[str, str]:
    pairs = {}
    for item in text.replace("\n", ",").split(","):
        if item.strip():
            key_id, sep, key = item.strip().partition(":")
            if not sep or not key_id or not key:
                raise ImproperlyConfigured("HELHET_AUDIT_OLD_KEYS: each entry must be id:key")
            pairs[key_id] = key
    return pairs


HELHET_AUDIT_KEY = _read_secret("HELHET_AUDIT_KEY") or DEV_AUDIT_KEY
if not DEBUG and HELHET_AUDIT_KEY == DEV_AUDIT_KEY:
    raise ImproperlyConfigured(
        "HELHET_AUDIT_KEY or HELHET_AUDIT_KEY_FILE must be set when DEBUG is off: "
        "refusing to start production with the development audit key."
    )
HELHET_AUDIT_KEY_ID = os.environ.get("HELHET_AUDIT_KEY_ID", "dev" if HELHET_AUDIT_KEY == DEV_AUDIT_KEY else "1")
HELHET_AUDIT_OLD_KEYS = _audit_old_keys(_read_secret("HELHET_AUDIT_OLD_KEYS"))
# Each worker host's append-only copy of the signed checkpoints (audit_checkpoint, audit_verify); "" turns it off.
# Off by default in development and tests: the file belongs to one database.
HELHET_AUDIT_CHECKPOINT_FILE = os.environ.get(
    "HELHET_AUDIT_CHECKPOINT_FILE", "" if DEBUG else str(VAR_DIR / "audit-checkpoints.jsonl")
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if not DEBUG else "*")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# Unusual-access report (helhet/audit/selectors.py): this many distinct persons read by one user within
# this many minutes is flagged.
HELHET_AUDIT_BURST_PERSONS = int(os.environ.get("HELHET_AUDIT_BURST_PERSONS", "20"))
HELHET_AUDIT_BURST_MINUTES = int(os.environ.get("HELHET_AUDIT_BURST_MINUTES", "10"))
# Links in e-mails (reminders, invitations) point here.
HELHET_SITE_URL = os.environ.get("HELHET_SITE_URL", "http://127.0.0.1:8000")

# Demo mode: demo users and synthetic persons exist only when this is on
# (`make run` turns it on; see helhet/core/management/commands/seed_demo.py).
HELHET_DEMO = env_bool("HELHET_DEMO", False)
# Synthetic test national ids (month + 80) are accepted only when this is on: the demo and the tests
# (tests/conftest.py) use them; production refuses them (helhet/core/validators.py, docs/decisions/0002).
HELHET_ALLOW_SYNTHETIC_IDS = env_bool("HELHET_ALLOW_SYNTHETIC_IDS", HELHET_DEMO)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # ninja: serves the API docs (Swagger UI) from its own static files, not a CDN (CSP, closed networks).
    "ninja",
    "helhet.core",
    "helhet.organizations",
    "helhet.directory",  # every municipality and its KE, tenants or not (issue 12)
    "helhet.people",
    "helhet.audit",
    "helhet.access",
    "helhet.rules",
    "helhet.consent",
    "helhet.cases",
    "helhet.documents",  # the person's document area: letters as PDF/A (issue 11)
    "helhet.plans",
    "helhet.coordination",
    "helhet.meetings",
    "helhet.accounts",
    "helhet.notifications",
    "helhet.portal",
    "helhet.interop",
    "helhet.statistics",  # the KE's statistics: aggregates, charts as SVG, CSV (issue 13)
    "helhet.workspace",  # landing pages per role, cross-plan inbox, calendar (issue 10)
    # Security hardening (helhet/accounts): TOTP devices for two-factor login.
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The edge (helhet/core/middleware.py): Permissions-Policy and no-store on everything below it, then the
    # input guard, which refuses control characters and unreadable bodies before the session (a database
    # lookup), CSRF (request.POST) or any view reads the request.
    "helhet.core.middleware.ResponseHeadersMiddleware",
    "helhet.core.middleware.InputGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Moves the session's expiry on at most every few minutes (SESSION_SAVE_EVERY_REQUEST is off).
    "helhet.core.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Writes refusals that happened inside a rolled-back transaction once the view is done (helhet.access.queries).
    "helhet.access.queries.RefusalAuditMiddleware",
    # Security hardening: request.user.is_verified() (django-otp's OTPMiddleware, the device read with the user:
    # helhet.accounts.backends), then the 2FA gate, then the CSP header.
    "helhet.accounts.middleware.VerifiedDeviceMiddleware",
    "helhet.accounts.middleware.TwoFactorRequiredMiddleware",
    # Idempotency-Key on API POST/PUT/PATCH: the view and its stored answer in one transaction (helhet/core/idempotency.py).
    "helhet.core.idempotency.IdempotencyMiddleware",
    "helhet.accounts.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "helhet.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "helhet.urls"
WSGI_APPLICATION = "helhet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "helhet" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "helhet.core.context_processors.helhet",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'helhet.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the dev server and the worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections (DB_CONN_MAX_AGE seconds, default 60; 0 = one per request), checked before reuse
    # so a restarted or failed-over server costs one retried connection, not a 500 (docs/operations.md).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A test database per test run, so parallel runs on one server (developers, CI) never collide.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("HELHET_TEST_DB", f"test_helhet_{os.getpid()}")}
# Database roles (issue 9, docs/operations.md "Databaseroller", helhet/audit/grants.py): DATABASE_URL is the app
# role's connection (SELECT/INSERT only on the audit tables); DATABASE_OWNER_URL, when set, is the owner's, used only
# by `manage.py migrate` (helhet/audit/management/commands/migrate.py), which then re-applies the app role's grants.
# HELHET_DB_APP_ROLE names the app role (default: DATABASE_URL's user when an owner URL is given); empty: no grants.
HELHET_DB_OWNER = dj_database_url.parse(os.environ["DATABASE_OWNER_URL"]) if os.environ.get("DATABASE_OWNER_URL") else {}
HELHET_DB_APP_ROLE = os.environ.get("HELHET_DB_APP_ROLE", "") or (DATABASES["default"].get("USER", "") if HELHET_DB_OWNER else "")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organizations.User"
# Django's ModelBackend, whose get_user also reads the session's two-factor device (helhet.accounts.backends).
AUTHENTICATION_BACKENDS = ["helhet.accounts.backends.SessionBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after 30 minutes without activity (health records: shared PCs on wards).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", "1800"))
# The session is saved only when it changed, or to move the expiry on at most every
# HELHET_SESSION_REFRESH_SECONDS (helhet.core.middleware.SessionRefreshMiddleware): a read commits once (its
# audit event), not twice. The idle timeout is therefore between SESSION_COOKIE_AGE minus the refresh interval
# and SESSION_COOKIE_AGE (25-30 minutes by default), never longer.
SESSION_SAVE_EVERY_REQUEST = False
HELHET_SESSION_REFRESH_SECONDS = int(os.environ.get("HELHET_SESSION_REFRESH_SECONDS", "300"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norsk bokmål")), ("nn", _("Norsk nynorsk")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "helhet" / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "helhet" / "static",
    # Designsystemet CSS and htmx come from npm (package.json), never copied into the repo.
    ("vendor/designsystemet", BASE_DIR / "node_modules" / "@digdir" / "designsystemet-css" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/inter", BASE_DIR / "node_modules" / "@fontsource" / "inter"),  # the font Designsystemet names
]

MEDIA_ROOT = Path(os.environ.get("HELHET_FILE_ROOT", VAR_DIR / "files"))
# Uploaded files are never served as public media; they go through the access policy.
MEDIA_URL = "/files-are-never-served-directly/"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "helhet@localhost")

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}


# ---------------------------------------------------------------------------
# Security hardening: two-factor, login throttling, CSP, OpenID Connect.
# Owned by helhet/accounts (docs/security.md, "Login, two-factor and OIDC" and "Hardening").
# ---------------------------------------------------------------------------

# TOTP two-factor is required for KE officers, administrators and is_staff users
# (helhet.accounts.twofactor.requires_two_factor). On by default; the demo (`make run`,
# HELHET_DEMO=1) turns it off unless HELHET_REQUIRE_2FA is set explicitly.
HELHET_REQUIRE_2FA = env_bool("HELHET_REQUIRE_2FA", not HELHET_DEMO)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Helhet")

# Login throttling (helhet.accounts.throttle), counted in the database so every
# process sees the same count. Per IP the limit is higher: a hospital's staff share one NAT address.
HELHET_LOGIN_MAX_FAILURES = int(os.environ.get("HELHET_LOGIN_MAX_FAILURES", "5"))
HELHET_LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("HELHET_LOGIN_MAX_FAILURES_PER_IP", "20"))
HELHET_LOGIN_FAILURE_WINDOW = int(os.environ.get("HELHET_LOGIN_FAILURE_WINDOW", "900"))  # seconds
HELHET_LOGIN_LOCKOUT = int(os.environ.get("HELHET_LOGIN_LOCKOUT", "900"))  # seconds
# Behind a reverse proxy: the request header (WSGI name) that carries the client address,
# e.g. HTTP_X_FORWARDED_FOR; the rightmost entry (the one our proxy added) is used.
HELHET_CLIENT_IP_HEADER = os.environ.get("HELHET_CLIENT_IP_HEADER", "")

# Content-Security-Policy sent on every response (helhet.accounts.middleware).
# No inline scripts or styles anywhere: htmx's indicator styles are off (base.html meta htmx-config).
HELHET_CSP = os.environ.get(
    "HELHET_CSP",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
)
# Permissions-Policy sent on every response (helhet.core.middleware.ResponseHeadersMiddleware): Helhet uses
# no camera, microphone, location, payment or USB; neither may anything it embeds.
HELHET_PERMISSIONS_POLICY = os.environ.get(
    "HELHET_PERMISSIONS_POLICY",
    # Only features every current browser knows: an unknown one is logged as an error in the console.
    "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
)
# The OpenAPI document and the API docs (/api/v1/openapi.json, /api/v1/docs) are open to anyone only in
# development (DEBUG, read when the settings load; the tests run with it); in production they need a login.
HELHET_API_DOCS_PUBLIC = env_bool("HELHET_API_DOCS_PUBLIC", DEBUG)
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"


def _oidc_provider(name: str, *, user_claim: str, user_field: str, scopes: str) -> dict | None:
    """One OpenID Connect provider from OIDC_<NAME>_* variables, or None when its issuer is not set."""
    prefix = f"OIDC_{name.upper()}_"
    issuer = os.environ.get(prefix + "ISSUER", "")
    if not issuer:
        return None
    return {
        "issuer": issuer.rstrip("/"),
        "client_id": os.environ.get(prefix + "CLIENT_ID", ""),
        # Secrets never sit in the environment or the repo: a file path (systemd credentials, k8s secret).
        "client_secret_file": os.environ.get(prefix + "CLIENT_SECRET_FILE", ""),
        # private_key_jwt (HelseID requires it): a PEM private key file and its key id.
        "private_key_file": os.environ.get(prefix + "PRIVATE_KEY_FILE", ""),
        "private_key_id": os.environ.get(prefix + "PRIVATE_KEY_ID", ""),
        "scopes": os.environ.get(prefix + "SCOPES", scopes),
        "user_claim": os.environ.get(prefix + "USER_CLAIM", user_claim),
        "user_field": user_field,
        "acr_values": os.environ.get(prefix + "ACR_VALUES", ""),
        # The provider's login is itself two-factor (BankID, Buypass, ...): no TOTP on top.
        "satisfies_2fa": env_bool(prefix + "SATISFIES_2FA", True),
        "create_citizen": user_field == "national_id",
    }


HELHET_OIDC_PROVIDERS = {
    key: value
    for key, value in {
        "helseid": _oidc_provider(
            "helseid", user_claim="helseid://claims/hpr/hpr_number", user_field="hpr_number",
            scopes="openid profile helseid://scopes/identity/hpr_number helseid://scopes/identity/pid",
        ),
        "idporten": _oidc_provider("idporten", user_claim="pid", user_field="national_id", scopes="openid profile"),
    }.items()
    if value
}
# The base URL the providers redirect back to (https://helhet.example.no); default: the request's own host.
HELHET_OIDC_REDIRECT_BASE = os.environ.get("HELHET_OIDC_REDIRECT_BASE", "")


# ---------------------------------------------------------------------------
# Scale-out: pgbouncer and a read replica (docs/scale-out.md). Owned by the scale-out work (helhet/core/dbrouter.py,
# tests/ops/test_pg_*.py). Reads only the environment; without these variables nothing below changes a setting.
# ---------------------------------------------------------------------------

# HELHET_DB_POOLER=pgbouncer: the app talks to pgbouncer in transaction mode, where consecutive transactions of one
# Django connection may run on different server connections. Then nothing may outlive a transaction on the server:
# no server-side cursors (QuerySet.iterator() would open a cursor WITH HOLD across transactions), no prepared
# statements (psycopg prepares a query after prepare_threshold uses; None never does). Session-level advisory locks,
# LISTEN and SET are not used by Helhet (the audit chain takes pg_advisory_xact_lock); the throwaway clusters and
# docs/scale-out.md set the server's TimeZone to UTC so Django sends no SET TIME ZONE. CONN_MAX_AGE stays as set:
# a persistent client connection to pgbouncer holds no server connection between transactions.
HELHET_DB_POOLER = os.environ.get("HELHET_DB_POOLER", "").strip().lower()
if HELHET_DB_POOLER not in {"", "pgbouncer"}:
    raise ImproperlyConfigured("HELHET_DB_POOLER must be empty or 'pgbouncer'")

# DATABASE_REPLICA_URL: a streaming standby for the reads that ask for it (helhet.core.dbrouter: list, statistics
# and export reads through on_replica()/use_replica()); a user who wrote within HELHET_REPLICA_PIN_SECONDS reads
# from the primary (read-your-writes, a cookie set by ReadYourWritesMiddleware).
HELHET_REPLICA_PIN_SECONDS = int(os.environ.get("HELHET_REPLICA_PIN_SECONDS", "10"))
if os.environ.get("DATABASE_REPLICA_URL"):
    _replica = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=DATABASES["default"].get("CONN_MAX_AGE", 0)
    )
    _replica["CONN_HEALTH_CHECKS"] = True
    if _replica["ENGINE"] == DATABASES["default"]["ENGINE"]:  # the same connection options as the primary
        _replica["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), **_replica.get("OPTIONS", {})}
    # Tests use the primary's test database for this alias too (no second test database to create).
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["helhet.core.dbrouter.ReplicaRouter"]
    MIDDLEWARE += ["helhet.core.dbrouter.ReadYourWritesMiddleware"]

if HELHET_DB_POOLER == "pgbouncer":
    for _alias in DATABASES.values():
        if _alias["ENGINE"] == "django.db.backends.postgresql":
            _alias["DISABLE_SERVER_SIDE_CURSORS"] = True
            _alias["OPTIONS"] = {**_alias.get("OPTIONS", {}), "prepare_threshold": None}
