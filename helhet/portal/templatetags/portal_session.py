"""{% session_remaining %}: how many seconds the current session has left, for the session-warning script
(portal/static/portal/session.js, included by portal/_session.html on every page). It reads only the session's own
expiry stamp, the same one helhet.core.middleware.SessionRefreshMiddleware moves on; it decides nothing about access."""

from __future__ import annotations

import time

from django import template
from django.conf import settings

register = template.Library()

STAMP = "_helhet_refreshed_at"  # helhet.core.middleware.SessionRefreshMiddleware.STAMP


@register.simple_tag(takes_context=True)
def session_remaining(context) -> int:
    request = context.get("request")
    session = getattr(request, "session", None)
    age = int(settings.SESSION_COOKIE_AGE)
    if session is None:
        return age
    interval = int(getattr(settings, "HELHET_SESSION_REFRESH_SECONDS", 300))
    stamp = session.get(STAMP)
    now = int(time.time())
    # The middleware saves the session with a fresh expiry after this response when the stamp is old or missing.
    if session.modified or not isinstance(stamp, int) or now - stamp >= interval:
        return age
    return max(0, stamp + age - now)
