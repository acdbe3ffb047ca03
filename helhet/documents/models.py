"""The person's document area: generated letters (PDF/A) kept as files, read through the access policy.

Glossary: Document = dokument; DECISION_LETTER = vedtaksbrev (the written decision on a request, helhet.cases);
PARTNER_INFORMATION = brev til fastlege og samarbeidspartnere; NEED_NOTIFICATION_RECEIPT = kvittering for melding om
behov; OUTSIDE_LETTER = brev til en kommune utenfor Helhet; SCANNED_CONSENT = skannet samtykke på papir.
A document is immutable once written: a correction is a new document. What a document was made from is the pair
(source_type, source_id) -- the model name and pk of a coordination object (partnerinformation, neednotification,
transfer): coordination is another app's, so the link lives here and not as a foreign key there. A scanned consent
is linked to its consent record (consent). Which part of the person's record a kind
belongs to, and so who sees it, is policy.DOCUMENT_FIELDS.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helhet.people.models import Person


def _document_path(instance, filename: str) -> str:
    # The file name never carries personal data: person id and a random token only.
    import secrets

    ext = EXTENSIONS.get(instance.content_type, "pdf")
    return f"documents/{instance.person_id}/{secrets.token_hex(8)}.{ext}"


EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


class Document(models.Model):
    class Kind(models.TextChoices):
        DECISION_LETTER = "decision_letter", _("Vedtaksbrev")
        PARTNER_INFORMATION = "partner_information", _("Brev til fastlege og samarbeidspartnere")
        NEED_NOTIFICATION_RECEIPT = "need_notification_receipt", _("Kvittering for melding om behov")
        OUTSIDE_LETTER = "outside_letter", _("Brev til kommune utenfor Helhet")
        SCANNED_CONSENT = "scanned_consent", _("Skannet samtykke")

    class Language(models.TextChoices):
        NB = "nb", _("Bokmål")
        NN = "nn", _("Nynorsk")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="documents", verbose_name=_("tjenestemottaker"))
    kind = models.CharField(_("type"), max_length=40, choices=Kind.choices)
    title = models.CharField(_("tittel"), max_length=200)
    language = models.CharField(_("målform"), max_length=2, choices=Language.choices, default=Language.NB)
    decision = models.ForeignKey("cases.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="letters",
                                 verbose_name=_("avgjørelse"))
    # What the letter was made from (see the module docstring); blank for decision letters (decision) and scans (consent).
    source_type = models.CharField(max_length=40, blank=True)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    consent = models.ForeignKey("consent.Consent", null=True, blank=True, on_delete=models.PROTECT, related_name="scans",
                                verbose_name=_("samtykke"))
    file = models.FileField(upload_to=_document_path, max_length=200)
    content_type = models.CharField(max_length=100, default="application/pdf")
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    pdf_variant = models.CharField(_("PDF-variant"), max_length=20, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dokument")
        verbose_name_plural = _("dokumenter")
        ordering = ["-created_at", "-id"]
        # The person's document area lists their documents newest first (selectors.person_documents).
        indexes = [
            models.Index(fields=["person", "-created_at"], name="document_person_newest"),
            # The letters of one coordination object (documents.selectors.letters_for, the coordination pages).
            models.Index(fields=["source_type", "source_id"], name="document_source"),
        ]
        constraints = [
            # One letter per decision and language: generating it again returns the one already written.
            models.UniqueConstraint(fields=["decision", "language"], condition=Q(decision__isnull=False), name="document_one_letter_per_decision"),
            # Likewise one letter per source object, kind and language (a receipt generated twice is the same receipt).
            models.UniqueConstraint(fields=["source_type", "source_id", "kind", "language"], condition=Q(source_id__isnull=False),
                                    name="document_one_letter_per_source"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.person_id} ({self.language})"
