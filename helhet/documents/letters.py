"""Letters rendered from templates as PDF/A with WeasyPrint (ARCHITECTURE.md: "PDF: WeasyPrint, PDF/A for archiving").

One pipeline for every letter kind (docs/decisions/0004-letters-as-templates-per-language.md):

* a kind is one entry in LETTERS: a context function (what the letter must say, from the object it is made from)
  and a template set `documents/letters/<kind>_<nb|nn>.html`;
* every template extends `documents/letters/_base.html`, which holds the structure once (head with the PDF/A
  metadata, sender, recipient, date line, body, sign-off); the per-language templates hold only the words. A letter is
  a text the municipality reviews as a whole in each written standard, so bokmål and nynorsk are written out rather
  than left to a partial message catalogue. Data (reasons, rule texts, names) is filled in as written.

The PDF is PDF/A-3b: fonts embedded, XMP metadata with the pdfaid identification, title, author and language.
No external resources: the letter's CSS is in the template's <style> (a PDF is not a page; the CSP does not apply).
Storing the bytes as a Document (and who may make one) is helhet.documents.services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils import timezone, translation

PDF_VARIANT = "pdf/a-3b"
LANGUAGES = ("nb", "nn")


def render_pdf(template: str, context: dict, *, language: str) -> bytes:
    """Render `template` (without the language suffix) in `language` and return PDF/A bytes."""
    import weasyprint

    if language not in LANGUAGES:
        raise ValueError(language)
    with translation.override(language):
        html = render_to_string(f"documents/letters/{template}_{language}.html", {**context, "language": language})
    return weasyprint.HTML(string=html, base_url=None).write_pdf(pdf_variant=PDF_VARIANT, custom_metadata=True)


def render(kind: str, obj, *, language: str, today: dt.date) -> bytes:
    """The letter of `kind` made from `obj` (a Decision, PartnerInformation, NeedNotification or Transfer)."""
    return render_pdf(kind, LETTERS[kind](obj, today=today), language=language)


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


# ---------------------------------------------------------------- decision letter


def decision_letter_context(decision, *, today: dt.date) -> dict:
    """Everything a decision letter must say (DOMAIN.md "Consent": reasons, rules applied, right to appeal, deadline,
    where to send it, right to see the case documents). The deadlines and rights come from the rules data."""
    from helhet.cases.rules import STATSFORVALTEREN_FROM, appeal_deadline, appealable_refusals
    from helhet.rules.selectors import rule_in_force

    req = decision.request
    org = req.organization
    refused = appealable_refusals(decision, req)
    deadline = appeal_deadline(decision, org)
    items = []
    for key, asked, granted in (("ip", req.wants_ip, decision.grants_ip), ("coordinator", req.wants_coordinator, decision.grants_coordinator),
                                ("child_coordinator", req.wants_child_coordinator, decision.grants_child_coordinator)):
        if asked:
            items.append({"key": key, "granted": granted})
    return {
        "decision": decision, "req": req, "person": req.person, "organization": org, "today": today,
        "items": items, "refused": refused, "appealable": bool(refused and decision.appeal_route),
        "deadline": deadline[0] if deadline else None, "deadline_rule": deadline[1] if deadline else None,
        "governor_is_statsforvalteren": decision.decided_on >= STATSFORVALTEREN_FROM,
        "rules": list(decision.rules_applied.all().order_by("code")),
        "documents_rule": rule_in_force("case.access-to-documents", decision.decided_on, organization=org),
        "decided_by": _name(decision.decided_by),
    }


# ---------------------------------------------------------------- informing the GP and partners


def partner_letter_context(info, *, today: dt.date) -> dict:
    """The letter to one GP or partner (coordination.PartnerInformation): what happened, who the coordinator is and how
    to reach them. No health details: the letter says only that the person has a coordinator / a plan / that the
    arrangement ended, which every partner informed under forskrift § 21 may know (nothing consent-governed)."""
    from helhet.cases.models import CoordinatorAppointment

    person = info.person
    appointments = list(CoordinatorAppointment.objects.filter(person=person, end__isnull=True)
                        .exclude(kind=CoordinatorAppointment.Kind.HOSPITAL_COORDINATOR).select_related("coordinator", "unit__organization"))
    last = appointments[0] if appointments else (CoordinatorAppointment.objects.filter(person=person).select_related("coordinator", "unit__organization")
                                                 .order_by("-start", "-id").first())
    organization = last.unit.organization if last else person.home_municipality
    return {
        "info": info, "person": person, "unit": info.recipient_unit, "event": info.event, "today": today,
        "day": timezone.localdate(info.sent_at), "organization": organization,
        "coordinators": [{"kind": a.get_kind_display(), "name": _name(a.coordinator), "unit": a.unit.name,
                          "phone": getattr(a.coordinator, "phone", ""), "email": a.coordinator.email} for a in appointments],
        "sent_by": _name(info.sent_by),
    }


# ---------------------------------------------------------------- receipt of a need notification


def receipt_context(n, *, today: dt.date) -> dict:
    """The receiving KE's receipt (kvittering) of a need notification, to the sender: received when, what was asked for,
    what happens next, whom to contact. Names the person (the sender knows them) but repeats none of the summary."""
    from helhet.organizations.services import coordinating_unit

    org = n.to_organization
    ke = n.to_unit or (coordinating_unit(org) if org else None)
    return {
        "n": n, "person": n.person, "organization": org, "ke": ke, "today": today, "needs": n.needs_list(),
        "sender_org": n.from_organization, "sender_unit": n.from_unit, "contact_name": n.contact_name,
        "received_on": n.accepted_on or n.sent_on, "acknowledged_on": n.acknowledged_on,
        "acknowledged_by": _name(n.acknowledged_by),
    }


# ---------------------------------------------------------------- letters to a municipality outside Helhet


def outside_letter_context(item, *, today: dt.date) -> dict:
    """The content of a need notification, transfer or information to partners (coordination.PartnerInformation)
    addressed to a municipality that does not use Helhet, for printing or a secure channel (the e-mail carries only
    the reference). A need notification is sent only with a
    consent that covers it to this receiver (coordination.models docstring), so its summary may be in the letter."""
    from helhet.directory.selectors import contact_for

    is_notification = item._meta.model_name == "neednotification"
    is_partner_information = item._meta.model_name == "partnerinformation"
    contact = contact_for(item.to_municipality)
    sender = item.created_by if item._meta.model_name == "transfer" else item.sent_by
    ctx = {
        "item": item, "is_notification": is_notification, "is_partner_information": is_partner_information, "person": item.person,
        "municipality": item.to_municipality, "contact": contact, "today": today, "reference": item.outside_reference,
        "sender": _name(sender), "sender_phone": getattr(sender, "phone", ""), "sender_email": sender.email,
    }
    if is_partner_information:
        # What a partner in Helhet is told (partner_letter_context: the event and the coordinators), to this KE.
        partner = partner_letter_context(item, today=today)
        ctx.update(organization=partner["organization"], event=item.event, coordinators=partner["coordinators"], day=partner["day"])
        return ctx
    ctx["organization"] = item.from_organization
    if is_notification:
        ctx.update(needs=item.needs_list(), unit=item.from_unit, day=item.sent_on)
    else:
        old = item.from_appointment
        ctx.update(day=item.effective_on, unit=old.unit if old else None,
                   coordinator=_name(old.coordinator) if old else "")
    return ctx


LETTERS: dict[str, Callable] = {
    "decision_letter": decision_letter_context,
    "partner_information": partner_letter_context,
    "need_notification_receipt": receipt_context,
    "outside_letter": outside_letter_context,
}
