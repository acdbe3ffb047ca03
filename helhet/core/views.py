from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from helhet.access.policy import Action
from helhet.access.queries import acting_units, may_role
from helhet.audit.services import record


@require_GET
@never_cache
def healthz(request):
    """Liveness with a database round-trip; 503 when the database does not answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


@login_required
def home(request):
    """Send each user to the page they work from: the KE overview, the coordinator's list, or "Min plan"."""
    if may_role(request.user, Action.KE_WORKLIST):
        return redirect("ke_overview")
    if request.user.is_staff and not acting_units(request.user):
        return redirect("admin:index")
    if not acting_units(request.user):
        # A citizen login (the person, a parent or guardian): their own pages, never the staff lists (helhet/portal).
        return redirect("portal_home")
    # Coordinators on "Mine personer", other staff who stand to a person on "Personer jeg er involvert i" (helhet/workspace).
    from helhet.workspace.selectors import landing

    return redirect(landing(actor=request.user))


class LoginView(auth_views.LoginView):
    """Password login, throttled per username and per IP (helhet.accounts.throttle).

    Two-factor is the next step, enforced by helhet.accounts.middleware for the users
    who need it; OpenID Connect providers (HelseID, ID-porten) are offered as buttons.
    """

    template_name = "login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        from django.conf import settings

        ctx = super().get_context_data(**kwargs)
        names = {"helseid": _("Logg inn med HelseID (ansatte)"), "idporten": _("Logg inn med ID-porten (innbyggere)")}
        ctx["oidc_providers"] = [(key, names.get(key, key)) for key in getattr(settings, "HELHET_OIDC_PROVIDERS", {})]
        return ctx

    def post(self, request, *args, **kwargs):
        from django.utils import formats, timezone

        from helhet.accounts import throttle

        username = (request.POST.get("username") or "")[:150]
        until = throttle.locked_until(username, throttle.client_ip(request))
        if until is not None:
            record(actor=None, action="locked", object_type="session", summary=gettext_noop("Innlogging sperret etter for mange forsøk"),
                   detail={"username": username, "until": until.isoformat()})
            form = self.get_form()
            context = self.get_context_data(form=form)
            context["locked_until"] = formats.time_format(timezone.localtime(until), "H:i")
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        from helhet.accounts import throttle
        from helhet.accounts.twofactor import SESSION_PROVIDER_MFA

        self.request.session.pop(SESSION_PROVIDER_MFA, None)
        response = super().form_valid(form)
        throttle.clear(form.data.get("username") or "")
        throttle.clear(form.get_user().username)
        record(actor=self.request.user, action="login", object_type="session", summary=gettext_noop("Logget inn"),
               detail={"provider": "password"})
        return response

    def form_invalid(self, form):
        from helhet.accounts import throttle

        username = (form.data.get("username") or "")[:150]
        throttle.record_failure(username, throttle.client_ip(self.request))
        record(actor=None, action="login_failed", object_type="session", summary=gettext_noop("Mislykket innlogging"),
               detail={"username": username})
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            record(actor=request.user, action="logout", object_type="session", summary=gettext_noop("Logget ut"))
        return super().post(request, *args, **kwargs)


# Seconds a client should wait before retrying after the database did not answer (a restart or a failover).
DATABASE_RETRY_AFTER = 5


def server_error(request):
    """handler500. Uncaught exceptions end here (with DEBUG off); the one we can name is a database that did not
    answer (OperationalError/InterfaceError: a restart, a failover, a broken connection): a 503 with Retry-After,
    JSON for the API and FHIR, because the request did not complete and retrying it (with its Idempotency-Key) is
    safe. Everything else is the plain 500 page. Called inside the exception handler, so sys.exc_info() is the
    exception."""
    import sys

    from django.db import InterfaceError, OperationalError

    unavailable = isinstance(sys.exc_info()[1], OperationalError | InterfaceError)
    status = 503 if unavailable else 500
    api = request.path_info.startswith(("/api/", "/fhir/"))
    if unavailable:
        message = _("Databasen svarer ikke akkurat nå. Ingenting er lagret. Prøv igjen om noen sekunder.")
    else:
        message = _("Det oppstod en feil hos oss. Prøv igjen om litt.")
    if api:
        code = "database_unavailable" if unavailable else "server_error"
        response = JsonResponse({"code": code, "message": str(message), "details": {}}, status=status)
    else:
        # No request context: its processors would read the database that just failed.
        from django.http import HttpResponse
        from django.template import loader

        response = HttpResponse(loader.get_template("500.html").render({"message": message}), status=status)
    if unavailable:
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    return response
