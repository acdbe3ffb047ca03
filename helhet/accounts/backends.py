"""The signed-in user and the session's two-factor device in one query (issue 14, docs/performance.md).

Django's AuthenticationMiddleware loads the user from the session (ModelBackend.get_user), then django-otp's
OTPMiddleware loads the device the session was verified with (Device.from_persistent_id): two queries and two model
instances on every request of a verified user. Here the user query carries the answer django-otp needs, "does the
session's device still exist, confirmed, and belong to this user?", as an EXISTS column; helhet.accounts.middleware.
VerifiedDeviceMiddleware tells this backend which device the session names (a context variable set only while the
user is being loaded) and reads the answer back. Nothing is cached between requests: a deleted or unconfirmed device,
an inactive user, a logout or a password change take effect on the very next request, as before.

The query's SQL (not its answer) is compiled once per process and database alias, with placeholder ids, like the
plan document's (helhet.plans.documents): building a queryset and compiling it was most of the Python time of the
two look-ups. Everything else (authenticate, permissions, the inactive-user rule) is Django's ModelBackend.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections, router
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_totp.models import TOTPDevice

# The TOTP device id the session names, set by VerifiedDeviceMiddleware around the loading of request.user only.
session_device_id: ContextVar[int | None] = ContextVar("helhet_session_device_id", default=None)

# Set on the user this backend loaded with a device id: True when that device verifies this user, else False.
DEVICE_OK = "_helhet_session_device_ok"

# Placeholder ids in the SQL compiled once per process (inside the range of an integer key: an id out of the range
# compiles to no query at all), replaced by the session's ids in the parameters.
_USER_ID = 2_034_917_001
_DEVICE_ID = 2_034_917_002
_compiled: dict[tuple[str, bool], tuple[str, tuple] | None] = {}


def _queryset(alias: str, user_id, device_id):
    manager = get_user_model()._default_manager.db_manager(alias)
    if device_id is None:
        return manager.filter(pk=user_id)
    device = TOTPDevice.objects.filter(pk=device_id, user=OuterRef("pk"), confirmed=True)
    return manager.annotate(**{DEVICE_OK: Exists(device)}).filter(pk=user_id)


def _sql(alias: str, with_device: bool) -> tuple[str, tuple] | None:
    """The user query's SQL and parameters with the placeholder ids; None if the placeholders are not plain parameters."""
    key = (alias, with_device)
    if key not in _compiled:
        qs = _queryset(alias, _USER_ID, _DEVICE_ID if with_device else None)
        sql, params = qs.query.get_compiler(using=alias).as_sql()
        found = sorted(p for p in params if isinstance(p, int) and p in (_USER_ID, _DEVICE_ID))
        wanted = [_USER_ID, _DEVICE_ID] if with_device else [_USER_ID]
        _compiled[key] = (sql, tuple(params)) if found == wanted else None
    return _compiled[key]


def _in_range(alias: str, field, value: int) -> bool:
    low, high = connections[alias].ops.integer_field_range(field.get_internal_type())
    return (low is None or value >= low) and (high is None or value <= high)


class SessionBackend(ModelBackend):
    """ModelBackend whose get_user is one precompiled query that also answers whether the session's TOTP device holds."""

    def get_user(self, user_id):
        user_model = get_user_model()
        alias = router.db_for_read(user_model)
        device_id = session_device_id.get()
        if not isinstance(user_id, int) or not _in_range(alias, user_model._meta.pk, user_id):
            return super().get_user(user_id)
        device_known = device_id is not None and _in_range(alias, TOTPDevice._meta.pk, device_id)
        compiled = _sql(alias, device_known)
        if compiled is None:
            rows = list(_queryset(alias, user_id, device_id if device_known else None))
        else:
            sql, params = compiled
            ids = {_USER_ID: user_id, _DEVICE_ID: device_id}
            values = [ids.get(p, p) if isinstance(p, int) else p for p in params]
            rows = list(user_model._default_manager.raw(sql, values, using=alias))
        if not rows:
            return None
        user = rows[0]
        if device_id is not None:
            setattr(user, DEVICE_OK, bool(getattr(user, DEVICE_OK, False)))
        return user if self.user_can_authenticate(user) else None
