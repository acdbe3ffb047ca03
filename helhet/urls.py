from django.contrib import admin
from django.urls import include, path

from helhet.accounts import views as accounts_views
from helhet.api import api
from helhet.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("login/", core_views.LoginView.as_view(), name="login"),
    path("logout/", core_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Admin's own login would skip throttling and two-factor (helhet/accounts/views.py).
    path("admin/login/", accounts_views.admin_login),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("fhir/R4/", include("helhet.interop.urls")),
    path("", include("helhet.people.urls")),
    path("", include("helhet.cases.urls")),
    path("", include("helhet.documents.urls")),
    path("", include("helhet.plans.urls")),
    path("", include("helhet.audit.urls")),
    path("", include("helhet.rules.urls")),
    path("", include("helhet.consent.urls")),
    path("", include("helhet.access.urls")),
    path("", include("helhet.coordination.urls")),
    path("", include("helhet.directory.urls")),
    path("", include("helhet.meetings.urls")),
    path("", include("helhet.portal.urls")),
    path("", include("helhet.accounts.urls")),
    path("", include("helhet.notifications.urls")),
    path("", include("helhet.statistics.urls")),
    path("", include("helhet.workspace.urls")),
]

# A database that does not answer is a 503 with Retry-After, not a 500 (helhet.core.views.server_error).
handler500 = "helhet.core.views.server_error"
