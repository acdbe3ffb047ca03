"""The person's answer to a plan-group meeting invitation (accept / decline), given in the portal.

Kept here rather than on helhet.meetings.Invitee so the portal owns its own data; the coordinator's meeting page can read
it later. One answer per meeting and login (the latest answer wins: an update, never a second row).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingResponse(models.Model):
    class Answer(models.TextChoices):
        ACCEPT = "accept", _("Kommer")
        DECLINE = "decline", _("Kommer ikke")

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="portal_responses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(_("svar"), max_length=10, choices=Answer.choices)
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("svar på møteinnkalling")
        verbose_name_plural = _("svar på møteinnkallinger")
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="portal_one_answer_per_meeting_user")]

    def __str__(self):
        return f"{self.meeting_id}: {self.answer}"
