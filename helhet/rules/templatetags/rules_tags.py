"""{% why code %}: a small "Hvorfor?" link to the rule (or local guideline) behind a duty or deadline.

    {% load rules_tags %}
    {% why "coordinator.right" %}                       rule in force today, national or the user's organisation's
    {% why "coordinator.right" day=request.received_on %}  the rule in force on another date
    {% why "first_contact_days" organization=org %}    a local guideline key (helhet.rules.guidelines)

Renders nothing when no rule with that code is in force. One query per use.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from helhet.rules import guidelines
from helhet.rules.selectors import guideline_value, rule_in_force

register = template.Library()


def _organization(context, organization):
    if organization is not None:
        return organization
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    from helhet.access.queries import primary_organization

    return primary_organization(user)


@register.simple_tag(takes_context=True)
def why(context, code, day=None, organization=None):
    day = day or timezone.localdate()
    org = _organization(context, organization)
    if code in guidelines.GUIDELINES:
        g = guidelines.get(code)
        value, source = guideline_value(code, org, day)
        org_id = getattr(org, "pk", org)
        href = reverse("rule_list") + (f"#retningslinje-{org_id}-{code}" if org_id else "")
        detail = _("%(label)s: %(value)s dager. Kilde: %(source)s") % {"label": g.label, "value": value, "source": source}
    else:
        rule = rule_in_force(code, day, organization=org)
        if rule is None:
            return ""
        href = reverse("rule_detail", args=[rule.pk])
        detail = _("%(title)s. Kilde: %(source)s") % {"title": rule.title, "source": rule.source}
    return format_html('<a class="ds-link why-link" href="{}" title="{}">{}<span class="ds-sr-only"> – {}</span></a>',
                       href, detail, _("Hvorfor?"), detail)
