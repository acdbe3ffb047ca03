"""Filters that show an audit event in the reader's language (audit/_event_rows.html, audit/person_access_log.html).

Pure formatting of a row already loaded: no queries, no decisions about access. The wording lives in
helhet.audit.selectors (event_text, event_action_label) so code and templates say the same thing.
"""

from django import template

from helhet.audit.selectors import event_action_label, event_text

register = template.Library()


@register.filter(name="event_text")
def event_text_filter(event) -> str:
    """What happened: "Så individuell plan", "Nektet tilgang: se planen", "..., uten: Legemidler"."""
    return event_text(event)


@register.filter(name="event_action")
def event_action_filter(event) -> str:
    """The action: "lest", "nektet tilgang", "lest (delvis skjult)"."""
    return event_action_label(event)
