"""The JSON API (django-ninja) under /api/v1/. Routers are thin: parse, call one service or selector, return.

Authentication: the browser session (with CSRF), or a system's OAuth 2.0 bearer token (BearerTokenAuth below,
helhet/accounts/tokens.py; docs/fhir.md "Tokens for systems").
Errors: every DomainError becomes {"code", "message", "details"} with its status (400/404/409).
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from helhet.accounts.tokens import TokenError
from helhet.core.errors import (
    DomainError,
    constraint_conflict,
    constraint_name,
    from_validation_error,
)


def _docs_login_required(view):
    """The OpenAPI document and the docs page need a login unless settings.HELHET_API_DOCS_PUBLIC (development).

    The document is the map of every endpoint: no reason to hand it to anyone on the internet. Anonymous
    callers get the API's 401 for the JSON document, the login page for the docs page.
    """

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if getattr(settings, "HELHET_API_DOCS_PUBLIC", False) or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            return JsonResponse(
                {"code": "unauthenticated", "message": _("Du må logge inn."), "details": {}}, status=401
            )
        return redirect_to_login(request.get_full_path())

    return guarded


class BearerTokenAuth(HttpBearer):
    """A system's OAuth 2.0 bearer token (client credentials, JWT): helhet/accounts/tokens.py validates it and
    returns the client's service user, bound to the token's scopes. No CSRF: a browser never sends it on its own.
    Tried before the session, so a request that carries a token is the system's, and a bad token is a 401."""

    def authenticate(self, request, token):
        from helhet.accounts.tokens import authenticate

        return authenticate(request, token, surface="api")


api = NinjaAPI(
    title="Helhet API",
    version="1",
    description="Individuell plan og koordinering. Alle kall krever innlogging; det du ikke har tilgang til, finnes ikke (404).",
    auth=[BearerTokenAuth(), SessionAuth(csrf=True)],
    urls_namespace="api",
    docs_decorator=_docs_login_required,
)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    err = from_validation_error(exc)
    return api.create_response(request, err.as_dict(), status=400)


@api.exception_handler(DataError)
@api.exception_handler(OverflowError)
def _out_of_range(request, exc):
    # A number the database cannot hold (an id past 2^63 on SQLite, past the column's range on PostgreSQL), found by
    # schemathesis (tests/api/test_schemathesis.py): bad input, a 400, never a 500.
    return api.create_response(
        request,
        {"code": "invalid", "message": _("Et tall i forespørselen er utenfor gyldig område."), "details": {}},
        status=400,
    )


@api.exception_handler(IntegrityError)
def _integrity_error(request, exc: IntegrityError):
    # A constraint the service did not foresee (a race): a 409 with a domain code, never the database's text.
    err = constraint_conflict(constraint_name(exc))
    return api.create_response(request, err.as_dict(), status=err.status)


@api.exception_handler(NinjaValidationError)
def _schema_error(request, exc: NinjaValidationError):
    return api.create_response(
        request, {"code": "invalid", "message": "Ugyldige data i forespørselen.", "details": {"errors": exc.errors}}, status=400
    )


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    # Same shape as every other error. A body that is not JSON is refused earlier, by
    # helhet.core.middleware.InputGuardMiddleware (code "invalid_json"); this is the second net.
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        body = {"code": "invalid_json", "message": _("Innholdet i forespørselen er ikke gyldig JSON."), "details": {}}
    else:
        body = {"code": "bad_request", "message": str(exc), "details": {}}
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(TokenError)
def _token_error(request, exc: TokenError):
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    if exc.status in (401, 403):
        response["WWW-Authenticate"] = exc.www_authenticate
    return response


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return api.create_response(request, {"code": "unauthenticated", "message": "Du må logge inn.", "details": {}}, status=401)


def _in_own_savepoint(view):
    """A write handler runs in its own savepoint (its own transaction outside one), so a failure that the handlers
    above turn into a 4xx is rolled back right there: Django marks the enclosing transaction broken when a write
    query fails inside it (a number past the column's range, found by schemathesis), and the Idempotency-Key
    middleware's transaction (helhet/core/idempotency.py), which stores the answer after the view, would then 500."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        with transaction.atomic():
            return view(request, *args, **kwargs)

    guarded._own_savepoint = True
    return guarded


def _document_errors(router) -> None:
    """Every operation documents every status it can answer, with the one error body (helhet/api/schemas.py).

    Done here, once, instead of on each decorator: the input guard, the login, the two-factor gate and the
    idempotency keys answer before any handler runs, so every operation can return them."""
    from .schemas import COMMON_ERRORS, WRITE_ERRORS, ErrorOut

    for path_view in router.path_operations.values():
        for operation in path_view.operations:
            writes = bool(set(operation.methods) - {"GET", "HEAD", "OPTIONS"})
            statuses = COMMON_ERRORS + (WRITE_ERRORS if writes else ())
            if writes and not getattr(operation.view_func, "_own_savepoint", False):
                operation.view_func = _in_own_savepoint(operation.view_func)
            models = operation.response_models  # a raw HttpResponse (a file, .ics) keeps {200: NOT_SET}
            for status in statuses:
                if status not in models:
                    models[status] = operation._create_response_model(ErrorOut)
    for child in getattr(router, "_routers", []):
        _document_errors(child[1])


def _register_routers():
    # Each app's router lives in its own module here (PREFIX + router) so parallel work never touches one file.
    import importlib

    for name in ("people", "cases", "plans", "consent", "coordination", "meetings", "notifications", "access", "documents",
                 "roles", "directory"):
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            continue
        _document_errors(module.router)
        api.add_router(module.PREFIX, module.router)


_register_routers()
