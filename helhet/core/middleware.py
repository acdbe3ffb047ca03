import json
import re

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import IntegrityError
from django.http import JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.datastructures import MultiValueDict
from django.utils.functional import empty
from django.utils.translation import gettext as _

from .errors import DomainError, constraint_conflict, constraint_name


class DomainErrorMiddleware:
    """Renders a DomainError that escaped a view as a clear Norwegian page with its status.

    Views that can show the error next to the form catch it themselves; this is
    the safety net that keeps a domain failure from ever becoming a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, IntegrityError):
            # A race the service did not turn into its own Conflict: 409, never the database's text.
            exception = constraint_conflict(constraint_name(exception))
        if isinstance(exception, DomainError):
            template = "404.html" if exception.status == 404 else "error.html"
            return render(request, template, {"error": exception}, status=exception.status)
        return None


# ---------------------------------------------------------------------------------------------------------------
# The edge: input that cannot break it, and the headers every response carries (docs/security.md, "Hardening").
# ---------------------------------------------------------------------------------------------------------------


# C0 control characters and DEL. Tab, CR and LF are ordinary text in a body (a textarea), never in a path, a
# cookie, a field name or a file name. PostgreSQL refuses NUL in text (a 500), SQLite stores it; the rest are never
# typed by a person and break e-mail headers, CSV exports and terminals. Lone surrogates ("\ud800" in JSON) cannot
# be encoded as UTF-8 at all: the database driver would raise.
_BAD_STRICT = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_BAD_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Query values may hold a tab (a name pasted from a spreadsheet cell into the search box); nothing else.
_BAD_QUERY = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\ud800-\udfff]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _first_bad(value: str, pattern: re.Pattern) -> str | None:
    match = pattern.search(value)
    return None if match is None else f"U+{ord(match.group()):04X}"


def _printable(name: str) -> str:
    """A field name fit to show back (it may itself hold the character that was refused)."""
    return _BAD_STRICT.sub(lambda m: f"\\u{ord(m.group()):04x}", str(name))


class _Refusal(Exception):
    def __init__(self, status: int, code: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or {}

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "details": self.details}


class InputGuardMiddleware:
    """Refuses input no person can have typed, before any view, form, session or query sees it.

    Checked: the path and the query string (no C0 control character at all), form fields and file names
    (urlencoded and multipart; tab, CR and LF allowed in values), and JSON bodies (every key and string value,
    at any depth). A refusal is a 400 that names the fields: JSON {"code": "invalid_characters", ...} under
    /api/, the Norwegian error page elsewhere. A body that cannot be parsed (multipart without a boundary,
    malformed JSON on the API) is a 400; one over DATA_UPLOAD_MAX_MEMORY_SIZE a 413. Cookies that hold control
    characters are dropped (the session cookie is looked up in the database), not refused, so a bad cookie
    never locks a browser out.

    It runs before SessionMiddleware (settings.MIDDLEWARE). It reads the body through request.POST / request.FILES
    / request.body, which Django caches, so views, ninja and the CSRF check read the same parsed data again and
    uploaded files stream to the upload handlers as usual. Only the body of a multipart PUT/PATCH is not read
    here: Django does not parse it and no view or router reads it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self._drop_bad_cookies(request)
        try:
            self._check(request)
        except _Refusal as refusal:
            return self._respond(request, refusal)
        return self.get_response(request)

    # -- the checks ------------------------------------------------------------------------------------------

    @staticmethod
    def _drop_bad_cookies(request) -> None:
        bad = [
            name
            for name, value in request.COOKIES.items()
            if _BAD_STRICT.search(name) or _BAD_STRICT.search(value)
        ]
        if bad:
            request.COOKIES = {k: v for k, v in request.COOKIES.items() if k not in bad}

    def _check(self, request) -> None:
        fields: dict[str, list[str]] = {}

        def flag(name, char, *, what=None):
            fields.setdefault(_printable(name), []).append(
                what or _("Inneholder et tegn som ikke er tillatt (%(char)s).") % {"char": char}
            )

        char = _first_bad(request.path_info, _BAD_STRICT)
        if char:
            flag("path", char)
        try:
            query = request.GET
        except TooManyFieldsSent as exc:
            raise self._too_many() from exc
        for key, values in query.lists():
            char = _first_bad(key, _BAD_STRICT)
            for value in values:
                char = char or _first_bad(value, _BAD_QUERY)
            if char:
                flag(key, char)

        content_type = request.content_type or ""
        if content_type in _FORM_TYPES:
            self._check_form(request, content_type, flag)
        elif self._is_json(request, content_type):
            self._check_json(request, flag)

        if fields:
            raise _Refusal(
                400,
                "invalid_characters",
                _(
                    "Forespørselen inneholder kontrolltegn (for eksempel NUL) som ikke er tillatt. Fjern dem og prøv igjen."
                ),
                {"fields": fields},
            )

    @staticmethod
    def _is_json(request, content_type: str) -> bool:
        if content_type == "application/json" or content_type.endswith("+json"):
            return True
        # ninja parses any body of a JSON operation as JSON, whatever its Content-Type says.
        return (
            _is_api(request)
            and request.method not in ("GET", "HEAD", "OPTIONS")
            and bool(request.META.get("CONTENT_LENGTH") not in (None, "", "0"))
        )

    def _check_form(self, request, content_type: str, flag) -> None:
        try:
            if request.method == "POST":
                data, files = request.POST, request.FILES
            elif content_type == "application/x-www-form-urlencoded":
                data, files = QueryDict(request.body, encoding="utf-8"), MultiValueDict()
            else:
                return
        except RequestDataTooBig as exc:
            raise self._too_big() from exc
        except (TooManyFieldsSent, TooManyFilesSent) as exc:
            raise self._too_many() from exc
        except (MultiPartParserError, BadRequest) as exc:
            raise _Refusal(
                400,
                "malformed_body",
                _("Skjemadataene i forespørselen kunne ikke leses. Send skjemaet på nytt."),
            ) from exc
        for key, values in data.lists():
            char = _first_bad(key, _BAD_STRICT)
            if char:
                flag(key, char)
                continue
            for value in values:
                char = _first_bad(value, _BAD_TEXT)
                if char:
                    flag(key, char)
                    break
        for key, uploads in files.lists():
            for upload in uploads:
                char = _first_bad(upload.name or "", _BAD_STRICT)
                if char:
                    flag(
                        key,
                        char,
                        what=_("Filnavnet inneholder et tegn som ikke er tillatt (%(char)s).")
                        % {"char": char},
                    )

    def _check_json(self, request, flag) -> None:
        try:
            body = request.body
        except RequestDataTooBig as exc:
            raise self._too_big() from exc
        if not body:
            return
        try:
            document = json.loads(body)
        except (
            ValueError,
            RecursionError,
        ) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            if not _is_api(request):
                return  # no page reads a JSON body; the API must not get one it cannot parse
            raise _Refusal(
                400, "invalid_json", _("Innholdet i forespørselen er ikke gyldig JSON.")
            ) from exc
        # Iterative, so a deeply nested document cannot exhaust the stack.
        stack = [("", document)]
        while stack:
            path, node = stack.pop()
            if isinstance(node, dict):
                for key, value in node.items():
                    child = f"{path}.{key}" if path else str(key)
                    char = _first_bad(key, _BAD_STRICT)
                    if char:
                        flag(child, char)
                    stack.append((child, value))
            elif isinstance(node, list):
                stack.extend(
                    (f"{path}.{i}" if path else str(i), value) for i, value in enumerate(node)
                )
            elif isinstance(node, str):
                char = _first_bad(node, _BAD_TEXT)
                if char:
                    flag(path or "body", char)

    @staticmethod
    def _too_big() -> _Refusal:
        return _Refusal(
            413,
            "request_too_large",
            _("Forespørselen er for stor. Del opp innholdet, eller last opp mindre filer."),
        )

    @staticmethod
    def _too_many() -> _Refusal:
        return _Refusal(400, "too_many_fields", _("Forespørselen har for mange felt."))

    # -- the answer ------------------------------------------------------------------------------------------

    @staticmethod
    def _respond(request, refusal: _Refusal):
        # LocaleMiddleware and the CSP/X-Frame-Options middlewares come later in the chain and never see this
        # response: activate the reader's language here and send the same headers they would.
        with translation.override(translation.get_language_from_request(request)):
            if _is_api(request):
                response = JsonResponse(refusal.as_dict(), status=refusal.status)
            else:
                template = "413.html" if refusal.status == 413 else "error.html"
                response = render(request, template, {"error": refusal}, status=refusal.status)
        policy = getattr(settings, "HELHET_CSP", "")
        if policy:  # our own templates: no inline script or style, also with DEBUG on
            response.setdefault("Content-Security-Policy", policy)
        response.setdefault("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY"))
        return response


class ResponseHeadersMiddleware:
    """Permissions-Policy on every response; Cache-Control: no-store on every API response and every response
    to a signed-in browser (a shared PC on a ward must not keep personal data in its cache), static files aside.

    Placed right after SecurityMiddleware, so it also covers the answers of InputGuardMiddleware. Whether the
    browser is signed in is read without a query: the session cookie it sent or was given, or a user already
    loaded by a view. (Evaluating request.user here would load the session even for /healthz with the
    database down.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "HELHET_PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        if not request.path_info.startswith(settings.STATIC_URL) and (
            _is_api(request) or self._signed_in(request, response)
        ):
            add_never_cache_headers(response)
            response["Pragma"] = "no-cache"
        return response

    @staticmethod
    def _signed_in(request, response) -> bool:
        name = settings.SESSION_COOKIE_NAME
        if name in request.COOKIES or name in response.cookies:
            return True
        user = request.__dict__.get("user")
        if user is None:
            return False
        if getattr(user, "_wrapped", None) is empty:  # a lazy user nobody has loaded
            return False
        return bool(getattr(user, "is_authenticated", False))


class SessionRefreshMiddleware:
    """Saves the session only when it must be: when it changed, or to move its expiry on at most every
    settings.HELHET_SESSION_REFRESH_SECONDS (SESSION_SAVE_EVERY_REQUEST is off). A read then commits once
    (its audit event) instead of twice (issue 14).

    Placed right after SessionMiddleware, so its response phase runs before the session is saved. A session
    that no one read during the request (/healthz, static files) is not loaded for this. The idle timeout stays
    at most SESSION_COOKIE_AGE after the last activity and at least that minus the refresh interval.
    """

    STAMP = "_helhet_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or session.is_empty():
            return response
        import time

        now = int(time.time())
        interval = int(getattr(settings, "HELHET_SESSION_REFRESH_SECONDS", 300))
        stamp = session.get(self.STAMP)
        if session.modified or not isinstance(stamp, int) or now - stamp >= interval:
            # Marks the session modified: SessionMiddleware saves it with a new expiry.
            session[self.STAMP] = now
        return response
