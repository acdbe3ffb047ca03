"""Two middlewares of the security hardening: the two-factor gate and the Content-Security-Policy."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from .twofactor import confirmed_totp, is_verified, requires_two_factor

# Paths a user who still owes the second factor may reach: the 2FA pages, logout, assets, health, language.
_OPEN_PREFIXES = ("/static/", "/healthz", "/i18n/", "/logout/", "/login/", "/konto/2fa/", "/oidc/")


class TwoFactorRequiredMiddleware:
    """After a password login, users who must use two-factor see nothing but the verify/set-up pages.

    Browser requests are redirected to /konto/2fa/ (or /konto/2fa/oppsett/ when no
    device exists yet); the API answers 403 {"code": "two_factor_required"}.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and not is_verified(request)
            and requires_two_factor(user, request.session)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "code": "two_factor_required",
                        "message": "Du må bekrefte innloggingen med engangskode (tofaktor) først.",
                        "details": {},
                    },
                    status=403,
                )
            target = "two_factor_verify" if confirmed_totp(user) else "two_factor_setup"
            url = reverse(target)
            if request.method == "GET":
                url += "?" + urlencode({"next": request.get_full_path()})
            return redirect(url)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Sends settings.HELHET_CSP on every response (no inline script or style anywhere in Helhet).

    Exception: with DEBUG on, Django's own technical error pages use inline styles
    and scripts; they are left without the header so developers can read them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "HELHET_CSP", "")
        if policy and "Content-Security-Policy" not in response:
            if not (settings.DEBUG and response.status_code >= 400):
                response["Content-Security-Policy"] = policy
        return response
