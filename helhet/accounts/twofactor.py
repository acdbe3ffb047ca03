"""Who must use two-factor login, and whether this session has done it.

Required (when settings.HELHET_REQUIRE_2FA is on) for KE officers,
administrators and Django staff: they see every person in a municipality or
can change who sees what. Anyone else who has set up a TOTP device has opted
in and must use it too. A login through an OpenID Connect provider whose own
login is two-factor (HelseID, ID-porten) counts as verified
(helhet.accounts.oidc marks the session). Read by middleware.TwoFactorRequiredMiddleware.
"""

from __future__ import annotations

from django.conf import settings
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from helhet.access import queries as access

SESSION_PROVIDER_MFA = "helhet_provider_mfa"


def role_requires_two_factor(user) -> bool:
    if not (user and user.is_authenticated):
        return False
    return access.requires_two_factor(user)


SESSION_ENROLLED = "helhet_otp_enrolled"


def requires_two_factor(user, session=None) -> bool:
    """Must this user verify a second factor before using Helhet?

    Whether the user has a device is remembered in the session ([user id, bool]), set
    at login (remember_enrolment, on user_logged_in) so every request costs the same and
    pinned query counts hold; the setup and account views update it.
    """
    if not (user and user.is_authenticated):
        return False
    if settings.HELHET_REQUIRE_2FA and role_requires_two_factor(user):
        return True
    cached = session.get(SESSION_ENROLLED) if session is not None else None
    if cached and cached[0] == user.pk:
        return bool(cached[1])
    enrolled = user_has_device(user, confirmed=True)
    if session is not None:
        session[SESSION_ENROLLED] = [user.pk, enrolled]
    return enrolled


def is_verified(request) -> bool:
    user = request.user
    if getattr(user, "is_verified", None) and user.is_verified():
        return True
    return bool(request.session.get(SESSION_PROVIDER_MFA))


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def remember_enrolment(sender, request, user, **kwargs):
    """user_logged_in receiver (apps.AccountsConfig.ready): note in the session whether the user has a device."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_ENROLLED] = [user.pk, user_has_device(user, confirmed=True)]
