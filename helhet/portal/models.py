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


class MeasureComment(models.Model):
    """The person's (or their representative's) comment on a measure in their plan, written in the portal.

    Read by the plan group only through helhet.portal.selectors.plan_from_person, which shows a comment to a reader
    only when the policy lets them see the measure's information category (PlanAccess.may_see).
    """

    measure = models.ForeignKey("plans.Measure", on_delete=models.CASCADE, related_name="portal_comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_by = models.CharField(_("skrevet av"), max_length=20, default="person")  # plans.WrittenBy: person | relative
    text = models.TextField(_("kommentar"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("kommentar til tiltak")
        verbose_name_plural = _("kommentarer til tiltak")
        # plan_from_person / my_plan: the comments on a plan's measures, oldest first.
        indexes = [models.Index(fields=["measure", "created_at"], name="portal_comment_measure_at")]

    def __str__(self):
        return f"{self.measure_id}: {self.text[:40]}"


class Mapping(models.Model):
    """The mapping questionnaire (kartlegging) the person answers before the first meeting: what matters, what works,
    what is hard, whom they want along. A draft until they send it to the coordinator; one per person (a new round
    reuses the row). The coordinator turns answers into plan items (helhet.portal.services.mapping_answer_to_item).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        SENT = "sent", _("Sendt til koordinatoren")

    QUESTIONS = ("important", "works", "hard", "who")

    person = models.OneToOneField("people.Person", on_delete=models.CASCADE, related_name="portal_mapping")
    important = models.TextField(_("Hva er viktig for deg?"), blank=True)
    works = models.TextField(_("Hva fungerer bra?"), blank=True)
    hard = models.TextField(_("Hva er vanskelig?"), blank=True)
    who = models.TextField(_("Hvem vil du ha med?"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    written_by = models.CharField(_("skrevet av"), max_length=20, default="person")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Which answers became plan items: [{"question": "important", "section": "goals", "item_id": 12, "by": user id}].
    used = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("kartlegging")
        verbose_name_plural = _("kartlegginger")

    def __str__(self):
        return f"{self.person_id}: {self.status}"

    def answers(self) -> list[tuple[str, str, str]]:
        """(question code, question, answer) in the questionnaire's order, for both the person's and the staff page."""
        return [(q, str(self._meta.get_field(q).verbose_name), getattr(self, q)) for q in self.QUESTIONS]
