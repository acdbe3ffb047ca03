"""The one table of maximum lengths for free text, enforced in the model layer so the API and the forms agree.

Django enforces a CharField's max_length in full_clean(), but a TextField's never: before this, the API took
100,000-character goals, posts and need summaries while the goal form refused them. Now:

- `FIELDS` names the limit of each free-text field (model label + field); any other TextField gets FREE_TEXT.
  CharFields keep their own max_length (the database column).
- `helhet.core.errors.validate()` (which every service calls before saving) checks them, so every service
  refuses too-long text with a 400 naming the field, the same verdict for the API and the browser forms.
- Services that save without validate() call `enforce(instance)` (helhet/meetings/services.py).
- Forms may show the limit (maxlength) with `limit_for(Model, "field")`; the service gives the verdict either way.

Chosen per field: the plan's items (goal, resource, need, contribution, measure) are what the person and the
coordinator read on one page, 4,000 characters as the forms already said; minutes may be long (20,000); other
free text 10,000.
"""

from __future__ import annotations

from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

NAME = 200
TITLE = 300
SHORT_TEXT = 1_000
PLAN_TEXT = 4_000
FREE_TEXT = 10_000
LONG_TEXT = 20_000

FIELDS: dict[str, int] = {
    # The plan's items (helhet/plans/forms.py shows the same max_length).
    "plans.Goal.text": PLAN_TEXT,
    "plans.Goal.status_note": PLAN_TEXT,
    "plans.Resource.text": PLAN_TEXT,
    "plans.Need.text": PLAN_TEXT,
    "plans.Contribution.text": PLAN_TEXT,
    "plans.Measure.scope": PLAN_TEXT,
    "plans.Measure.how": PLAN_TEXT,
    "plans.Measure.deprioritised_reason": PLAN_TEXT,
    # Meetings and messages.
    "meetings.Meeting.agenda": FREE_TEXT,
    "meetings.Meeting.cancelled_reason": SHORT_TEXT,
    "meetings.Minutes.text": LONG_TEXT,
    "meetings.Post.text": FREE_TEXT,
    # Coordination: the need notification's summary (what is relevant for the coordination only).
    "coordination.NeedNotification.summary": FREE_TEXT,
    # First-contact deadline extension (helhet/notifications/services.py says 1000 too).
    "notifications.DeadlineExtension.reason": SHORT_TEXT,
}


def limit_for(model, field_name: str) -> int | None:
    """The maximum length of model.field_name, or None when it is not text."""
    field = model._meta.get_field(field_name)
    label = f"{model._meta.label}.{field_name}"
    if label in FIELDS:
        return FIELDS[label]
    if isinstance(field, models.TextField):
        return FREE_TEXT
    if isinstance(field, models.CharField):
        return field.max_length
    return None


def too_long(instance) -> dict[str, list[str]]:
    """{field: [Norwegian message]} for every text field of `instance` longer than its limit."""
    errors: dict[str, list[str]] = {}
    for field in instance._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        value = getattr(instance, field.attname, None)
        if not isinstance(value, str):
            continue
        limit = limit_for(type(instance), field.name)
        if limit is not None and len(value) > limit:
            errors[field.name] = [
                _("%(field)s kan være høyst %(max)s tegn (nå %(n)s).")
                % {"field": capfirst(str(field.verbose_name)), "max": f"{limit:,}".replace(",", " "), "n": f"{len(value):,}".replace(",", " ")}
            ]
    return errors


def enforce(instance) -> None:
    """Raise the 400 DomainError (code "invalid", details.fields) when a text field is too long."""
    from .errors import DomainError

    errors = too_long(instance)
    if errors:
        raise DomainError("invalid", "; ".join(m for msgs in errors.values() for m in msgs), details={"fields": errors})
