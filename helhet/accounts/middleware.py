"""Middlewares of the security hardening: the verified device, the two-factor gate and the Content-Security-Policy."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware
from django_otp.plugins.otp_totp.models import TOTPDevice

from .backends import DEVICE_OK, session_device_id
from .twofactor import confirmed_totp, is_verified, requires_two_factor

# Paths a user who still owes the second factor may reach: the 2FA pages, logout, assets, health, language.
_OPEN_PREFIXES = ("/static/", "/healthz", "/i18n/", "/logout/", "/login/", "/konto/2fa/", "/oidc/")


class VerifiedDeviceMiddleware(OTPMiddleware):
    """django-otp's OTPMiddleware (request.user.otp_device, request.user.is_verified()) without its own query.

    When the session names a TOTP device, the user is loaded with it: helhet.accounts.backends.SessionBackend
    answers in the user query whether that device exists, is confirmed and belongs to the user. A device that
    does not hold is dropped from the session, as django-otp does. user.otp_device is then the device, read only
    if something uses more of it than "is there one" (nothing on an ordinary request). Any other case (no device
    in the session, a device of another kind, a session of another backend, the async path) is django-otp's own.
    """

    def _verify_user_sync(self, request, user):
        device_id = _totp_device_id(request.session.get(DEVICE_ID_SESSION_KEY))
        if device_id is None:
            return super()._verify_user_sync(request, user)
        token = session_device_id.set(device_id)
        try:
            # Loads the user: the session row, then the user with the device's answer (one query).
            authenticated = user.is_authenticated
        finally:
            session_device_id.reset(token)
        device_ok = getattr(user, DEVICE_OK, None) if authenticated else None
        if device_ok is None:
            return super()._verify_user_sync(request, user)
        self._init_user_fields(user)
        if device_ok:
            user_id = user.pk
            user.otp_device = SimpleLazyObject(
                lambda: TOTPDevice.objects.filter(pk=device_id, user_id=user_id).first()
            )
        else:
            del request.session[DEVICE_ID_SESSION_KEY]
        return user


def _totp_device_id(persistent_id) -> int | None:
    """The TOTP device id in django-otp's persistent id ("otp_totp.totpdevice/12"), else None."""
    if not isinstance(persistent_id, str):
        return None
    label, _sep, device_id = OTPMiddleware._normalize_persistent_id(persistent_id).rpartition("/")
    if label != TOTPDevice.model_label() or not (device_id.isascii() and device_id.isdigit()):
        return None
    return int(device_id)


class TwoFactorRequiredMiddleware:
    """After a password login, users who must use two-factor see nothing but the verify/set-up pages.

    Browser requests are redirected to /konto/2fa/ (or /konto/2fa/oppsett/ when no
    device exists yet); the API answers 403 {"code": "two_factor_required"}.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        # The path first: an open path (static files, health, logout) does not load the user for this.
        if (
            user is not None
            and not request.path.startswith(_OPEN_PREFIXES)
            and user.is_authenticated
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
