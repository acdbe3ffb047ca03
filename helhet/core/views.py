from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from helhet.access.queries import actor_context
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
    """Send each user to the page they work from: the KE overview, or the coordinator's list."""
    ctx = actor_context(request.user)
    if ctx.ke_org_ids:
        return redirect("ke_overview")
    if request.user.is_staff and not ctx.memberships:
        return redirect("admin:index")
    return redirect("my_persons")


class LoginView(auth_views.LoginView):
    template_name = "login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        record(actor=self.request.user, action="login", object_type="session", summary=_("Logget inn"))
        return response

    def form_invalid(self, form):
        record(actor=None, action="login_failed", object_type="session", summary=_("Mislykket innlogging"),
               detail={"username": (form.data.get("username") or "")[:150]})
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            record(actor=request.user, action="logout", object_type="session", summary=_("Logget ut"))
        return super().post(request, *args, **kwargs)
