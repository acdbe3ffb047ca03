"""Login throttling: N failures inside a window lock the username (or the IP) for a while.

The lock is computed from the stored failures, never stored itself: a
failure that brings the count inside the window to the limit starts a lock
that lasts settings.HELHET_LOGIN_LOCKOUT seconds. Attempts made while locked
are refused without checking the password and are NOT counted, so a guesser
cannot keep the real user locked out for longer than one lockout period after
they stop. Used by helhet.core.views.LoginView.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import LoginFailure


def lock_end(
    times: Sequence[dt.datetime], *, limit: int, window: dt.timedelta, lockout: dt.timedelta
) -> dt.datetime | None:
    """Pure: given failure times (any order), when does the latest lock end? None if no lock ever started."""
    ordered = sorted(times)
    end = None
    for i, t in enumerate(ordered):
        if i + 1 >= limit and t - ordered[i + 1 - limit] < window:
            end = t + lockout
    return end


def client_ip(request) -> str:
    header = getattr(settings, "HELHET_CLIENT_IP_HEADER", "")
    if header and request.META.get(header):
        # The rightmost entry is the one our own proxy appended; the rest are the client's word.
        return request.META[header].split(",")[-1].strip()[:45]
    return (request.META.get("REMOTE_ADDR") or "")[:45]


def _params():
    return (
        dt.timedelta(seconds=settings.HELHET_LOGIN_FAILURE_WINDOW),
        dt.timedelta(seconds=settings.HELHET_LOGIN_LOCKOUT),
    )


def locked_until(username: str, ip: str, *, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the lock on this username or IP ends, or None when the attempt may go ahead."""
    now = now or timezone.now()
    window, lockout = _params()
    since = now - window - lockout
    username = username.strip().lower()
    rows = list(
        LoginFailure.objects.filter(
            Q(username=username) | Q(ip=ip) if ip else Q(username=username), at__gt=since
        ).values_list("username", "ip", "at")
    )
    ends = [
        lock_end(
            [at for u, _, at in rows if u == username],
            limit=settings.HELHET_LOGIN_MAX_FAILURES,
            window=window,
            lockout=lockout,
        ),
        lock_end(
            [at for _, i, at in rows if ip and i == ip],
            limit=settings.HELHET_LOGIN_MAX_FAILURES_PER_IP,
            window=window,
            lockout=lockout,
        ),
    ]
    active = [end for end in ends if end is not None and end > now]
    return max(active) if active else None


def record_failure(username: str, ip: str, *, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    window, lockout = _params()
    LoginFailure.objects.create(username=username.strip().lower()[:150], ip=ip, at=now)
    LoginFailure.objects.filter(at__lt=now - window - lockout).delete()


def clear(username: str) -> None:
    """A successful login forgets that username's failures (the IP's stay)."""
    LoginFailure.objects.filter(username=username.strip().lower()).delete()
