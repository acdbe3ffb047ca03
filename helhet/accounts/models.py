"""Failed password logins, counted by helhet.accounts.throttle to lock out guessing.

Kept in the database (not a per-process cache) so every web process sees the
same count. Rows older than the window plus the lockout are useless and are
pruned on each failure.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginFailure(models.Model):
    username = models.CharField(_("brukernavn"), max_length=150)
    ip = models.CharField(_("IP-adresse"), max_length=45, blank=True)
    at = models.DateTimeField(_("tidspunkt"), db_index=True)

    class Meta:
        verbose_name = _("mislykket innlogging")
        verbose_name_plural = _("mislykkede innlogginger")
        # throttle.locked_until() reads the recent failures for one username and for one IP.
        indexes = [
            models.Index(fields=["username", "at"], name="loginfailure_user_at"),
            models.Index(fields=["ip", "at"], name="loginfailure_ip_at"),
        ]

    def __str__(self):
        return f"{self.username} {self.ip} {self.at:%Y-%m-%d %H:%M:%S}"


class SystemClient(models.Model):
    """A system (an EPJ, a case-handling system) that calls the API and FHIR with OAuth 2.0 client-credentials tokens.

    It acts for one organisation through its own service user (`service_user`, never able to log in), whose
    memberships in the organisation's units give it exactly the relationships those units have to each person
    (involvements, plan-group membership, grants): the one access policy decides everything
    (helhet/accounts/systems.py keeps the memberships; helhet/accounts/tokens.py validates the token). Only a
    client registered as the KE's own system (`ke_system`) gets the KE officer's whole-tenant relationship.
    """

    issuer = models.CharField(_("utsteder"), max_length=300)
    client_id = models.CharField(_("klient-ID"), max_length=200)
    name = models.CharField(_("navn"), max_length=200)
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("virksomhet"))
    # The units it acts for; empty: every unit of the organisation (helhet.accounts.systems.sync_memberships).
    units = models.ManyToManyField("organizations.ServiceUnit", blank=True, related_name="+", verbose_name=_("enheter"))
    scopes = models.JSONField(_("tillatte scopes"), default=list)
    ke_system = models.BooleanField(_("koordinerende enhets eget system"), default=False)
    active = models.BooleanField(_("aktiv"), default=True)
    service_user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="system_client",
                                        verbose_name=_("tjenestebruker"))
    created_at = models.DateTimeField(_("registrert"), auto_now_add=True)

    class Meta:
        verbose_name = _("fagsystem")
        verbose_name_plural = _("fagsystemer")
        # helhet.accounts.tokens.authenticate looks the client up by (issuer, client_id) on every bearer request.
        constraints = [models.UniqueConstraint(fields=["issuer", "client_id"], name="systemclient_issuer_client")]

    def __str__(self):
        return f"{self.name} ({self.client_id})"
