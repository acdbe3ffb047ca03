"""Letters rendered from templates as PDF/A with WeasyPrint (ARCHITECTURE.md: "PDF: WeasyPrint, PDF/A for archiving").

One template per language (templates/documents/letters/<name>_<nb|nn>.html): a decision letter is a legal text
that the municipality reviews as a whole in each written standard, so bokmål and nynorsk are written out rather than
left to a partial catalogue (docs/decisions/0004-letters-as-templates-per-language.md). Data (reasons, rule texts,
names) is filled in as written.

The PDF is PDF/A-3b: fonts embedded, XMP metadata with the pdfaid identification, title, author and language.
No external resources: the letter's CSS is in the template's <style> (a PDF is not a page; the CSP does not apply).
"""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.utils import translation

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
        "decided_by": decision.decided_by.get_full_name() or decision.decided_by.username,
    }
