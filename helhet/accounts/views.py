"""Two-factor pages (verify, set up, account) and the OpenID Connect login. Thin: helpers do the work."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import django_otp
import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from helhet.audit.services import record

from . import oidc
from .twofactor import SESSION_ENROLLED, confirmed_totp, is_verified, role_requires_two_factor


def _safe_next(request, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _qr_svg(uri: str) -> str:
    """The otpauth:// URI as an inline SVG (no PIL, no inline style: the CSP allows it)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buf = io.BytesIO()
    image.save(buf)
    svg = buf.getvalue().decode()
    return svg[svg.index("<svg") :]  # drop the XML declaration: it is inlined into HTML


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """Step two after the password: a six-digit code from the user's authenticator app."""
    device = confirmed_totp(request.user)
    if device is None:
        return redirect(f"{reverse('two_factor_setup')}?{urlencode({'next': _safe_next(request)})}")
    if is_verified(request):
        return redirect(_safe_next(request))
    error = ""
    if request.method == "POST":
        token = (request.POST.get("token") or "").strip().replace(" ", "")
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            error = _("For mange feil koder. Vent litt og prøv igjen.")
        elif device.verify_token(token):
            django_otp.login(request, device)
            record(
                actor=request.user,
                action="login_2fa",
                object_type="session",
                summary=gettext_noop("Bekreftet innlogging med engangskode"),
            )
            return redirect(_safe_next(request))
        else:
            error = _("Koden stemmer ikke. Skriv inn den sekssifrede koden som vises i appen nå.")
            record(
                actor=request.user,
                action="login_2fa_failed",
                object_type="session",
                summary=gettext_noop("Feil engangskode"),
            )
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"error": error, "next": _safe_next(request, "")},
        status=400 if error else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Set up TOTP: show the secret as a QR code and as text, confirm with a first code.

    A user who already has a confirmed device must verify with it first: setting up a
    new one is not a way around the one they have.
    """
    existing = confirmed_totp(request.user)
    if existing is not None and not request.user.is_verified():
        return redirect(
            f"{reverse('two_factor_verify')}?{urlencode({'next': reverse('two_factor_setup')})}"
        )
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=request.user, name="Autentiseringsapp", confirmed=False
        )
    error = ""
    if request.method == "POST":
        token = (request.POST.get("token") or "").strip().replace(" ", "")
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            error = _("For mange feil koder. Vent litt og prøv igjen.")
        elif device.verify_token(token):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
            django_otp.login(request, device)
            request.session[SESSION_ENROLLED] = [request.user.pk, True]
            record(
                actor=request.user,
                action="two_factor_enabled",
                object_type="session",
                summary=gettext_noop("Tofaktor satt opp"),
            )
            messages.success(
                request,
                _(
                    "Tofaktor er satt opp. Neste gang du logger inn, spør Helhet etter en kode fra appen."
                ),
            )
            return redirect(_safe_next(request))
        else:
            error = _("Koden stemmer ikke. Sjekk at klokken på telefonen er riktig og prøv igjen.")
    uri = device.config_url
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "error": error,
            "otpauth_uri": uri,
            "qr_svg": _qr_svg(uri),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": _safe_next(request, ""),
            "replacing": existing is not None,
        },
        status=400 if error else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    """The user's security settings: two-factor status, opt in, or turn it off where it is not required."""
    device = confirmed_totp(request.user)
    required = role_requires_two_factor(request.user)
    if (
        request.method == "POST"
        and request.POST.get("action") == "disable_2fa"
        and device
        and not required
    ):
        if request.user.is_verified():
            TOTPDevice.objects.filter(user=request.user).delete()
            request.session[SESSION_ENROLLED] = [request.user.pk, False]
            record(
                actor=request.user,
                action="two_factor_disabled",
                object_type="session",
                summary=gettext_noop("Tofaktor slått av"),
            )
            messages.success(request, _("Tofaktor er slått av."))
        return redirect("account")
    return render(request, "accounts/account.html", {"device": device, "required": required})


def admin_login(request):
    """Django admin's own login would bypass throttling and two-factor: send it to ours."""
    return HttpResponseRedirect(
        f"{reverse('login')}?next={_safe_next(request, reverse('admin:index'))}"
    )


@never_cache
def oidc_login(request, provider: str):
    return oidc.start(request, provider, next_url=_safe_next(request, ""))


@never_cache
def oidc_callback(request, provider: str):
    return oidc.finish(request, provider)
