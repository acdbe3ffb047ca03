"""`Idempotency-Key` on API POST, PUT and PATCH: a client's retry returns the first answer instead of writing twice.

The header is optional. With it, for an authenticated caller (the principal is the user; every API caller is one
today, since the API takes the session only), IdempotencyMiddleware:

1. checks the key (1-255 printable ASCII characters; otherwise 400 `invalid_idempotency_key`);
2. hashes the request (method, path with query, body);
3. inside ONE transaction: inserts IdempotencyRecord(principal, key, hash) — a second request with the same key
   waits on the unique index until the first commits —, runs the view, stores its status and body, commits.
   The write and its record commit together or not at all, so a lost connection or a crash can never leave a
   write without its record (which would let a retry write twice) or a record without its write;
4. a repeat with the same key and the same request gets the stored response with `Idempotent-Replayed: true`;
   the same key with another request (another body or path) is 422 `idempotency_key_reused`;
5. a 5xx is never stored: the transaction rolls back, and the client may retry with the same key.

Records are kept TTL (24 h); older ones no longer count and the worker prunes them (manage.py sendreminders).
Anonymous requests are not keyed (the API answers them 401 anyway).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import IdempotencyRecord

log = logging.getLogger("helhet.idempotency")

TTL = dt.timedelta(hours=24)
HEADER = "HTTP_IDEMPOTENCY_KEY"
METHODS = {"POST", "PUT", "PATCH"}
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


class _Replay(Exception):
    def __init__(self, response):
        super().__init__("replay")
        self.response = response


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "details": {"header": "Idempotency-Key"}}, status=status)


def _hash(request) -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.get_full_path().encode(), request.body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(bytes(record.response_body), status=record.status, content_type=record.content_type or "application/json")
    response["Idempotent-Replayed"] = "true"
    return response


def _existing(principal: str, key: str, request_hash: str, now) -> HttpResponse | None:
    """The answer for a key already used, or None when it is expired (then it is deleted and may be used again)."""
    record = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
    if record is None:
        return None
    if record.created_at < now - TTL:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return None
    if record.request_hash != request_hash:
        return _error(422, "idempotency_key_reused",
                      _("Denne Idempotency-Key er allerede brukt til en annen forespørsel. Bruk en ny nøkkel."))
    if record.status is None:  # cannot happen after commit; a defensive answer, never a duplicate write
        return _error(409, "idempotency_in_progress", _("Forespørselen med denne nøkkelen behandles fortsatt. Prøv igjen om litt."))
    return _replay(record)


def prune(now=None) -> int:
    now = now or timezone.now()
    return IdempotencyRecord.objects.filter(created_at__lt=now - TTL).delete()[0]


class IdempotencyMiddleware:
    """After authentication and the two-factor gate (settings.MIDDLEWARE); only under /api/."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.META.get(HEADER)
        if key is None or request.method not in METHODS or not request.path_info.startswith("/api/"):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        if not _KEY.match(key):
            return _error(400, "invalid_idempotency_key",
                          _("Idempotency-Key må være 1–255 synlige ASCII-tegn (f.eks. en UUID)."))
        principal = f"user:{user.pk}"
        request_hash = _hash(request)
        now = timezone.now()
        earlier = _existing(principal, key, request_hash, now)
        if earlier is not None:
            return earlier
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        record = IdempotencyRecord.objects.create(
                            principal=principal, key=key, request_hash=request_hash, method=request.method,
                            path=request.get_full_path()[:500], user=user, created_at=now)
                except IntegrityError:
                    # Another request with this key committed meanwhile (on PostgreSQL we waited for it here).
                    raise _Replay(_existing(principal, key, request_hash, now) or _error(
                        409, "idempotency_in_progress", _("Forespørselen med denne nøkkelen behandles fortsatt. Prøv igjen om litt."))) from None
                response = self.get_response(request)
                if response.status_code >= 500 or getattr(response, "streaming", False):
                    # Nothing is kept from a failed request: the client may retry with the same key.
                    transaction.set_rollback(True)
                    return response
                IdempotencyRecord.objects.filter(pk=record.pk).update(
                    status=response.status_code, response_body=response.content, content_type=response.get("Content-Type", ""))
                return response
        except _Replay as replay:
            return replay.response
