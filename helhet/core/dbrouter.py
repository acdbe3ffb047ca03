"""Read replica routing (docs/scale-out.md): list, statistics and export reads may go to a streaming standby.

Active only when DATABASE_REPLICA_URL is set (helhet/settings.py, the "Scale-out" block adds the `replica` alias,
ReplicaRouter and ReadYourWritesMiddleware). Without it every function here is a no-op and every read and write
goes to `default`.

Nothing goes to the replica by default. A read goes there only when the code asks for it explicitly:

* `on_replica(queryset)` for a lazy queryset a selector returns (people.selectors.person_list);
* `with use_replica():` (or `@use_replica()`) around code that evaluates its querysets inside the block
  (cases.selectors.ke_overview, after its access checks).

And even then it stays on the primary when

1. the request is pinned: the user made a successful unsafe request (POST/PUT/PATCH/DELETE) within the last
   HELHET_REPLICA_PIN_SECONDS (ReadYourWritesMiddleware sets a cookie with the time the pin ends, so the pin
   follows the user across app servers without a database write), or the current request is itself unsafe:
   read-your-writes;
2. the read runs inside a transaction on the primary (it must see that transaction's own writes);
3. the model is one whose reads decide access or must be current: the access and audit apps, sessions, users
   and two-factor devices, the idempotency records (PRIMARY_ONLY_APPS).

A replica that cannot be reached is skipped for a few seconds (the lists read from the primary instead; see
_replica_up). Writes always go to the primary (ReplicaRouter.db_for_write), including a save() of an instance that was read from
the replica. Access decisions (helhet.access check/load) and audit events run outside the replica blocks, on the
primary; the visibility predicate of a list (visible_persons_q, objects_q) is part of the list's own SQL and is
evaluated on the replica's copy, which lags the primary by the replication delay (milliseconds on a healthy
standby; see docs/scale-out.md for what that means for a just-withdrawn consent).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

log = logging.getLogger("helhet.dbrouter")

REPLICA = "replica"
COOKIE = "helhet_primary_until"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Reads of these apps never go to the replica (see the module docstring, point 3).
PRIMARY_ONLY_APPS = {"access", "audit", "sessions", "auth", "organizations", "otp_totp", "django_otp", "core", "contenttypes"}

_replica_wanted: contextvars.ContextVar[bool] = contextvars.ContextVar("helhet_replica_wanted", default=False)
_pinned: contextvars.ContextVar[bool] = contextvars.ContextVar("helhet_primary_pinned", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def _primary_busy() -> bool:
    return connections[DEFAULT_DB_ALIAS].in_atomic_block


# After the replica failed to connect, lists read from the primary for this many seconds before it is tried again.
RETRY_REPLICA_AFTER = 10.0
_replica_down_until = 0.0


def _replica_up() -> bool:
    """Connect to the replica (or keep its connection, checked like the primary's: CONN_HEALTH_CHECKS). A replica
    that cannot be reached sends the lists to the primary for RETRY_REPLICA_AFTER seconds instead of failing them."""
    global _replica_down_until
    if time.monotonic() < _replica_down_until:
        return False
    connection = connections[REPLICA]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError:
        log.warning("read replica unreachable: lists read from the primary for %s s", RETRY_REPLICA_AFTER)
        _replica_down_until = time.monotonic() + RETRY_REPLICA_AFTER
        return False
    return True


def replica_allowed() -> bool:
    """True when a read asked for the replica may go there now (configured, not pinned, not in a transaction,
    reachable)."""
    return replica_configured() and not _pinned.get() and not _primary_busy() and _replica_up()


class use_replica(contextlib.ContextDecorator):
    """Reads evaluated inside the block may go to the replica (ReplicaRouter decides per model)."""

    def _recreate_cm(self):  # as a decorator: a fresh instance per call, so concurrent calls keep their own token
        return type(self)()

    def __enter__(self):
        self._token = _replica_wanted.set(True)
        return self

    def __exit__(self, *exc):
        _replica_wanted.reset(self._token)
        return False


def on_replica(queryset):
    """The same queryset bound to the replica when a replica read is allowed now; otherwise unchanged."""
    if replica_allowed() and queryset.model._meta.app_label not in PRIMARY_ONLY_APPS:
        return queryset.using(REPLICA)
    return queryset


@contextlib.contextmanager
def pinned_to_primary():
    """Every read inside the block goes to the primary (the middleware uses it; so may a command)."""
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


class ReplicaRouter:
    """Django database router (settings.DATABASE_ROUTERS when DATABASE_REPLICA_URL is set)."""

    def db_for_read(self, model, **hints):
        if _replica_wanted.get() and model._meta.app_label not in PRIMARY_ONLY_APPS and replica_allowed():
            return REPLICA
        return None  # Django then follows the instance's own database, else default

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def _pin_seconds() -> int:
    return int(getattr(settings, "HELHET_REPLICA_PIN_SECONDS", 10))


class ReadYourWritesMiddleware:
    """Pins a user's reads to the primary for HELHET_REPLICA_PIN_SECONDS after a successful unsafe request.

    The pin is a cookie holding the Unix time it ends. It is not secret and needs no signature: forging it can only
    send one's own reads to the primary, never around the access policy."""

    def __init__(self, get_response):
        self.get_response = get_response
        functools.update_wrapper(self, get_response, updated=())

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        now = time.time()
        try:
            pinned_until = float(request.COOKIES.get(COOKIE, "0"))
        except ValueError:
            pinned_until = 0.0
        pinned = request.method in UNSAFE or pinned_until > now
        with pinned_to_primary() if pinned else contextlib.nullcontext():
            response = self.get_response(request)
        if request.method in UNSAFE and response.status_code < 400:
            seconds = _pin_seconds()
            response.set_cookie(COOKIE, str(int(now + seconds) + 1), max_age=seconds + 1, httponly=True,
                                samesite="Lax", secure=not settings.DEBUG)
        return response
