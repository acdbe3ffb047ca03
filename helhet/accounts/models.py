"""Failed password logins, counted by helhet.accounts.throttle to lock out guessing.

Kept in the database (not a per-process cache) so every web process sees the
same count. Rows older than the window plus the lockout are useless and are
pruned on each failure.
"""

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
